import * as tf from '@tensorflow/tfjs';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LABELLED_ASPECTS } from '../../src/core/aspects';
import { GLOBAL_SIDE, resizeArea, toWork } from '../../src/core/image/views';
import { parseArgs, progress } from '../lib/cli';
import { readSplit, type Row } from '../model/dataset';
import { loadImage } from '../model/extract';
import { labelledSidewaysAsStored } from '../model/aspect-head';
import { labelsAvailable, trainLabelsOrExit, type Label } from '../model/labels';
import { useNodeBackend } from '../model/node-backend';
import { writeJson } from '../model/io';

// The fine-tune's inputs, decoded once by the product's own decode and views (tools/torch/ reads
// them memory-mapped): per photo the backbone's 320² view (what inference sees) and, for train
// photos, a 384² view that random crops are cut from. Both rounded to uint8: a rounding of at
// most half a level, far under what the augmentation changes. Also what each photo is: subset,
// MOS and, for train photos, the step-by-step labels (null where a photo has none).

export const AUG_SIDE = 384;

const HELP = `usage: npx tsx tools/torch/views.ts [--cache .cache] [--limit N]
Writes <cache>/torch/: views-{train,val}-${GLOBAL_SIDE}.u8, views-train-${AUG_SIDE}.u8 and meta-{train,val}.json
(every photo of train.csv and val.csv; about 3 minutes). Rerun-safe: a finished split is kept.`;

export interface PhotoMeta {
  image: string;
  subset: string;
  mos: number;
  /** Labelled severities in LABELLED_ASPECTS order (null: not known for this view); null where the photo has no label (val: always). */
  labels: (number | null)[] | null;
}

function toBytes(img: { data: Float32Array }): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(img.data[i])));
  return out;
}

async function writeSplit(split: 'train' | 'val', rows: Row[], dir: string): Promise<void> {
  const metaPath = join(dir, `meta-${split}.json`);
  const sides = split === 'train' ? [GLOBAL_SIDE, AUG_SIDE] : [GLOBAL_SIDE];
  const paths = sides.map((s) => join(dir, `views-${split}-${s}.u8`));
  const labels = split === 'train' && labelsAvailable() ? trainLabelsOrExit(rows.map((r) => ({ image: r.image, split }))) : new Map();
  // the meta is written every time (it costs no decode), so the targets follow the labels and their rules
  const meta: PhotoMeta[] = rows.map((row) => {
    const l = labels.get(row.image);
    return { image: row.image, subset: row.subset, mos: row.mos, labels: l ? uprightLabels(l, row.image) : null };
  });
  const writeMeta = () => writeJson(metaPath, { side: GLOBAL_SIDE, augSide: AUG_SIDE, aspects: LABELLED_ASPECTS, photos: meta });
  if (existsSync(metaPath) && paths.every((p, i) => existsSync(p) && statSync(p).size === rows.length * sides[i] ** 2 * 3)) {
    writeMeta();
    process.stderr.write(`${split}: views kept (${rows.length} photos), labels rewritten\n`);
    return;
  }
  const fds = paths.map((p) => openSync(`${p}.part`, 'w'));
  const bar = progress(`views ${split}`, rows.length);
  for (const [i, row] of rows.entries()) {
    const t = await loadImage(row.image);
    const [height, width] = t.shape;
    const work = toWork({ data: t.dataSync() as Float32Array, width, height, channels: 3 });
    t.dispose();
    sides.forEach((s, k) => writeSync(fds[k], toBytes(resizeArea(work, s, s))));
    bar.tick(i + 1);
  }
  bar.done();
  fds.forEach((fd) => closeSync(fd));
  paths.forEach((p) => renameSync(`${p}.part`, p));
  writeMeta();
}

/**
 * A label's severities for the photo as the views show it, upright. The labels judged the photo
 * as its file stores it: the tilt of one stored turned and labelled sideways is about the turn,
 * not known for the upright view.
 */
export function uprightLabels(l: Label, image: string): (number | null)[] {
  const turn = labelledSidewaysAsStored(l, image);
  return LABELLED_ASPECTS.map((a) => (turn && a === 'tilt' ? null : l.sev[a]));
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const dir = join(String(flags.cache ?? '.cache'), 'torch');
  mkdirSync(dir, { recursive: true });
  await useNodeBackend();
  const limit = flags.limit ? Number(flags.limit) : Infinity;
  for (const split of ['train', 'val'] as const) await writeSplit(split, readSplit(split).slice(0, limit), dir);
  tf.disposeVariables();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
