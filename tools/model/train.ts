import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { ASPECTS } from '../../src/core/aspects';
import type { ModelCard } from '../../src/core/model/bundle';
import { BACKBONE_OUTPUTS } from '../../src/core/model/features';
import { DECODE_MAX_SIDE, DETAIL_SIDE, GLOBAL_SIDE, OVERVIEW_SIDE, WORK_MAX_SIDE } from '../../src/core/image/views';
import { BACKBONE_LICENCE, BACKBONE_PACKAGE, loadPrunedBackbone } from './backbone-source';
import { updateCardFiles } from './card-files';
import { writeLocator } from './locator';
import { PLAN } from './dataset';
import { figures, figuresTable, type Prediction } from './figures';
import { readFeatureRows } from './features-file';
import { refreshMeasures } from './refresh-measures';
import { cvUpsideDown, DEFAULT_LINEAR, extraColumn, fitLinearHead, HIDDEN_LAYER, linearLayersModel, predictLinear, uprightPartners, type LinearHead } from './linear-head';
import { layersArtifacts, writeJson, writeModelDir } from './io';
import { useNodeBackend } from './node-backend';
import { flagNumber, parseArgs } from '../lib/cli';
import { MEASURE_NAMES } from '../../src/core/measures/measures';
import { DEFAULT_ASPECT_FIT, judgedRow } from './aspect-head';
import { cvAspectOutputs, cvFigures, DEFAULT_JOINT, overallScale } from './cv-labels';
import { overallOf } from '../../src/core/model/calibration';
import { MAX_REASONS, RAISE_AT, RAISE_RAMP } from '../../src/core/explain/reasons';
import { labelTarget, trainLabelsOrExit, valLabelsOrExit } from './labels';
import { judgedBy, labelFigures, labelFiguresTable } from './reason-figures';
import { TORCH_PYTHON, torchMissing } from '../torch/python';
import type { AspectId } from '../../src/core/aspects';
import type { FeatureRow } from './features-file';
import type { Label } from './labels';
import { fitSidewaysPenalty, SIDEWAYS_PENALTY_RAMP } from './sideways-penalty';

const HELP = `npm run train -- [options]

Reproduces public/model/ from ../shared/data: extracts backbone features for every BIQ2021
train/val photo and their synthetic degradations (resumable, cached in .cache/features), trains
the head on train.csv rows only, reports figures on val.csv, and writes the quantized model.

  --out DIR        model folder to write (default public/model)
  --cache DIR      cache folder (default .cache)
  --workers N      extraction processes (default: number of cores)
  --lambda X       ridge penalty of the quality output (default ${DEFAULT_LINEAR.lambda})
  --pooled-share X share of the pooled error in the quality fit, the rest within subsets
                   (default ${DEFAULT_LINEAR.pooledShare}; 1 = plain ridge)
  --no-write       train and report only
  --no-extract     use the cached features as they are (no extraction step)
  --refresh-measures
                   recompute only the measurements of every cached row, keeping the backbone's
                   values (minutes, resumable; the rows must match the backbone's input size),
                   then train as with --no-extract
  --backbone DIR   take the backbone from a graph model folder (a fine-tune's best/) instead of
                   the package; give it its own --cache, since cached features belong to one backbone
  --finetune [trainer options]
                   fine-tune the backbone in torch instead (tools/torch/finetune.py; its options
                   follow, e.g. --run NAME --epochs 3; hours), then build the model from it with
                   --backbone <cache>/torch/runs/NAME/best
  --help`;

function runExtraction(workers: number, cache: string, backbone?: string, plan?: 'upside-down'): Promise<void> {
  const out = join(cache, plan === 'upside-down' ? 'features-upside-down' : 'features');
  const script = join(import.meta.dirname, 'extract.ts');
  const runs = Array.from(
    { length: workers },
    (_, part) =>
      new Promise<void>((ok, fail) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            script,
            '--part',
            String(part),
            '--parts',
            String(workers),
            '--cache',
            cache,
            '--out',
            out,
            ...(backbone ? ['--backbone', backbone] : []),
            ...(plan ? ['--plan', plan] : []),
          ],
          {
            stdio: ['ignore', 'inherit', 'inherit'],
          },
        );
        child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`feature extraction part ${part} exited with ${code}`))));
      }),
  );
  return Promise.all(runs).then(() => undefined);
}

