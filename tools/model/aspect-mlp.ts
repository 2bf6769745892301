import * as tf from '@tensorflow/tfjs';
import type { AspectId } from '../../src/core/aspects';
import { judgedRow, targetOf, type AspectFitConfig } from './aspect-head';
import { registerFastMatMulGradient } from './fast-grad';
import type { FeatureRow } from './features-file';
import type { Label } from './labels';
import { rng, shuffled } from './rng';

// A small network beside the aspects' ridge columns. Whether an item is cut off at the edge or
// sits in a busy scene is not a straight line in the backbone's pooled features: a kernel ridge
// and this one-hidden-layer network both ranked held-out framing and clutter labels higher than
// the ridge (tools/model/README.md "Aspects"). It learns every labelled aspect at once, on the
// labelled photos as judged (no synthetic copies: real defects are what it is for), and the
// columns named in the config take a share of its output beside their ridge.

export interface AspectMlpConfig {
  /** The columns that take the network's output: raw = (1 − share)·ridge + share·network. */
  aspects: AspectId[];
  share: number;
  hidden: number;
  epochs: number;
  /** L2 penalty on both weight matrices, added to the gradient (per unit of the mean loss). */
  decay: number;
  /** Share of input features dropped at random while training. */
  dropout: number;
  seed: number;
}

/** The network on standardized features: out = b2 + W2ᵀ·relu(b1 + W1ᵀ·x), one output per aspect of `aspects`. */
export interface AspectMlp {
  aspects: AspectId[];
  F: number;
  H: number;
  /** [F][H], row-major */
  w1: Float32Array;
  b1: Float32Array;
  /** [H][aspects], row-major */
  w2: Float32Array;
  b2: Float32Array;
}

const BATCH = 256;
const LR = 1e-3;

/**
 * Fits the network on the labelled photos' judged rows of standardized X (row-major, F wide):
 * each aspect's target and weight as the ridge gets them (aspect-head.ts targetOf), masked where
 * a row has none, each aspect's target scaled to unit spread so that none dominates the loss.
 */
export function fitAspectMlp(X: Float32Array, F: number, rows: FeatureRow[], labels: Map<string, Label>, fit: AspectFitConfig, aspects: readonly AspectId[], cfg: AspectMlpConfig): AspectMlp {
  registerFastMatMulGradient();
  const A = aspects.length;
  const idx = rows.flatMap((r, i) => (judgedRow(r) && labels.has(r.image) ? [i] : []));
  if (!idx.length) throw new Error('no labelled photos to fit the aspect network on: are the labels there?');
  const y = new Float32Array(idx.length * A);
  const m = new Float32Array(idx.length * A);
  aspects.forEach((a, k) => {
    idx.forEach((i, n) => {
      const t = targetOf(a, rows[i], labels.get(rows[i].image), fit);
      if (t) [y[n * A + k], m[n * A + k]] = [t.y, t.w];
    });
  });
  const centre = aspects.map((_, k) => weightedMean(y, m, A, k));
  const spread = aspects.map(
    (_, k) =>
      Math.sqrt(
        weightedMean(
          y.map((v) => (v - centre[k]) ** 2),
          m,
          A,
          k,
        ),
      ) || 1,
  );
  const z = y.map((v, o) => (v - centre[o % A]) / spread[o % A]);
  const r = rng(cfg.seed);
  const uniform = (n: number, fanIn: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * Math.sqrt(3 / fanIn));
  const H = cfg.hidden;
  const p = {
    w1: tf.variable(tf.tensor2d(uniform(F * H, F), [F, H])),
    b1: tf.variable(tf.zeros([H])),
    w2: tf.variable(tf.tensor2d(uniform(H * A, H), [H, A])),
    b2: tf.variable(tf.zeros([A])),
  };
  const opt = tf.train.adam(LR);
  const drop = rng(cfg.seed + 1);
  const rowsOf = (src: Float32Array, width: number, pick: number[], map: (n: number) => number) => {
    const out = new Float32Array(pick.length * width);
    pick.forEach((n, k) => out.set(src.subarray(map(n) * width, (map(n) + 1) * width), k * width));
    return out;
  };
  const order = idx.map((_, n) => n);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const perm = shuffled(order, cfg.seed * 1000 + epoch);
    for (let start = 0; start < perm.length; start += BATCH) {
      const pick = perm.slice(start, start + BATCH);
      const xs = rowsOf(X, F, pick, (n) => idx[n]);
      if (cfg.dropout > 0) for (let o = 0; o < xs.length; o++) xs[o] = drop() < cfg.dropout ? 0 : xs[o] / (1 - cfg.dropout);
      const xb = tf.tensor2d(xs, [pick.length, F]);
      const yb = tf.tensor2d(
        rowsOf(z, A, pick, (n) => n),
        [pick.length, A],
      );
      const mb = tf.tensor2d(
        rowsOf(m, A, pick, (n) => n),
        [pick.length, A],
      );
      const loss = opt.minimize(() => {
        const out = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(xb, p.w1), p.b1)), p.w2), p.b2);
        const mse = tf.div(tf.sum(tf.mul(mb, tf.square(tf.sub(out, yb)))), pick.length);
        return tf.add(mse, tf.mul(tf.add(tf.sum(tf.square(p.w1)), tf.sum(tf.square(p.w2))), cfg.decay / 2)) as tf.Scalar;
      }, true)!;
      [loss, xb, yb, mb].forEach((t) => t.dispose());
    }
  }
  opt.dispose();
  // back to the labels' scale: out·spread + centre, folded into the second layer
  const w2 = p.w2.dataSync().slice() as Float32Array;
  const b2 = p.b2.dataSync().slice() as Float32Array;
  for (let h = 0; h < H; h++) for (let k = 0; k < A; k++) w2[h * A + k] *= spread[k];
  for (let k = 0; k < A; k++) b2[k] = b2[k] * spread[k] + centre[k];
  const net: AspectMlp = { aspects: [...aspects], F, H, w1: p.w1.dataSync().slice() as Float32Array, b1: p.b1.dataSync().slice() as Float32Array, w2, b2 };
  Object.values(p).forEach((v) => v.dispose());
  return net;
}

