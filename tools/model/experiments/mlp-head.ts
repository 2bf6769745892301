import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { ASPECTS } from '../../../src/core/aspects';
import { readFeatureRows, type FeatureRow } from '../features-file';
import { severityOf } from '../dataset';
import { cvRidge, srccBySubset, withoutMeasures } from '../cv';
import { DEFAULT_LINEAR } from '../linear-head';
import { useNodeBackend } from '../node-backend';
import { hash32, rng, shuffled } from '../rng';
import { fitStandardizer, standardized, type Standardizer } from '../standardize';
import { flagNumber, parseArgs } from '../../lib/cli';
import { registerFastMatMulGradient } from '../fast-grad';

// An MLP head, tried and left out: standardized features → hidden ReLU layer → 1 quality + one
// severity per aspect (sigmoids). Trained with a custom loop because the losses are masked per
// row: people rated only the untouched photos; the synthetic copies teach the aspects and that
// damage lowers quality. The closed-form ridge of linear-head.ts led it for quality in 4-fold CV
// on train photos, so the ridge ships; running this file repeats that comparison.

const HELP = `npx tsx tools/model/experiments/mlp-head.ts [--folds 4] [--configs '[{"hidden":64}, {"epochs":30,"drop":["log_noise_sigma"]}, …]'] [--cache .cache]

K-fold CV (folds by photo) of the MLP head on the train.csv rows of <cache>/features/: for each
config (HeadConfig fields over DEFAULT_HEAD; "drop" leaves measurements out by name) the mean
held-out SRCC against MOS, pooled and per subset, after that of the shipped ridge head
(λ ${DEFAULT_LINEAR.lambda}, pooled share ${DEFAULT_LINEAR.pooledShare}) on the same folds. Damaged and turned copies
take part in fitting the MLP, never in judging it. Train rows only.`;

export interface HeadConfig {
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  l2: number;
  rankWeight: number; // pairwise ranking within a subset, beside the squared error
  damageWeight: number; // an untouched photo should outscore its damaged copy
  aspectWeight: number;
  seed: number;
}

export const DEFAULT_HEAD: HeadConfig = {
  hidden: 96,
  epochs: 60,
  batch: 256,
  lr: 1e-3,
  l2: 3e-4,
  rankWeight: 0.5,
  damageWeight: 0.5,
  aspectWeight: 0.5,
  seed: 7,
};

function matrix(rows: FeatureRow[], s: Standardizer): tf.Tensor2D {
  return tf.tensor2d(standardized(rows, s), [rows.length, s.mean.length]);
}

/** Rows `idx` of a row-major matrix as a tensor (a JS copy: wasm's gather is slow). */
function take(data: Float32Array, width: number, idx: number[]): tf.Tensor2D {
  const out = new Float32Array(idx.length * width);
  idx.forEach((i, k) => out.set(data.subarray(i * width, (i + 1) * width), k * width));
  return tf.tensor2d(out, [idx.length, width]);
}

interface Params {
  w1: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  b2: tf.Variable;
}

function forward(p: Params, x: tf.Tensor2D): tf.Tensor2D {
  return tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, p.w1), p.b1)), p.w2), p.b2));
}