/** Runs a command to its end, its output on ours; a non-zero exit is an error naming it. */
function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} ${args[0]} exited with ${code}`))));
  });
}

/** `--finetune`: the torch trainer on inputs decoded by the product's views (cached once). */
async function finetune(args: string[]): Promise<void> {
  const missing = torchMissing();
  if (missing) {
    console.error(`npm run train -- --finetune needs torch: ${missing}`);
    process.exit(2);
  }
  const { flags } = parseArgs(args, ['help']);
  const cache = String(flags.cache ?? '.cache');
  if (!flags.help) await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../torch/views.ts'), '--cache', cache]);
  await run(TORCH_PYTHON, [join(import.meta.dirname, '../torch/finetune.py'), ...args]);
}

/** Pairs where the upside-down output scores a photo's half-turned copy above the photo. */
function upsideDownPairs(head: LinearHead, rows: FeatureRow[], turned: FeatureRow[]): { pairs: number; accuracy: number } {
  const k = extraColumn(head, 'upside_down');
  const up = predictLinear(head, uprightPartners(rows, turned));
  const down = predictLinear(head, turned);
  return { pairs: turned.length, accuracy: turned.filter((_, i) => down[i][k] > up[i][k]).length / Math.max(1, turned.length) };
}

export const BAND_MOS = { great: 0.65, ok: 0.4 };
const CALIBRATION_FOLDS = 4;

/** The val labels' figures from cached feature rows, as the coach would judge the photos. */
function valLabelFigures(head: LinearHead, val: FeatureRow[], scale: { lo: number; hi: number }) {
  const labels = valLabelsOrExit();
  const rows = val.filter((r) => judgedRow(r) && labels.has(r.image));
  const raw = predictLinear(head, rows);
  const ratingAt = extraColumn(head, 'rating');
  const judged = rows.map((r, i) => {
    const sev = Object.fromEntries(ASPECTS.map((a, k) => [a, Math.min(1, Math.max(0, raw[i][k + 1]))])) as Record<AspectId, number>;
    const rating = ratingAt >= 0 ? raw[i][ratingAt] : undefined;
    return { subset: r.subset, ...judgedBy(labels.get(r.image)!, sev, { overall: overallOf(raw[i][0], scale), rating }, RAISE_RAMP) };
  });
  return labelFigures(judged, ASPECTS);
}

/** The sideways penalty from the labelled train photos, each as its label judged it, scored by the fitted head. */
function sidewaysPenaltyOnTrain(head: LinearHead, train: FeatureRow[], labels: Map<string, Label>, scale: { lo: number; hi: number }) {
  const rows = train.filter((r) => judgedRow(r) && labels.has(r.image));
  const raw = predictLinear(head, rows);
  return fitSidewaysPenalty(rows.map((r, i) => ({ score: overallOf(raw[i][0], scale), overall: labels.get(r.image)!.overall, sideways: labelTarget(labels.get(r.image)!, 'sideways') === 1 })));
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--finetune')) return finetune(argv.filter((a) => a !== '--finetune'));
  const { flags } = parseArgs(argv, ['help', 'no-write', 'no-extract', 'refresh-measures']);
  if (flags.help) return console.log(HELP);
  const backbone = flags.backbone ? resolve(String(flags.backbone)) : undefined;
  const started = Date.now();
  const cache = resolve(String(flags.cache ?? '.cache'));
  const out = resolve(String(flags.out ?? 'public/model'));
  const cfg = {
    ...DEFAULT_LINEAR,
    lambda: flagNumber(flags, 'lambda', DEFAULT_LINEAR.lambda),
    pooledShare: flagNumber(flags, 'pooled-share', DEFAULT_LINEAR.pooledShare),
  };
  // the half-turned copies have their own folder (dataset.ts UPSIDE_DOWN_PLAN): refreshed with
  // the rest, and extracted even with --no-extract or --refresh-measures where a cache from
  // before them lacks them
  const upsideDownDir = join(cache, 'features-upside-down');
  const hadUpsideDown = existsSync(upsideDownDir);
  if (flags['refresh-measures']) {
    await refreshMeasures(join(cache, 'features'));
    if (hadUpsideDown) await refreshMeasures(upsideDownDir);
  } else if (!flags['no-extract']) await runExtraction(flagNumber(flags, 'workers', cpus().length), cache, backbone);
  if (!flags['no-extract'] || !hadUpsideDown) await runExtraction(flagNumber(flags, 'workers', cpus().length), cache, backbone, 'upside-down');
  await useNodeBackend('wasm');

  const rows = readFeatureRows(join(cache, 'features'));
  const train = rows.filter((r) => r.split === 'train');
  const val = rows.filter((r) => r.split === 'val');
  process.stderr.write(`fitting the head on ${train.length} train rows (${train.filter((r) => r.mos !== null).length} rated)…\n`);
  const labels = trainLabelsOrExit(train);
  const aspectFit = DEFAULT_ASPECT_FIT;
  process.stderr.write(`calibrating the aspects by ${CALIBRATION_FOLDS}-fold CV on train photos…\n`);
  const held = cvAspectOutputs(train, labels, CALIBRATION_FOLDS, aspectFit, ASPECTS);
  // thresholds chosen together so that 95 % of poor train photos get a reason (cv-labels.ts)
  // (and with the bar for reasons climbing with the score, src/core/explain/reasons.ts)
  const cv = cvFigures(held, ASPECTS, labelTarget, { ...aspectFit, joint: DEFAULT_JOINT.poorWithReason, ramp: RAISE_RAMP });
  const halfTurned = readFeatureRows(upsideDownDir);
  const halfTurnedTrain = halfTurned.filter((r) => r.split === 'train');
  const upsideDownCv = cvUpsideDown(train, halfTurnedTrain, CALIBRATION_FOLDS);
  const fitted = fitLinearHead(train, cfg, { labels, fit: aspectFit, calibrations: cv.cals }, halfTurnedTrain);
  const upsideDownVal = upsideDownPairs(
    fitted,
    val,
    halfTurned.filter((r) => r.split === 'val'),
  );
  console.log(
    `upside down: ${(upsideDownCv.accuracy * 100).toFixed(1)} % of ${upsideDownCv.pairs} train pairs by ${CALIBRATION_FOLDS}-fold CV, ${(upsideDownVal.accuracy * 100).toFixed(1)} % of ${upsideDownVal.pairs} val pairs: the half-turned copy scores higher than its photo`,
  );
  const asPred = (rs: typeof rows) => predictLinear(fitted, rs).map((raw, i): Prediction => ({ subset: rs[i].subset, mos: rs[i].mos, aspect: rs[i].turn ? 'sideways' : rs[i].aspect, raw }));
  const trainFig = figures(asPred(train));
  const scale = overallScale(train);
  const sideways = sidewaysPenaltyOnTrain(fitted, train, labels, scale);
  console.log(
    `sideways penalty: ${sideways.penalty.sideways.points} points (${sideways.sidewaysPhotos} train photos labelled sideways, each against the upright photos its label rates the same: ${sideways.uprightPhotos})`,
  );
  const valLabels = valLabelFigures(fitted, val, scale);
  const valFig = figures(asPred(val));
  console.log(figuresTable('train.csv (fit)', trainFig));
  console.log(figuresTable('val.csv', valFig));
  console.log(labelFiguresTable(valLabels, cv.auc));

  const head = linearLayersModel(fitted);
  const { lo, hi } = scale;
  const toOverall = (m: number) => Math.round(((m - lo) / (hi - lo)) * 100);
  const report = {
    trainedOn: { rows: train.length, rated: train.filter((r) => r.mos !== null).length },
    config: cfg,
    plan: PLAN,
    aspectFit,
    aspectCv: { folds: CALIBRATION_FOLDS, calibrations: Object.fromEntries(ASPECTS.map((a, k) => [a, cv.cals[k]])), auc: cv.auc, reasons: cv.reasons },
    train: trainFig,
    val: valFig,
    valLabels,
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  writeJson(join(cache, 'train-report.json'), report);
  if (flags['no-write']) return;

  // Backbone: the package's float16 weights re-encoded as float16 — bit-identical to what
  // training saw (a fine-tuned backbone's weights are float16-exact already, tfgraph.py). Head:
  // float32 — its folded standardization cancels large terms that float16 would round (npm run
  // quantize measures both); the aspects' hidden layer, where there is one, float16: its bias is
  // computed from the rounded kernel, so nothing cancels there (linear-head.ts linearLayersModel).
  const bb = loadPrunedBackbone(cache, BACKBONE_OUTPUTS, GLOBAL_SIDE, backbone);
  const backboneBytes = writeModelDir(join(out, 'backbone'), { format: bb.format, generatedBy: bb.generatedBy, convertedBy: bb.convertedBy, modelTopology: bb.topology }, bb.weights, (n) =>
    n ? 'float16' : 'float32',
  );
  const art = layersArtifacts(head);
  const headBytes = writeModelDir(join(out, 'head'), art.json, art.weights, (n) => (n === `${HIDDEN_LAYER}/kernel` ? 'float16' : 'float32'));
  const F = fitted.standardizer.mean.length;
  const range = { min: Array.from({ length: F }, (_, j) => Math.min(...train.map((r) => r.f[j]))), max: Array.from({ length: F }, (_, j) => Math.max(...train.map((r) => r.f[j]))) };
  writeFileSync(join(out, 'head', 'feature-range.json'), JSON.stringify(range));
  const card: ModelCard = {
    version: `1.0.0-${new Date().toISOString().slice(0, 10)}`,
    aspects: [...ASPECTS],
    bands: { great: toOverall(BAND_MOS.great), ok: toOverall(BAND_MOS.ok) },
    calibration: { lo, hi },
    penalty: sideways.penalty,
    backbone: { path: 'backbone', input: [GLOBAL_SIDE, GLOBAL_SIDE], outputs: BACKBONE_OUTPUTS },
    head: { path: 'head', features: F, range: 'feature-range.json', extra: fitted.extra },
    input: {
      pixels: `decoded RGB, upright (EXIF orientation applied), 0–255, long side ≤ ${DECODE_MAX_SIDE}`,
      preprocessing: `brought to the work size, the largest scale n/8 whose long side is ≤ ${WORK_MAX_SIDE} (JPEG: the decoder's DCT scaling, or the same operator on a full decode; other formats: box prefilter + bilinear); whole photo squeezed to ${GLOBAL_SIDE}×${GLOBAL_SIDE} for the backbone (raw 0–255), measured there for colour cast and halved to ${OVERVIEW_SIDE}² for exposure, colour, tilt and clutter; centre crop ≤${DETAIL_SIDE}² of the work-size photo for sharpness/noise/blocking`,
      measurements: MEASURE_NAMES,
    },
    outputs: {
      overall: `0–100: head quality q mapped linearly, (q − ${lo}) / (${hi} − ${lo}) · 100, clamped; q estimates BIQ2021 MOS (0–1); less ${sideways.penalty.sideways.points} points for a photo lying on its side (sideways ${SIDEWAYS_PENALTY_RAMP.to} and above, linear from ${SIDEWAYS_PENALTY_RAMP.from}): people rated the photos upright, and the labels put a sideways photo that much below upright ones they rate the same (tools/model/sideways-penalty.ts)`,
      band: `great ≥ ${toOverall(BAND_MOS.great)} (MOS ${BAND_MOS.great}), ok ≥ ${toOverall(BAND_MOS.ok)} (MOS ${BAND_MOS.ok}), else needs_work`,
      upside_down:
        "an output after the aspects' (head.extra): how upside down the photo looks, 0–1 (linear, clamped), fitted on 1,200 half-turned train photos beside their upright originals; not a reason shown to sellers, it picks which of a sideways photo's two quarter turns is upright",
      rating:
        "an output after the aspects' (head.extra): the overall 1–5 a careful reviewer would give the photo, as the step-by-step labels do (ridge on the labelled train photos, clamped to 1–5); not shown to sellers, it sets how sure the coach must be to raise a borderline reason",
      aspects: `severity 0–1 per aspect (linear, clamped) on the scale of the labels (0.35: a buyer would notice, 0.6: a buyer would be put off), fitted to step-by-step vision-LLM labels of real train photos with synthetic degradations and quarter-turned copies as extra rows${aspectFit.mlp ? ` (${aspectFit.mlp.aspects.join(', ')}: ${aspectFit.mlp.share * 100} % from a hidden layer of ${aspectFit.mlp.hidden} fitted to the labels alone, the rest ridge)` : ''}; calibrated per aspect by 4-fold CV on train photos so that at 0.35 the share flagged is 0.75–1.25 of the labels' share`,
      reasons: `an aspect is raised as a reason at severity ${RAISE_AT} on a photo whose ${RAISE_RAMP.by} is up to ${RAISE_RAMP.from}, the bar climbing linearly to ${RAISE_AT + RAISE_RAMP.extra} at ${RAISE_RAMP.to} and above (src/core/explain/reasons.ts RAISE_RAMP, chosen by 4-fold CV on labelled train photos, with the thresholds chosen together under it); most severe first, at most ${MAX_REASONS}`,
    },
    weights: {
      backboneBytes,
      headBytes,
      totalBytes: backboneBytes + headBytes,
      encoding: `backbone float16 (as published), head float32${fitted.hidden ? ` (the hidden layer's kernel float16)` : ''}; npm run quantize measures uint8`,
    },
    data: {
      quality:
        'BIQ2021 (N. Ahmed et al., J. Electronic Imaging 31(5) 053010, 2022), repository nisarahmedrana/BIQ2021 @ 62c7b40; train.csv only for fitting; val.csv for figures; official test split not used. No licence stated by the repository (the Unsplash subset may be used commercially per its README): research data.',
      aspects:
        'step-by-step vision-LLM labels (../shared/data/labels/biq2021-llm.jsonl: Claude (Anthropic) following tools/label/prompt.v1.md, blind to file name, subset and opinion score; 3,276 train and 398 val BIQ2021 photos, a severity per aspect, the main defect, a rationale per flagged aspect, an overall 1–5; calibration.jsonl: 8 photos labelled by every run, their mean used) — train rows only for fitting, val rows for figures; the labels judged the pixels as each file stores them, so for the 251 photos an EXIF orientation turns (most labelled sideways) they are fitted to and judged on the photo as stored, and the photo shown upright keeps the aspects a quarter turn leaves alone (tools/model/aspect-head.ts); plus synthetic degradations (blur, noise, under/over-exposure, low resolution, tilt, framing, clutter, colour cast) and quarter turns of train.csv photos, made reproducibly by tools/model/degrade.ts and dataset.ts',
    },
    licences: {
      backbone: `${BACKBONE_PACKAGE}: ${BACKBONE_LICENCE}${backbone ? '; fine-tuned on BIQ2021 train.csv by tools/torch/finetune.py' : ''}`,
      data: 'BIQ2021: research data, no licence stated',
    },
    metrics: {
      command: 'npm run train (offline, cached features) / npm run eval (end to end on the shipped files)',
      val: valFig,
      valLabels: {
        note: 'the 398 labelled val photos, each as its label judged it (as its file stores it): AUC of each severity against the label flagging it (≥ 0.35; sideways: the label says the photo is turned), with a 95 % bootstrap interval; reasons as the coach orders them',
        ...valLabels,
      },
      trainCvLabels: { note: '4-fold CV on labelled train photos, held-out outputs; the calibration was chosen on these', auc: cv.auc, reasons: cv.reasons },
      upsideDown: {
        note: 'share of photos whose half-turned copy the upside_down output scores higher than the photo itself (which of a sideways photo’s two turns is upright)',
        trainCv: upsideDownCv,
        val: upsideDownVal,
      },
    },
  };
  // the item locator's heads were trained on the published backbone: a fine-tuned one ships without them (a crop then starts in the middle)
  if (backbone) {
    rmSync(join(out, 'locator'), { recursive: true, force: true });
    console.log('no item locator: its heads belong to the published backbone, not a fine-tuned one');
  }
  writeJson(join(out, 'model-card.json'), { ...card, locator: backbone ? undefined : writeLocator(out, cache) });
  await updateCardFiles(out);
  console.log(`wrote ${out}: backbone ${backboneBytes} B, head ${headBytes} B; ${report.wallSeconds}s`);
}

await main();
