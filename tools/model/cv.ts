import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { readFeatureRows, type FeatureRow } from './features-file';
import { choleskySolve, withinGroupsSystem } from './ridge';
import { DEFAULT_LINEAR, fitQualityColumn, fitRatingColumn } from './linear-head';
import { BACKBONE_FEATURES } from '../../src/core/model/features';
import { MEASURE_NAMES } from '../../src/core/measures/measures';
import { auc, spearman } from './metrics';
import { useNodeBackend } from './node-backend';
import { hash32 } from './rng';
import { parseArgs } from '../lib/cli';
import { writeFileSync } from 'node:fs';
import { ASPECTS, LABELLED_ASPECTS, type AspectId } from '../../src/core/aspects';
import { DEFAULT_ASPECT_FIT, judgedRow, lambdaOf, type AspectFitConfig } from './aspect-head';
import { cvAspectOutputsLambdas, cvFigures, linear, sidewaysEvidence } from './cv-labels';
import { isClean, labelTarget, trainLabelsOrExit, type Label } from './labels';
import { RAISE_RAMP, type RaiseRamp } from '../../src/core/explain/reasons';
import { fitStandardizer, standardized, standardizerRows } from './standardize';

// K-fold cross-validation of head settings on train.csv rows only (folds by photo), so that
// choices are never made by looking at val.csv.

const HELP = `npm run cv -- [--folds 4] [--configs '[{}, {"ridge":600,"pooledShare":0.8}, {"drop":["log_aspect"]}, …]']
Prints mean SRCC (pooled and per subset) over folds for each setting of the linear quality head:
"ridge" (λ; without it, the shipped ${DEFAULT_LINEAR.lambda} and pooled share ${DEFAULT_LINEAR.pooledShare}); "pooledShare" (default 1
when "ridge" is given) mixes the pooled error with the within-subset one (tools/model/ridge.ts
fitRidgeWithinGroups). "drop" lists measurements (MEASURE_NAMES) to leave out of the features, to
compare sets of measurements. The default is [{}]: the shipped head. The MLP head that ridge was
chosen over: tools/model/experiments/mlp-head.ts.

With --labels, each config is an aspect fit (tools/model/aspect-head.ts: "lambda", "synthWeight",
"crossSynth", "sideways": "own" | "tilt"; "lambdas": [..] sweeps λ from one Gram matrix; "calibrations":
[{"precision","maxShare"}, …] compares calibration rules) judged against the step-by-step labels of held-out
train photos: per-aspect AUC, the calibration chosen on held-out outputs, and the reason figures
npm run eval reports on val. --ramps '[{"by":"rating","from":3,"to":4,"extra":0.25}, …]' compares
bars for raising a reason that climb with the held-out rating (1–5) or score (0–100, "by":"score")
(src/core/explain/reasons.ts RAISE_RAMP, the default; extra 0: the plain 0.35). --json FILE
writes them.

With --rating [--rating-lambdas '[300, 1200, 4800]'], the rating column (the labels' overall,
linear-head.ts fitRatingColumn) per λ: how well its held-out output tells poor labelled photos
from clean ones, beside the quality column's.

With --quality-overall [--alphas '[0, 0.1]'], the quality head (shipped λ and pooled share) is
fitted with the labels' overall blended into MOS (all subsets, then ss02 only), judged by
held-out SRCC against MOS.`;

/** SRCC of predictions `q` against the rows' MOS, pooled and within each subset. */
export function srccBySubset(rows: FeatureRow[], q: number[]): Record<string, number> {
  const out: Record<string, number> = {
    pooled: spearman(
      q,
      rows.map((r) => r.mos!),
    ),
  };
  for (const s of [...new Set(rows.map((r) => r.subset))].sort()) {
    const idx = rows.map((r, i) => (r.subset === s ? i : -1)).filter((i) => i >= 0);
    out[s] = spearman(
      idx.map((i) => q[i]),
      idx.map((i) => rows[i].mos!),
    );
  }
  return out;
}