/** Trains the head on feature rows (clean rows carry `mos`; degraded rows an `aspect`). */
export function trainHead(rows: FeatureRow[], cfg: HeadConfig, log: (epoch: number, loss: number) => void = () => {}) {
  registerFastMatMulGradient();
  const A = ASPECTS.length;
  const s = fitStandardizer(rows);
  const F = s.mean.length;
  const r = rng(cfg.seed);
  const init = (shape: [number, number], fanIn: number) =>
    tf.tensor2d(
      Array.from({ length: shape[0] * shape[1] }, () => (r() * 2 - 1) * Math.sqrt(6 / fanIn)),
      shape,
    );
  const p: Params = {
    w1: tf.variable(init([F, cfg.hidden], F)),
    b1: tf.variable(tf.zeros([cfg.hidden])),
    w2: tf.variable(init([cfg.hidden, 1 + A], cfg.hidden)),
    b2: tf.variable(tf.tensor1d([0, ...ASPECTS.map(() => -2)])),
  };
  const X = standardized(rows, s);
  const mos = rows.map((x) => x.mos ?? 0);
  const hasMos = rows.map((x) => (x.mos === null ? 0 : 1));
  const subset = rows.map((x) => x.subset);
  const targets = Float32Array.from(rows.flatMap((x) => ASPECTS.map((a) => (x.aspect === a ? severityOf(x.strength) : 0))));
  // positives are rare (one aspect per damaged copy): weigh them up
  const weights = Float32Array.from(rows.flatMap((x) => ASPECTS.map((a) => (x.aspect === a ? 6 : 1))));
  const cleanIndex = new Map(rows.map((x, i) => [x.mos !== null ? `${x.split}|${x.image}` : '', i]));
  const damagePairs = rows.map((x, i) => [cleanIndex.get(`${x.split}|${x.image}`), i] as const).filter(([o, i]) => o !== undefined && rows[i].aspect !== null) as [number, number][];
  const opt = tf.train.adam(cfg.lr);
  const order = rows.map((_, i) => i);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    let total = 0;
    const perm = shuffled(order, cfg.seed * 1000 + epoch);
    for (let start = 0; start < perm.length; start += cfg.batch) {
      const idx = perm.slice(start, start + cfg.batch);
      const sameSubset = tf.tensor2d(
        idx.flatMap((i) => idx.map((j) => (subset[i] === subset[j] ? 1 : 0))),
        [idx.length, idx.length],
      );
      const pairs = shuffled(damagePairs, epoch * 7919 + start).slice(0, 64);
      const xb = take(X, F, idx);
      const m = tf.tensor1d(idx.map((i) => mos[i]));
      const has = tf.tensor1d(idx.map((i) => hasMos[i]));
      const t = take(targets, A, idx);
      const w = take(weights, A, idx);
      const xo = take(
        X,
        F,
        pairs.map((x) => x[0]),
      );
      const xd = take(
        X,
        F,
        pairs.map((x) => x[1]),
      );
      const loss = opt.minimize(() => {
        const out = forward(p, xb);
        const q = out.slice([0, 0], [-1, 1]).squeeze([1]);
        const nMos = tf.maximum(tf.sum(has), 1);
        const mse = tf.div(tf.sum(tf.mul(has, tf.square(tf.sub(q, m)))), nMos);
        // pairwise: logistic loss on score differences for pairs ordered by people, same subset
        const dq = tf.sub(q.expandDims(1), q.expandDims(0));
        const dm = tf.sub(m.expandDims(1), m.expandDims(0));
        const pairMask = tf.mul(tf.mul(sameSubset, tf.mul(has.expandDims(1), has.expandDims(0))), tf.cast(tf.greater(dm, 0.02), 'float32'));
        const rank = tf.div(tf.sum(tf.mul(pairMask, tf.softplus(tf.mul(dq, -20)))), tf.maximum(tf.sum(pairMask), 1));
        const sev = out.slice([0, 1], [-1, A]);
        const bce = tf.div(tf.sum(tf.mul(w, tf.losses.sigmoidCrossEntropy(t, tf.log(tf.div(tf.add(sev, 1e-6), tf.sub(1 + 1e-6, sev))), undefined, undefined, tf.Reduction.NONE))), tf.sum(w));
        let total = tf.add(tf.add(mse, tf.mul(rank, cfg.rankWeight * 0.01)), tf.mul(bce, cfg.aspectWeight * 0.05));
        if (pairs.length) {
          const qo = forward(p, xo).slice([0, 0], [-1, 1]);
          const qd = forward(p, xd).slice([0, 0], [-1, 1]);
          total = tf.add(total, tf.mul(tf.mean(tf.relu(tf.sub(0.05, tf.sub(qo, qd)))), cfg.damageWeight * 0.1));
        }
        return tf.add(total, tf.mul(tf.add(tf.sum(tf.square(p.w1)), tf.sum(tf.square(p.w2))), cfg.l2 * 0.01)) as tf.Scalar;
      }, true)!;
      total += (loss.dataSync()[0] * idx.length) / perm.length;
      [loss, sameSubset, xb, m, has, t, w, xo, xd].forEach((x) => x.dispose());
    }
    log(epoch, total);
  }
  opt.dispose();
  return { params: p, standardizer: s };
}

