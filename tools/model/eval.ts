import * as tf from '@tensorflow/tfjs';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadBundle } from '../../src/core/model/bundle';
import { predictRaw } from '../../src/core/model/predict';
import { toScore } from '../../src/core/model/calibration';
import type { AspectId } from '../../src/core/aspects';
import { valLabelsOrExit } from './labels';
import { orderReasons } from '../../src/core/explain/reasons';
import { judgedRow, labelledSidewaysAsStored, rowKind } from './aspect-head';
import { judgedBy, labelFigures, labelFiguresTable, type Judged } from './reason-figures';
import { planJobs, readSplit } from './dataset';
import { figures, figuresTable, type Prediction } from './figures';
import { jobPixels, loadImage } from './extract';
import { fileReader, writeJson } from './io';
import { useNodeBackend } from './node-backend';
import { flagNumber, parseArgs, progress } from '../lib/cli';

const HELP = `npm run eval -- [--model DIR] [--limit N] [--out FILE]

Runs the shipped model (public/model) end to end — decode, preprocessing, backbone, head — on
BIQ2021 val.csv and prints SRCC/PLCC of quality against human MOS, pooled and per subset
(ss01/ss02/ss03); per-aspect AUC on synthetic degradations (and quarter turns) of val photos
(which training never saw) against the untouched val photos; on the step-by-step labels of the
398 labelled val photos (../shared/data/labels), overall and per subset: per-aspect AUC with a
95 % bootstrap interval, and how the reasons the coach shows agree with the labels (the labels
judged the photos as their files store them: a photo an EXIF orientation turns is judged as
stored, and the ones labelled sideways are also shown upright, where sideways is a false alarm);
and the model's weight bytes. Writes JSON to
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
  const labels = valLabelsOrExit();
  await useNodeBackend('wasm');
  const bundle = await loadBundle(fileReader(dir));
  const jobs = planJobs().filter((j) => j.split === 'val');
  const clean = jobs.filter((j) => rowKind(j) === 'clean').slice(0, limit);
  const keep = new Set(clean.map((j) => j.image));
  // damaged and turned copies, and the photos as stored where their labels judged them so
  const damaged = jobs.filter((j) => rowKind(j) !== 'clean' && keep.has(j.image));
  const donors = await Promise.all(
    readSplit('val')
      .filter((_, i) => i % 97 === 5)
      .slice(0, 10)
      .map((r) => loadImage(r.image)),
  );
  const all = [...clean, ...damaged];
  const bar = progress('eval', all.length);
  const preds: Prediction[] = [];
  const judged: (Judged & { subset: string })[] = [];
  const shownUpright: boolean[] = [];
  const started = Date.now();
  for (const [i, job] of all.entries()) {
    const px = await jobPixels(job, donors);
    const raw = await predictRaw(bundle, px);
    if (!job.stored) preds.push({ subset: job.subset, mos: job.mos, aspect: job.turn ? 'sideways' : job.aspect, raw: Array.from(raw) });
    const label = labels.get(job.image);
    const judging = label && judgedRow(job);
    // labelled sideways as stored, and upright as shown (EXIF applied, as browsers show it)
    const upright = label && rowKind(job) === 'clean' && labelledSidewaysAsStored(label, job.image);
    if (label && (judging || upright)) {
      const [h, w] = px.shape;
      const score = toScore(raw, bundle.card, w, h);
      if (judging) judged.push({ subset: job.subset, ...judgedBy(label, score.aspects, score) });
      else shownUpright.push(orderReasons(score.aspects, score).some((r) => r.aspect === 'sideways'));
    }
    px.dispose();
    bar.tick(i + 1);
  }
  bar.done();
  const fig = figures(preds);
  const onLabels = labelFigures(judged, bundle.card.aspects as AspectId[]);
  const result = {
    model: dir,
    version: bundle.card.version,
    backend: tf.getBackend(),
    val: fig,
    valLabels: onLabels,
    sidewaysRaisedShownUpright: { photos: shownUpright.length, raised: shownUpright.filter(Boolean).length },
    weightBytes: weightBytes(dir),
    secondsPerPhoto: Math.round(((Date.now() - started) / 1000 / all.length) * 1000) / 1000,
  };
  console.log(figuresTable(`val.csv, shipped model ${bundle.card.version}`, fig));
  console.log(labelFiguresTable(onLabels, (bundle.card as { metrics?: { trainCvLabels?: { auc: Record<string, { auc: number; positives: number } | null> } } }).metrics?.trainCvLabels?.auc));
  const up = result.sidewaysRaisedShownUpright;
  console.log(`  photos labelled sideways as stored, shown upright (EXIF applied): sideways raised on ${up.raised} of ${up.photos}`);
  console.log(`  weights: ${JSON.stringify(result.weightBytes)}`);
  writeJson(resolve(String(flags.out ?? '.cache/eval.json')), result);
}

await main();