/**
 * The quality ridge's normal equations before λ (`withinGroupsSystem`) for standardized rows X
 * of `fit`, XᵀX on the tfjs backend (the JS loop takes minutes at 2,500 features).
 */
export function qualitySystem(X: Float32Array, F: number, fit: FeatureRow[], pooledShare: number) {
  const G = tf.tidy(() => {
    const t = tf.tensor2d(X, [fit.length, F]);
    return tf.matMul(tf.transpose(t), t); // a transposed operand is ≈10× slower on wasm
  });
  const system = withinGroupsSystem(
    X,
    F,
    fit.map((r) => r.mos!),
    fit.map((r) => r.subset),
    pooledShare,
    Float64Array.from(G.dataSync()),
  );
  G.dispose();
  return system;
}

/**
 * Mean held-out SRCC (pooled and per subset) over K folds by photo of the ridge quality head
 * (`fitRidgeWithinGroups`: partly within subsets), for several λ from one XᵀX per fold.
 * `fitTarget` replaces MOS as what is fitted (held-out SRCC is always against MOS).
 */
export function cvLambdas(rows: FeatureRow[], folds: number, lambdas: number[], pooledShare = 1, fitTarget: (r: FeatureRow) => number = (r) => r.mos!): Record<string, number>[] {
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  const sums = lambdas.map(() => ({}) as Record<string, number>);
  for (let k = 0; k < folds; k++) {
    const fit = rows.filter((r) => fold(r) !== k && r.mos !== null);
    const held = rows.filter((r) => fold(r) === k && r.mos !== null);
    // the shipped head's standardizer: the turned copies came later and leave it as it was
    const st = fitStandardizer(standardizerRows(rows.filter((r) => fold(r) !== k)));
    const F = st.mean.length;
    const X = standardized(fit, st);
    for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
    const {
      A: A0,
      rhs,
      b: mean,
    } = qualitySystem(
      X,
      F,
      fit.map((r) => ({ ...r, mos: fitTarget(r) })),
      pooledShare,
    );
    const Xh = standardized(held, st);
    lambdas.forEach((lambda, li) => {
      const A = A0.slice();
      for (let i = 0; i < F; i++) A[i * F + i] += lambda;
      const w = choleskySolve(A, rhs, F);
      const q = held.map((_, i) => linear({ w, b: mean }, Xh, i, F));
      for (const [s, v] of Object.entries(srccBySubset(held, q))) sums[li][s] = (sums[li][s] ?? 0) + v / folds;
    });
  }
  return sums;
}

/** `cvLambdas` for one λ. */
export function cvRidge(rows: FeatureRow[], folds: number, lambda: number, pooledShare = 1): Record<string, number> {
  return cvLambdas(rows, folds, [lambda], pooledShare)[0];
}