function weightedMean(v: Float32Array, w: Float32Array, A: number, k: number): number {
  let s = 0;
  let t = 0;
  for (let o = k; o < v.length; o += A) {
    s += w[o] * v[o];
    t += w[o];
  }
  return t > 0 ? s / t : 0;
}

/**
 * A hidden layer's activations, relu(b1 + w1ᵀx), for row i of standardized X (w1 [F][H]; a
 * feature the row lacks counts as its mean). The head's fit (linear-head.ts) reads them too.
 */
export function hiddenActivations(w1: Float32Array, b1: Float32Array, X: Float32Array, i: number, F: number): Float64Array {
  const H = b1.length;
  const act = Float64Array.from(b1);
  for (let j = 0; j < F; j++) {
    const x = X[i * F + j];
    if (!Number.isFinite(x) || x === 0) continue;
    for (let h = 0; h < H; h++) act[h] += w1[j * H + h] * x;
  }
  for (let h = 0; h < H; h++) act[h] = Math.max(0, act[h]);
  return act;
}

/** The network's outputs for row i of standardized X. */
export function mlpOutputs(net: AspectMlp, X: Float32Array, i: number): Float64Array {
  const A = net.aspects.length;
  const act = hiddenActivations(net.w1, net.b1, X, i, net.F);
  const out = Float64Array.from(net.b2);
  for (let h = 0; h < net.H; h++) if (act[h] > 0) for (let k = 0; k < A; k++) out[k] += net.w2[h * A + k] * act[h];
  return out;
}

/** What the network learns: every labelled aspect (sideways is not a label's severity). */
export const netAspects = (aspects: readonly AspectId[]): AspectId[] => aspects.filter((a) => a !== 'sideways');

/** Where an aspect's column takes part of the network: its output's index and share (−1 and 0 where it does not). */
export function blendOf(net: AspectMlp, cfg: AspectMlpConfig, aspect: AspectId): { n: number; share: number } {
  const n = cfg.aspects.includes(aspect) ? net.aspects.indexOf(aspect) : -1;
  return n < 0 ? { n, share: 0 } : { n, share: cfg.share };
}

/** The aspects' raw outputs (ridge, in `aspects` order) with the network's share mixed into the columns the config names. */
export function blendedRaw(ridge: number[], aspects: readonly AspectId[], net: AspectMlp, cfg: AspectMlpConfig, X: Float32Array, i: number): number[] {
  const out = mlpOutputs(net, X, i);
  return ridge.map((v, k) => {
    const { n, share } = blendOf(net, cfg, aspects[k]);
    return n < 0 ? v : (1 - share) * v + share * out[n];
  });
}
