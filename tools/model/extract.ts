import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { writtenKeys } from './features-file';
import { join } from 'node:path';
import { BACKBONE_OUTPUTS, features } from '../../src/core/model/features';
import { GLOBAL_SIDE } from '../../src/core/image/views';
import { decodeNode } from './decode-node';
import { DEGRADATIONS } from './degrade';
import { BIQ_DIR, planJobs, planUpsideDownJobs, readSplit, type Job } from './dataset';
import { prunedGraphModel } from './backbone-source';
import { parseArgs, progress } from '../lib/cli';
import { useNodeBackend } from './node-backend';

// Feature rows for training and evaluation: one JSON line per (photo, degradation).
// Resumable: rows already in the output are skipped. Split the work over processes with
// --part i --parts n.

/** A data set photo as float RGB, upright (`asStored`: as its file stores it, see Job.stored). */
export async function loadImage(image: string, asStored = false): Promise<tf.Tensor3D> {
  const { rgb } = await decodeNode(readFileSync(join(BIQ_DIR, 'images', image)), { asStored });
  const f = rgb.toFloat() as tf.Tensor3D;
  rgb.dispose();
  return f;
}

/** The pruned backbone as a graph model taking `side`² photos (`from`: a fine-tuned one, see ensureBackboneFiles). */
export function backboneModel(cacheDir: string, side = GLOBAL_SIDE, from?: string): Promise<tf.GraphModel> {
  return prunedGraphModel(cacheDir, BACKBONE_OUTPUTS, side, from);
}

/** The photo turned clockwise by `k` quarter turns (the input is disposed when turned). */
export function quarterTurns(img: tf.Tensor3D, k: number): tf.Tensor3D {
  if (k % 4 === 0) return img;
  const out = tf.tidy(() => {
    if (k % 4 === 2) return img.reverse([0, 1]) as tf.Tensor3D; // half a turn: both flips
    // clockwise: transpose, then mirror left–right; anticlockwise: transpose, then flip upside down
    const t = img.transpose([1, 0, 2]);
    return (k % 4 === 1 ? t.reverse(1) : t.reverse(0)) as tf.Tensor3D;
  });
  img.dispose();
  return out;
}

/** Pixels for a job: the photo, degraded when the job says so. */
export async function jobPixels(job: Job, donors: tf.Tensor3D[]): Promise<tf.Tensor3D> {
  const img = quarterTurns(await loadImage(job.image, job.stored), job.turn ?? 0);
  if (!job.aspect) return img;
  const out = DEGRADATIONS[job.aspect]({ img, strength: job.strength, seed: job.seed, donors });
  img.dispose();
  return out;
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) {
    console.log('usage: tsx tools/model/extract.ts [--part i --parts n] [--out .cache/features] [--limit N] [--backbone DIR] [--plan upside-down]');
    return;
  }
  const part = Number(flags.part ?? 0);
  const parts = Number(flags.parts ?? 1);
  const outDir = String(flags.out ?? '.cache/features');
  const cacheDir = String(flags.cache ?? '.cache');
  mkdirSync(outDir, { recursive: true });
  const outFile = join(outDir, `part-${part}-of-${parts}.jsonl`);
  const done = writtenKeys(outFile);
  let jobs = (flags.plan === 'upside-down' ? planUpsideDownJobs() : planJobs()).filter((_, i) => i % parts === part).filter((j) => !done.has(j.key));
  if (flags.limit) jobs = jobs.slice(0, Number(flags.limit));
  await useNodeBackend('wasm');
  const backbone = await backboneModel(cacheDir, GLOBAL_SIDE, flags.backbone ? String(flags.backbone) : undefined);
  const donorsBySplit = { train: [] as tf.Tensor3D[], val: [] as tf.Tensor3D[] };
  for (const split of ['train', 'val'] as const) {
    for (const r of readSplit(split)
      .filter((_, i) => i % 97 === 5)
      .slice(0, 10))
      donorsBySplit[split].push(await loadImage(r.image));
  }
  const bar = progress(`features part ${part}/${parts}`, jobs.length);
  for (const [i, job] of jobs.entries()) {
    const px = await jobPixels(job, donorsBySplit[job.split]);
    const values = Array.from(await features(backbone, px), (v) => Number(v.toPrecision(6)));
    px.dispose();
    appendFileSync(outFile, `${JSON.stringify({ ...job, f: values })}\n`);
    bar.tick(i + 1);
  }
  bar.done();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