/** The rows without the named measurements' columns. */
export function withoutMeasures(rows: FeatureRow[], names: string[]): FeatureRow[] {
  const unknown = names.filter((n) => !(MEASURE_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown measurements: ${unknown.join(', ')}`);
  if (!names.length) return rows;
  const gone = new Set(names.map((n) => BACKBONE_FEATURES + (MEASURE_NAMES as readonly string[]).indexOf(n)));
  return rows.map((r) => ({ ...r, f: r.f.filter((_, j) => !gone.has(j)) }));
}

interface QualityConfig {
  ridge?: number;
  pooledShare?: number;
  drop?: string[];
}

const QUALITY_KEYS = ['ridge', 'pooledShare', 'drop'];

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help', 'labels', 'quality-overall', 'rating']);
  if (flags.help) return console.log(HELP);
  const quality = !flags.labels && !flags['quality-overall'] && !flags.rating;
  const configs: QualityConfig[] = quality && flags.configs ? JSON.parse(String(flags.configs)) : [{}];
  // a setting cv does not know would be ignored, and its line would show another head's figures under its name
  const unknown = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter((k) => !QUALITY_KEYS.includes(k));
  if (unknown.length) throw new Error(`unknown config keys ${unknown.join(', ')} (cv takes ${QUALITY_KEYS.join(', ')}; MLP head settings: tools/model/experiments/mlp-head.ts)`);
  await useNodeBackend('wasm');
  const folds = Number(flags.folds ?? 4);
  const allRows = readFeatureRows(join(resolve(String(flags.cache ?? '.cache')), 'features')).filter((r) => r.split === 'train');
  if (flags.rating) return cvRating(allRows, folds, JSON.parse(String(flags['rating-lambdas'] ?? '[300, 1200, 4800]')));
  if (flags['quality-overall']) return cvQualityOverall(allRows, folds, JSON.parse(String(flags.alphas ?? '[0, 0.05, 0.1, 0.2]')));
  if (flags.labels)
    return cvLabelled(
      allRows,
      folds,
      flags.configs ? JSON.parse(String(flags.configs)) : [{}],
      flags.ramps ? JSON.parse(String(flags.ramps)) : [RAISE_RAMP],
      flags.json ? String(flags.json) : undefined,
    );
  console.log(`${allRows.filter((r) => r.mos !== null).length} rated train rows, ${allRows.filter((r) => r.aspect).length} damaged, ${folds} folds`);
  for (const c of configs) {
    const rows = withoutMeasures(allRows, c.drop ?? []);
    const pooledShare = c.pooledShare ?? (c.ridge === undefined ? DEFAULT_LINEAR.pooledShare : 1);
    const sums = cvRidge(rows, folds, c.ridge ?? DEFAULT_LINEAR.lambda, pooledShare);
    console.log(
      JSON.stringify(c),
      Object.entries(sums)
        .map(([s, v]) => `${s} ${v.toFixed(3)}`)
        .join('  '),
    );
  }
}

/**
 * Does the labels' overall (1–5) help the quality head? Per fold, the fit target of a labelled
 * rated photo becomes MOS + α·(overall − its subset's mean overall)/4, on all subsets or on ss02
 * only; held-out SRCC is always against MOS.
 */
function cvQualityOverall(rows: FeatureRow[], folds: number, alphas: number[]) {
  const labels = trainLabelsOrExit(rows);
  const rated = rows.filter((r) => r.mos !== null);
  const meanOverall = new Map<string, number>();
  for (const s of new Set(rated.map((r) => r.subset))) {
    const ls = rated.filter((r) => r.subset === s && labels.has(r.image)).map((r) => labels.get(r.image)!.overall);
    meanOverall.set(s, ls.reduce((a, b) => a + b, 0) / Math.max(1, ls.length));
  }
  for (const only of [null, 'ss02']) {
    for (const alpha of alphas) {
      const target = (r: FeatureRow) => {
        const l = labels.get(r.image);
        if (!l || (only && r.subset !== only)) return r.mos!;
        return r.mos! + (alpha * (l.overall - meanOverall.get(r.subset)!)) / 4;
      };
      const [sums] = cvLambdas(rows, folds, [DEFAULT_LINEAR.lambda], DEFAULT_LINEAR.pooledShare, target);
      console.log(
        `overall as a second target, α ${alpha}${only ? ` (${only} only)` : ''}: ${Object.entries(sums)
          .map(([g, v]) => `${g} ${v.toFixed(3)}`)
          .join('  ')}`,
      );
    }
  }
}

/**
 * How well the rating column (linear-head.ts fitRatingColumn) tells held-out poor photos
 * (label overall ≤ 2) from clean ones (labels.ts isClean), per λ, beside the quality column
 * fitted on the same folds: the bar for reasons reads whichever tells them apart better.
 */
function cvRating(rows: FeatureRow[], folds: number, lambdas: number[]) {
  const labels = trainLabelsOrExit(rows);
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  const held: { label: Label; quality: number; rating: number[] }[] = [];
  for (let k = 0; k < folds; k++) {
    const fit = rows.filter((r) => fold(r) !== k);
    const st = fitStandardizer(standardizerRows(fit));
    const F = st.mean.length;
    const quality = fitQualityColumn(fit, st);
    const ratings = lambdas.map((l) => fitRatingColumn(fit, labels, st, l));
    const out = rows.filter((r) => fold(r) === k && judgedRow(r) && labels.has(r.image));
    const X = standardized(out, st);
    out.forEach((r, i) => held.push({ label: labels.get(r.image)!, quality: linear(quality, X, i, F), rating: ratings.map((c) => linear(c, X, i, F)) }));
  }
  const poorVsClean = (v: (h: (typeof held)[number]) => number) => auc(held.filter((h) => isClean(h.label)).map(v), held.filter((h) => h.label.overall <= 2).map(v));
  const overall = held.map((h) => h.label.overall);
  console.log(`${held.length} held-out labelled photos, ${folds} folds; AUC: clean above poor`);
  const line = (name: string, v: (h: (typeof held)[number]) => number) =>
    console.log(`${name}: AUC ${poorVsClean(v).toFixed(3)}, SRCC with the labels' overall ${spearman(held.map(v), overall).toFixed(3)}`);
  line('quality column', (h) => h.quality);
  lambdas.forEach((l, j) => line(`rating column, λ ${l}`, (h) => h.rating[j]));
}

function cvLabelled(
  rows: FeatureRow[],
  folds: number,
  configs: (Partial<AspectFitConfig> & { calibrations?: { precision: number; maxShare: number; joint?: number }[]; lambdas?: number[] })[],
  ramps: RaiseRamp[],
  json?: string,
) {
  const labels = trainLabelsOrExit(rows);
  const results = [];
  for (const c of configs) {
    const cfg = { ...DEFAULT_ASPECT_FIT, ...c };
    const aspects: readonly AspectId[] = cfg.sideways === 'own' ? ASPECTS : LABELLED_ASPECTS;
    const lambdas = c.lambdas ?? [lambdaOf(cfg, aspects[0])];
    const helds = cvAspectOutputsLambdas(rows, labels, folds, cfg, aspects, (a) => (c.lambdas ? c.lambdas : [lambdaOf(cfg, a)]));
    for (const [li, held] of helds.entries()) {
      if (c.lambdas) cfg.lambda = lambdas[li];
      const calOpts = c.calibrations ?? [cfg];
      for (const opts of calOpts.flatMap((o) => ramps.map((ramp) => ({ ...o, ramp })))) {
        const fig = cvFigures(held, aspects, labelTarget, opts);
        const evidence = sidewaysEvidence(held, aspects.indexOf(cfg.sideways === 'own' ? 'sideways' : 'tilt'));
        console.log(JSON.stringify({ ...cfg, ...opts }));
        console.log(
          `  AUC (held-out labels): ${Object.entries(fig.auc)
            .map(([a, v]) => `${a} ${v?.auc.toFixed(3)} (${v?.positives})`)
            .join(', ')}`,
        );
        console.log(
          `  flagged at 0.35 coach/labels/precision: ${aspects.map((a, k) => `${a} ${fig.cals[k].flaggedShare.toFixed(3)}/${fig.cals[k].labelledShare.toFixed(3)}/${fig.cals[k].precision.toFixed(2)}`).join(', ')}`,
        );
        console.log(`  reasons: ${JSON.stringify({ ...fig.reasons, flags: undefined, cleanFlaggedBy: undefined })}`);
        console.log(`  clean photos flagged by: ${JSON.stringify(fig.reasons.cleanFlaggedBy)}`);
        console.log(`  sideways evidence: ${JSON.stringify(evidence)}`);
        results.push({ config: { ...cfg, ...opts }, ...fig, sidewaysEvidence: evidence });
      }
    }
  }
  if (json) writeFileSync(json, JSON.stringify(results, null, 1));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
