import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { readFeatureRows, type FeatureRow } from './features-file';
import { DEFAULT_HEAD, fitStandardizer, predictRows, standardized, trainHead, type HeadConfig } from './head';
import { choleskySolve, withinGroupsSystem } from './ridge';
import { DEFAULT_LINEAR, fitLinearHead, predictLinear, type LinearHeadConfig } from './linear-head';
import { figures } from './evaluate';
import { BACKBONE_FEATURES } from '../../src/core/model/pipeline';
import { MEASURE_NAMES } from '../../src/core/model/measures';
import { spearman } from './metrics';
import { useNodeBackend } from './node-backend';
import { hash32 } from './rng';
import { parseArgs } from '../lib/cli';

// K-fold cross-validation of head settings on train.csv rows only (folds by photo), so that
// choices are never made by looking at val.csv.

const HELP = `npm run cv -- [--folds 4] [--configs '[{"hidden":64}, {"ridge":600,"pooledShare":0.8}, …]']
Prints mean SRCC (pooled and per subset) over folds for each head setting. A config with
"ridge" (λ) fits the linear quality head; "pooledShare" (default 1) mixes the pooled error with
the within-subset one (tools/model/ridge.ts fitRidgeWithinGroups). A config with "aspectLambda"
and/or "positiveWeight" fits the shipped linear head (other settings as shipped) and prints
held-out aspect AUC instead (damaged copies of held-out photos vs untouched ones). "drop" lists
measurements (MEASURE_NAMES) to leave out of the features, to compare sets of measurements.`;

/** SRCC of predictions `q` against the rows' MOS, pooled and within each subset. */
export function srccBySubset(rows: FeatureRow[], q: number[]): Record<string, number> {
  const out: Record<string, number> = { pooled: spearman(q, rows.map((r) => r.mos!)) };
  for (const s of [...new Set(rows.map((r) => r.subset))].sort()) {
    const idx = rows.map((r, i) => (r.subset === s ? i : -1)).filter((i) => i >= 0);
    out[s] = spearman(idx.map((i) => q[i]), idx.map((i) => rows[i].mos!));
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
  const system = withinGroupsSystem(X, F, fit.map((r) => r.mos!), fit.map((r) => r.subset), pooledShare, Float64Array.from(G.dataSync()));
  G.dispose();
  return system;
}

/**
 * Mean held-out SRCC (pooled and per subset) over K folds by photo of the ridge quality head
 * (`fitRidgeWithinGroups`: partly within subsets), for several λ from one XᵀX per fold.
 */
export function cvLambdas(rows: FeatureRow[], folds: number, lambdas: number[], pooledShare = 1): Record<string, number>[] {
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  const sums = lambdas.map(() => ({}) as Record<string, number>);
  for (let k = 0; k < folds; k++) {
    const fit = rows.filter((r) => fold(r) !== k && r.mos !== null);
    const held = rows.filter((r) => fold(r) === k && r.mos !== null);
    const st = fitStandardizer(rows.filter((r) => fold(r) !== k));
    const F = st.mean.length;
    const X = standardized(fit, st);
    for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
    const { A: A0, rhs, b: mean } = qualitySystem(X, F, fit, pooledShare);
    const Xh = standardized(held, st);
    lambdas.forEach((lambda, li) => {
      const A = A0.slice();
      for (let i = 0; i < F; i++) A[i * F + i] += lambda;
      const w = choleskySolve(A, rhs, F);
      const q = held.map((_, i) => {
        let v = mean;
        for (let j = 0; j < F; j++) if (Number.isFinite(Xh[i * F + j])) v += w[j] * Xh[i * F + j];
        return v;
      });
      for (const [s, v] of Object.entries(srccBySubset(held, q))) sums[li][s] = (sums[li][s] ?? 0) + v / folds;
    });
  }
  return sums;
}

/** `cvLambdas` for one λ. */
export function cvRidge(rows: FeatureRow[], folds: number, lambda: number, pooledShare = 1): Record<string, number> {
  return cvLambdas(rows, folds, [lambda], pooledShare)[0];
}

/** Mean held-out aspect AUC (damaged copies vs untouched photos) over K folds by photo, of the linear head. */
export function cvAspects(rows: FeatureRow[], folds: number, cfg: LinearHeadConfig): Record<string, number> {
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  const sums: Record<string, number> = {};
  for (let k = 0; k < folds; k++) {
    const head = fitLinearHead(rows.filter((r) => fold(r) !== k), cfg);
    const held = rows.filter((r) => fold(r) === k);
    const raw = predictLinear(head, held);
    const fig = figures(held.map((r, i) => ({ subset: r.subset, mos: r.mos, aspect: r.aspect, raw: raw[i] })));
    for (const [a, v] of Object.entries(fig.aspectAuc)) sums[a] = (sums[a] ?? 0) + v / folds;
  }
  return sums;
}

/** The rows without the named measurements' columns. */
function withoutMeasures(rows: FeatureRow[], names: string[]): FeatureRow[] {
  const unknown = names.filter((n) => !(MEASURE_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown measurements: ${unknown.join(', ')}`);
  if (!names.length) return rows;
  const gone = new Set(names.map((n) => BACKBONE_FEATURES + (MEASURE_NAMES as readonly string[]).indexOf(n)));
  return rows.map((r) => ({ ...r, f: r.f.filter((_, j) => !gone.has(j)) }));
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  await useNodeBackend('wasm');
  const folds = Number(flags.folds ?? 4);
  const allRows = readFeatureRows(join(resolve(String(flags.cache ?? '.cache')), 'features')).filter((r) => r.split === 'train');
  const configs: (Partial<HeadConfig> & Partial<LinearHeadConfig> & { ridge?: number; pooledShare?: number; drop?: string[] })[] = flags.configs ? JSON.parse(String(flags.configs)) : [{}];
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  console.log(`${allRows.filter((r) => r.mos !== null).length} rated train rows, ${allRows.filter((r) => r.aspect).length} damaged, ${folds} folds`);
  for (const c of configs) {
    const rows = withoutMeasures(allRows, c.drop ?? []);
    let sums: Record<string, number> = {};
    if (c.aspectLambda !== undefined || c.positiveWeight !== undefined) {
      sums = cvAspects(rows, folds, { ...DEFAULT_LINEAR, ...(c as Partial<LinearHeadConfig>) });
    } else if (c.ridge !== undefined) {
      sums = cvRidge(rows, folds, c.ridge, c.pooledShare ?? 1);
    } else {
      const cfg = { ...DEFAULT_HEAD, ...c };
      for (let k = 0; k < folds; k++) {
        const fit = rows.filter((r) => fold(r) !== k);
        const held = rows.filter((r) => fold(r) === k && r.mos !== null);
        const { params, standardizer } = trainHead(fit, cfg);
        const q = predictRows(params, standardizer, held).map((p) => p[0]);
        Object.values(params).forEach((v) => v.dispose());
        for (const [s, v] of Object.entries(srccBySubset(held, q))) sums[s] = (sums[s] ?? 0) + v / folds;
      }
    }
    console.log(JSON.stringify(c), Object.entries(sums).map(([s, v]) => `${s} ${v.toFixed(3)}`).join('  '));
  }
  tf.disposeVariables();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