/** Raw head outputs for rows (quality, then aspect severities). */
export function predictRows(params: Params, s: Standardizer, rows: FeatureRow[]): number[][] {
  return tf.tidy(() => forward(params, matrix(rows, s)).arraySync());
}

/**
 * The head as a tfjs layers model, with the standardization folded into the first layer:
 * W' = W / std (per input row), b' = b − (mean / std)·W — exact, and one layer fewer to ship.
 */
export function toLayersModel(params: Params, s: Standardizer): tf.LayersModel {
  const F = s.mean.length;
  const H = params.w1.shape[1] as number;
  const A1 = params.w2.shape[1] as number;
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [F], units: H, activation: 'relu', name: 'hidden' }), tf.layers.dense({ units: A1, activation: 'sigmoid', name: 'out' })],
  });
  tf.tidy(() => {
    const invStd = tf.tensor2d(
      Array.from(s.std, (v) => 1 / v),
      [F, 1],
    );
    const w1 = tf.mul(params.w1, invStd);
    const shift = tf.tensor2d(
      Array.from(s.mean, (m, j) => m / s.std[j]),
      [1, F],
    );
    const b1 = tf.sub(params.b1, tf.matMul(shift, params.w1).squeeze([0]));
    model.getLayer('hidden').setWeights([w1, b1]);
    model.getLayer('out').setWeights([params.w2.clone(), params.b2.clone()]);
  });
  return model;
}

/** Mean held-out SRCC (pooled and per subset) of the MLP head over K folds by photo. */
export function cvMlp(rows: FeatureRow[], folds: number, cfg: HeadConfig): Record<string, number> {
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  const sums: Record<string, number> = {};
  for (let k = 0; k < folds; k++) {
    const fit = rows.filter((r) => fold(r) !== k);
    const held = rows.filter((r) => fold(r) === k && r.mos !== null);
    const { params, standardizer } = trainHead(fit, cfg);
    const q = predictRows(params, standardizer, held).map((p) => p[0]);
    Object.values(params).forEach((v) => v.dispose());
    for (const [s, v] of Object.entries(srccBySubset(held, q))) sums[s] = (sums[s] ?? 0) + v / folds;
  }
  return sums;
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  await useNodeBackend('wasm');
  const folds = flagNumber(flags, 'folds', 4);
  const allRows = readFeatureRows(join(resolve(String(flags.cache ?? '.cache')), 'features')).filter((r) => r.split === 'train');
  const configs: (Partial<HeadConfig> & { drop?: string[] })[] = flags.configs ? JSON.parse(String(flags.configs)) : [{}];
  const show = (sums: Record<string, number>) =>
    Object.entries(sums)
      .map(([s, v]) => `${s} ${v.toFixed(3)}`)
      .join('  ');
  console.log(`${allRows.filter((r) => r.mos !== null).length} rated train rows, ${allRows.filter((r) => r.aspect).length} damaged, ${folds} folds`);
  console.log(`shipped ridge ${JSON.stringify(DEFAULT_LINEAR)}`, show(cvRidge(allRows, folds, DEFAULT_LINEAR.lambda, DEFAULT_LINEAR.pooledShare)));
  for (const c of configs) {
    const { drop, ...head } = c;
    console.log(JSON.stringify(c), show(cvMlp(withoutMeasures(allRows, drop ?? []), folds, { ...DEFAULT_HEAD, ...head })));
  }
  tf.disposeVariables();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
