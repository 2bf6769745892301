import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKBONE_FEATURES, BACKBONE_LEVELS, BACKBONE_OUTPUTS } from '../../../src/core/model/features';
import { MEASURE_NAMES } from '../../../src/core/measures/measures';
import { crop, globalView, GLOBAL_SIDE, toWork, type Pixels } from '../../../src/core/image/views';
import { cvLambdas } from '../cv';
import { readSplit } from '../dataset';
import { loadImage } from '../extract';
import { prunedGraphModel } from '../backbone-source';
import { readFeatureRows, type FeatureRow } from '../features-file';
import { DEFAULT_LINEAR } from '../linear-head';
import { useNodeBackend } from '../node-backend';
import { flagNumber, parseArgs, progress } from '../../lib/cli';

// Which feature levels of the backbone feed the head: mean and standard deviation per channel
// of candidate layers, extracted once for train.csv photos (never val), then judged by K-fold
// CV of the quality head with each set added to the shipped features.

export const CANDIDATE_LEVELS = [
  'tower_0/MobilenetV3/expanded_conv/add',
  'tower_0/MobilenetV3/expanded_conv_2/add',
  'tower_0/MobilenetV3/expanded_conv_4/add',
  'tower_0/MobilenetV3/expanded_conv_8/add',
  'tower_0/MobilenetV3/expanded_conv_9/add',
  'tower_0/MobilenetV3/expanded_conv_11/add',
  'tower_0/MobilenetV3/expanded_conv_11/depthwise/hard_swish/mul_1',
  'tower_0/MobilenetV3/expanded_conv_13/add',
  'tower_0/MobilenetV3/expanded_conv_14/add',
  'tower_0/MobilenetV3/expanded_conv_14/expand/hard_swish/mul_1',
  'tower_0/MobilenetV3/expanded_conv_14/depthwise/hard_swish/mul_1',
];

const HELP = `npm run levels -- [--every 1] [--part i --parts n] [--extract-only] [--folds 4] [--sets '[["expanded_conv_9/add"], …]'] [--lambdas 600,1000] [--view crop] [--log-std]

Extracts mean and std per channel of each candidate backbone layer for every Nth train.csv
photo (.cache/levels/, resumable, split over processes with --part/--parts), then prints the
mean held-out SRCC (pooled, per subset) of the quality head by K-fold CV for the shipped features
plus each set of levels (names matched by suffix), at each ridge λ. Train rows only.
--view crop runs a second backbone pass on a ${GLOBAL_SIDE}² centre crop at native scale instead of the
squeezed photo (.cache/levels-crop/, the shipped levels included): what a second view would add.
--log-std gives the head the log of every standard deviation instead.`;

/** The backbone's input for a photo: the squeezed whole (as shipped), or a native-scale centre crop. */
function inputView(px: Pixels, view: string) {
  const work = toWork(px);
  if (view !== 'crop') return globalView(work, GLOBAL_SIDE);
  const side = Math.min(GLOBAL_SIDE, work.width, work.height);
  const c = crop(work, Math.floor((work.height - side) / 2), Math.floor((work.width - side) / 2), side, side);
  return side === GLOBAL_SIDE ? c : globalView({ ...c, channels: 3 }, GLOBAL_SIDE);
}

function short(name: string): string {
  return name.replace(/^tower_0\/(MobilenetV3\/)?/, '');
}

function moments(x: tf.Tensor4D): tf.Tensor1D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.concat([mean, tf.sqrt(tf.add(variance, 1e-6))]) as tf.Tensor1D;
}

async function extract(every: number, part: number, parts: number, cacheDir: string, view: string): Promise<void> {
  const dir = join(cacheDir, levelsDir(view));
  const names = view === 'crop' ? [...BACKBONE_OUTPUTS, ...CANDIDATE_LEVELS] : CANDIDATE_LEVELS;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `part-${part}-of-${parts}.jsonl`);
  // photos done by any earlier run, however it was split
  const done = new Set(readLevels(cacheDir, view).keys());
  const photos = readSplit('train')
    .filter((_, i) => i % every === 0)
    .filter((_, i) => i % parts === part);
  const todo = photos.filter((r) => !done.has(`train|${r.image}|clean`));
  const outputs = [...BACKBONE_OUTPUTS, ...CANDIDATE_LEVELS];
  const model = await prunedGraphModel(cacheDir, outputs, GLOBAL_SIDE);
  const bar = progress(`levels part ${part}/${parts}`, todo.length);
  for (const [i, r] of todo.entries()) {
    const img = await loadImage(r.image);
    const [height, width] = img.shape;
    const px = { data: await img.data(), width, height, channels: 3 as const };
    img.dispose();
    const input = inputView(px, view);
    const levels: Record<string, number[]> = {};
    const outs = tf.tidy(() => {
      const acts = model.execute(tf.tensor4d(input.data, [1, GLOBAL_SIDE, GLOBAL_SIDE, 3]), names) as tf.Tensor4D[];
      return acts.map(moments);
    });
    for (const [j, t] of outs.entries()) levels[short(names[j])] = Array.from(await t.data(), (v) => Number(v.toPrecision(5)));
    outs.forEach((t) => t.dispose());
    appendFileSync(file, `${JSON.stringify({ key: `train|${r.image}|clean`, levels })}\n`);
    bar.tick(i + 1);
  }
  bar.done();
  model.dispose();
}

