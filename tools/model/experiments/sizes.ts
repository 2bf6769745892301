import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { features } from '../../../src/core/model/features';
import { cvRidge } from '../cv';
import { readSplit, type Job } from '../dataset';
import { backboneModel, loadImage } from '../extract';
import type { FeatureRow } from '../features-file';
import { DEFAULT_LINEAR } from '../linear-head';
import { useNodeBackend } from '../node-backend';
import { flagNumber, parseArgs, progress } from '../../lib/cli';

// Which backbone input size: the whole pipeline (backbone on a side² view, measurements on its
// overview and the detail crop) at each size, on a sample of train.csv photos only, judged by
// K-fold CV of the quality head. The backbone's time per photo is measured on the same run.

const HELP = `npm run sizes -- [--sides 320,384,512] [--every 3] [--folds 4] [--lambda ${DEFAULT_LINEAR.lambda}] [--pooled-share ${DEFAULT_LINEAR.pooledShare}]

Extracts features of every Nth train.csv photo with the backbone's input at each side (cached,
resumable, in .cache/sizes/side-<S>.jsonl), then prints mean held-out SRCC (pooled, per subset)
of the quality head by K-fold CV, and the median feature time per photo (Node, wasm).`;

async function sideRows(side: number, jobs: Job[], cacheDir: string): Promise<{ rows: FeatureRow[]; msPerPhoto: number }> {
  const file = join(cacheDir, 'sizes', `side-${side}.jsonl`);
  mkdirSync(join(cacheDir, 'sizes'), { recursive: true });
  const have = new Map<string, FeatureRow>();
  if (existsSync(file))
    for (const l of readFileSync(file, 'utf8').split('\n'))
      if (l)
        try {
          const r = JSON.parse(l) as FeatureRow;
          have.set(r.key, r);
        } catch {
          /* cut short: redone */
        }
  const todo = jobs.filter((j) => !have.has(j.key));
  const model = await backboneModel(cacheDir, side);
  const times: number[] = [];
  const bar = progress(`side ${side}`, todo.length);
  for (const [i, job] of todo.entries()) {
    const px = await loadImage(job.image);
    const t0 = performance.now();
    const f = await features(model, px);
    times.push(performance.now() - t0);
    px.dispose();
    const row = { ...job, f: Array.from(f, (v) => Number(v.toPrecision(6))) };
    appendFileSync(file, `${JSON.stringify(row)}\n`);
    have.set(job.key, row);
    bar.tick(i + 1);
  }
  bar.done();
  if (!times.length) {
    // all cached: time a few photos anyway
    for (const job of jobs.slice(0, 5)) {
      const px = await loadImage(job.image);
      const t0 = performance.now();
      await features(model, px);
      times.push(performance.now() - t0);
      px.dispose();
    }
  }
  model.dispose();
  times.sort((a, b) => a - b);
  return { rows: jobs.map((j) => have.get(j.key)!), msPerPhoto: times[Math.floor(times.length / 2)] };
}

/** SRCC cells of a table row; a subset none of the photos belong to (a small sample) has none. */
const figureCells = (s: Record<string, number>) => ['pooled', 'ss01', 'ss02', 'ss03'].map((k) => s[k]?.toFixed(3) ?? '–').join(' | ');

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const sides = String(flags.sides ?? '320,384,512')
    .split(',')
    .map(Number);
  const every = flagNumber(flags, 'every', 3);
  const folds = flagNumber(flags, 'folds', 4);
  const lambda = flagNumber(flags, 'lambda', DEFAULT_LINEAR.lambda);
  const pooledShare = flagNumber(flags, 'pooled-share', DEFAULT_LINEAR.pooledShare);
  const cacheDir = resolve(String(flags.cache ?? '.cache'));
  await useNodeBackend('wasm');
  const jobs: Job[] = readSplit('train')
    .filter((_, i) => i % every === 0)
    .map((r) => ({ key: `train|${r.image}|clean`, split: 'train', image: r.image, subset: r.subset, mos: r.mos, aspect: null, strength: 0, seed: 0 }));
  console.log(`${jobs.length} train photos (every ${every}th), ${folds}-fold CV, ridge λ ${lambda}, pooled share ${pooledShare}`);
  console.log('| side | features ms/photo | SRCC pooled | ss01 | ss02 | ss03 |\n|---:|---:|---:|---:|---:|---:|');
  for (const side of sides) {
    const { rows, msPerPhoto } = await sideRows(side, jobs, cacheDir);
    const s = cvRidge(rows, folds, lambda, pooledShare);
    console.log(`| ${side} | ${Math.round(msPerPhoto)} | ${figureCells(s)} |`);
  }
  tf.disposeVariables();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
