import * as tf from '@tensorflow/tfjs';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBundle, predictRaw } from '../../src/core/model/pipeline';
import { planJobs, readSplit } from './dataset';
import { figures, figuresTable, type Prediction } from './evaluate';
import { jobPixels, loadImage } from './extract';
import { fileReader, writeJson } from './io';
import { useNodeBackend } from './node-backend';
import { flagNumber, parseArgs, progress } from '../lib/cli';

const HELP = `npm run eval -- [--model DIR] [--limit N] [--out FILE]

Runs the shipped model (public/model) end to end — decode, preprocessing, backbone, head — on
BIQ2021 val.csv and prints SRCC/PLCC of quality against human MOS, pooled and per subset
(ss01/ss02/ss03); then per-aspect AUC on synthetic degradations of val photos (which training
never saw) against the untouched val photos; and the model's weight bytes. Writes JSON to
--out (default .cache/eval.json). --limit N evaluates the first N val photos only (quick check).`;

function weightBytes(dir: string): Record<string, number> {
  const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8'));
  const out: Record<string, number> = {};
  for (const part of [card.backbone.path, card.head.path]) {
    const json = JSON.parse(readFileSync(join(dir, part, 'model.json'), 'utf8'));
    out[part] = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).reduce((n: number, p: string) => n + statSync(join(dir, part, p)).size, 0);
  }
  out.total = Object.values(out).reduce((a, b) => a + b, 0);
  return out;
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const dir = resolve(String(flags.model ?? 'public/model'));
  const limit = flagNumber(flags, 'limit', Infinity);
  await useNodeBackend('wasm');
  const bundle = await loadBundle(fileReader(dir));
  const jobs = planJobs().filter((j) => j.split === 'val');
  const clean = jobs.filter((j) => !j.aspect).slice(0, limit);
  const keep = new Set(clean.map((j) => j.image));
  const damaged = jobs.filter((j) => j.aspect && keep.has(j.image));
  const donors = await Promise.all(readSplit('val').filter((_, i) => i % 97 === 5).slice(0, 10).map((r) => loadImage(r.image)));
  const all = [...clean, ...damaged];
  const bar = progress('eval', all.length);
  const preds: Prediction[] = [];
  const started = Date.now();
  for (const [i, job] of all.entries()) {
    const px = await jobPixels(job, donors);
    preds.push({ subset: job.subset, mos: job.mos, aspect: job.aspect, raw: Array.from(await predictRaw(bundle, px)) });
    px.dispose();
    bar.tick(i + 1);
  }
  bar.done();
  const fig = figures(preds);
  const result = {
    model: dir,
    version: bundle.card.version,
    backend: tf.getBackend(),
    val: fig,
    weightBytes: weightBytes(dir),
    secondsPerPhoto: Math.round(((Date.now() - started) / 1000 / all.length) * 1000) / 1000,
  };
  console.log(figuresTable(`val.csv, shipped model ${bundle.card.version}`, fig));
  console.log(`  weights: ${JSON.stringify(result.weightBytes)}`);
  writeJson(resolve(String(flags.out ?? '.cache/eval.json')), result);
}

await main();