/** Standard deviations on a log scale (they span decades): the shipped levels' (BACKBONE_LEVELS), then each added level's. */
function logStd(f: number[], added: number[]): void {
  const spans: [number, number][] = [];
  let o = 0;
  for (const l of BACKBONE_LEVELS) {
    spans.push([o + l.channels, l.channels]);
    o += 2 * l.channels;
  }
  o = BACKBONE_FEATURES + MEASURE_NAMES.length;
  for (const c of added) {
    spans.push([o + c, c]);
    o += 2 * c;
  }
  for (const [start, n] of spans) for (let j = start; j < start + n; j++) f[j] = Math.log(f[j] + 1e-3);
}

const levelsDir = (view: string) => (view === 'crop' ? 'levels-crop' : 'levels');

function readLevels(cacheDir: string, view: string): Map<string, Record<string, number[]>> {
  const dir = join(cacheDir, levelsDir(view));
  const out = new Map<string, Record<string, number[]>>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!l) continue;
      try {
        const r = JSON.parse(l);
        out.set(r.key, r.levels);
      } catch {
        /* cut short: redone on resume */
      }
    }
  }
  return out;
}

/** SRCC cells of a table row; a subset none of the photos belong to (a small sample) has none. */
const figureCells = (s: Record<string, number>) => ['pooled', 'ss01', 'ss02', 'ss03'].map((k) => s[k]?.toFixed(3) ?? '–').join(' | ');

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help', 'extract-only', 'log-std']);
  if (flags.help) return console.log(HELP);
  const cacheDir = resolve(String(flags.cache ?? '.cache'));
  const every = flagNumber(flags, 'every', 1);
  await useNodeBackend('wasm');
  const view = String(flags.view ?? 'global');
  await extract(every, flagNumber(flags, 'part', 0), flagNumber(flags, 'parts', 1), cacheDir, view);
  if (flags['extract-only']) return;
  const levels = readLevels(cacheDir, view);
  const base = readFeatureRows(join(cacheDir, 'features')).filter((r) => r.split === 'train' && r.mos !== null && levels.has(r.key));
  const folds = flagNumber(flags, 'folds', 4);
  const lambdas = String(flags.lambdas ?? DEFAULT_LINEAR.lambda)
    .split(',')
    .map(Number);
  const names = Object.keys(levels.values().next().value ?? {});
  const sets: string[][] = flags.sets ? JSON.parse(String(flags.sets)) : [[], ...names.map((n) => [n])];
  console.log(`${base.length} rated train photos, ${folds}-fold CV, pooled share ${DEFAULT_LINEAR.pooledShare}`);
  console.log('| added levels | λ | features | SRCC pooled | ss01 | ss02 | ss03 |\n|---|---:|---:|---:|---:|---:|---:|');
  for (const set of sets) {
    const chosen = set.map((s) => {
      const hit = names.find((n) => n === s || n.endsWith(s));
      if (!hit) throw new Error(`no level named ${s}; have ${names.join(', ')}`);
      return hit;
    });
    const rows: FeatureRow[] = base.map((r) => ({ ...r, f: [...r.f, ...chosen.flatMap((n) => levels.get(r.key)![n])] }));
    if (flags['log-std'])
      for (const r of rows)
        logStd(
          r.f,
          chosen.map((n) => levels.get(r.key)![n].length / 2),
        );
    const all = cvLambdas(rows, folds, lambdas, DEFAULT_LINEAR.pooledShare);
    for (const [li, lambda] of lambdas.entries()) {
      const s = all[li];
      console.log(`| ${chosen.join(' + ') || '(shipped)'} | ${lambda} | ${rows[0].f.length} | ${figureCells(s)} |`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
