import * as tf from '@tensorflow/tfjs';
import { ASPECTS } from '../../src/core/aspects';
import { fitAspectColumns, judgedRow, rowKind, type AspectFitConfig, type Calibration } from './aspect-head';
import type { FeatureRow } from './features-file';
import { extraIndex, type HeadExtra } from '../../src/core/model/bundle';
import { fitStandardizer, standardized, standardizerRows, type Standardizer } from './standardize';
import type { Label } from './labels';
import { fitRidge, fitRidgeWithinGroups } from './ridge';
import { hash32 } from './rng';
import { blendOf, fitAspectMlp, hiddenActivations, netAspects } from './aspect-mlp';
import { roundedToHalf } from './weights';

// The shipped head: a linear layer on standardized features, fitted in closed form, and where the
// aspect fit asks for it a hidden layer beside it for some aspect columns (aspect-mlp.ts).
// Output 0 estimates MOS (ridge on the rated train photos); outputs 1… estimate each aspect's
// severity, fitted to the step-by-step labels of real photos with synthetic copies as extra
// rows (aspect-head.ts), then calibrated per aspect so that 0.35 means "a buyer would notice".
// 4-fold CV on train.csv (experiments/mlp-head.ts) put ridge ahead of the MLP head for quality:
// 0.742 vs 0.704 pooled SRCC, λ = 1000 best of 100 / 1000 / 3000. Quality is fitted partly
// within subsets (pooledShare, see fitRidgeWithinGroups): at 0.8 with λ = 600, CV SRCC rose in
// every subset and pooled (0.760 / 0.877 / 0.416 / 0.602 → 0.761 / 0.881 / 0.423 / 0.611 on the
// 512² features it was chosen on; 0.757 / 0.885 / 0.409 / 0.589 → 0.757 / 0.891 / 0.415 / 0.601
// on the 320² ones, tools/model/README.md). With the stride-8/16 levels added (npm run levels),
// λ = 1200 led 600 and 2000 on the mean of pooled and subset SRCC.

export interface LinearHeadConfig {
  lambda: number;
  /** Share of the pooled error in the quality loss; the rest orders photos within a subset. */
  pooledShare: number;
}

export const DEFAULT_LINEAR: LinearHeadConfig = { lambda: 1200, pooledShare: 0.8 };

export interface LinearHead {
  standardizer: Standardizer;
  /** [1 + aspects + extra][F] */
  weights: Float64Array[];
  bias: number[];
  /** The outputs after the aspects', in order (the card's `head.extra`). */
  extra: HeadExtra[];
  /**
   * A hidden layer beside the linear part (aspect-mlp.ts), on the same standardized features:
   * outputs += mix·relu(b1 + w1ᵀx). w1 [F][H] holds values float16 stores once the
   * standardization is folded in (linearLayersModel ships it as float16), mix [H][outputs].
   */
  hidden?: { H: number; w1: Float32Array; b1: Float32Array; mix: Float32Array };
}

/** What the aspect columns learn from: the labels, how synthetic rows count, and where 0.35 falls. */
export interface AspectSupervision {
  labels: Map<string, Label>;
  fit: AspectFitConfig;
  /** Per aspect in ASPECTS order, chosen on held-out outputs by CV (cv-labels.ts); absent: raw outputs. */
  calibrations?: Calibration[];
}

/**
 * Ridge penalty of the upside-down output. Chosen on train photos: a held-out part of the
 * 4,494 (tools/torch/heldout.py) told upright from half-turned copies in 91–92 % of pairs from
 * λ 10 to 1000 on the backbone's features alone; `cvUpsideDown` reports the shipped fit's CV.
 */
export const UPSIDE_DOWN_LAMBDA = 300;

/** The upside-down column: each half-turned copy (target 1) beside its own upright photo (0). */
export function fitUpsideDown(upright: FeatureRow[], turned: FeatureRow[], standardizer: Standardizer): { w: Float64Array; b: number } {
  const rows = [...upright, ...turned];
  const X = standardized(rows, standardizer);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
  const y = rows.map((_, i) => (i < upright.length ? 0 : 1));
  return fitRidge(X, standardizer.mean.length, y, UPSIDE_DOWN_LAMBDA);
}

/** The photos' upright rows that have a half-turned copy among `turned`, in its order. */
export function uprightPartners(rows: FeatureRow[], turned: FeatureRow[]): FeatureRow[] {
  const clean = new Map(rows.filter((r) => rowKind(r) === 'clean').map((r) => [r.image, r]));
  return turned.map((t) => {
    const r = clean.get(t.image);
    if (!r) throw new Error(`upside-down row ${t.key} has no upright row of its photo`);
    return r;
  });
}

/**
 * K-fold CV by photo of the upside-down column: the share of held-out photos whose half-turned
 * copy scores higher than the photo itself (what picking a sideways photo's turn needs).
 */
export function cvUpsideDown(rows: FeatureRow[], turned: FeatureRow[], folds: number): { pairs: number; accuracy: number } {
  const standardizer = fitStandardizer(standardizerRows(rows));
  const upright = uprightPartners(rows, turned);
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  let right = 0;
  for (let k = 0; k < folds; k++) {
    const fit = turned.map((_, i) => i).filter((i) => fold(turned[i]) !== k);
    const col = fitUpsideDown(
      fit.map((i) => upright[i]),
      fit.map((i) => turned[i]),
      standardizer,
    );
    const held = turned.map((_, i) => i).filter((i) => fold(turned[i]) === k);
    const out = predictLinear({ standardizer, weights: [col.w], bias: [col.b], extra: [] }, [...held.map((i) => upright[i]), ...held.map((i) => turned[i])]);
    for (let j = 0; j < held.length; j++) if (out[held.length + j][0] > out[j][0]) right++;
  }
  return { pairs: turned.length, accuracy: right / turned.length };
}

/**
 * Ridge penalty of the rating output. 1200 led 300 and 4800 on how well the held-out rating
 * told poor photos from clean ones (`npm run cv -- --rating`: AUC 0.978 against 0.976 and 0.974).
 */
export const RATING_LAMBDA = 1200;

/**
 * The rating column: the overall 1–5 a careful reviewer gives the photo, as the step-by-step
 * labels do, fitted on the labelled untouched photos among `rows`. It is not the score (that
 * estimates how people rated the photo, BIQ2021's MOS): it sets how sure the coach must be to
 * raise a borderline reason (reasons.ts `raiseAt`), as the labels' overall is what tells a
 * photo whose defects matter from one whose defects do not.
 */
export function fitRatingColumn(rows: FeatureRow[], labels: Map<string, Label>, standardizer: Standardizer, lambda = RATING_LAMBDA): { w: Float64Array; b: number } {
  const rated = rows.filter((r) => judgedRow(r) && labels.has(r.image));
  const X = standardized(rated, standardizer);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
  return fitRidge(
    X,
    standardizer.mean.length,
    rated.map((r) => labels.get(r.image)!.overall),
    lambda,
  );
}

/** Output 0, MOS, fitted on the rated ones of `rows` (ridge, partly within subsets). */
export function fitQualityColumn(rows: FeatureRow[], standardizer: Standardizer, cfg: LinearHeadConfig = DEFAULT_LINEAR): { w: Float64Array; b: number } {
  const rated = rows.filter((r) => r.mos !== null);
  return fitRidgeWithinGroups(
    standardized(rated, standardizer),
    standardizer.mean.length,
    rated.map((r) => r.mos!),
    rated.map((r) => r.subset),
    cfg.lambda,
    cfg.pooledShare,
  );
}

/**
 * The head; with `upsideDown` (half-turned train copies) it gains the output `upside_down`, and
 * where any photo is labelled the output `rating` (the card's `head.extra`, in that order), each
 * fitted with the same standardization and nothing else changed.
 */
export function fitLinearHead(rows: FeatureRow[], cfg: LinearHeadConfig, aspects: AspectSupervision, upsideDown?: FeatureRow[]): LinearHead {
  const standardizer = fitStandardizer(standardizerRows(rows));
  const F = standardizer.mean.length;
  const quality = fitQualityColumn(rows, standardizer, cfg);
  const X = standardized(rows, standardizer);
  for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
  const mlp = aspects.fit.mlp;
  const net = mlp ? fitAspectMlp(X, F, rows, aspects.labels, aspects.fit, netAspects(ASPECTS), mlp) : null;
  if (net) roundFoldedToHalf(net.w1, standardizer, net.H);
  // raw = (1 − share)·ridge + share·network where the network takes part; severity =
  // 0.35 + slope·(raw − at35), folded into the column and (mixOf) the network's mix
  const blends = ASPECTS.map((a, k) => ({ ...(net && mlp ? blendOf(net, mlp, a) : { n: -1, share: 0 }), cal: aspects.calibrations?.[k] ?? { slope: 1, at35: 0.35 } }));
  const columns = fitAspectColumns(X, F, rows, aspects.labels, aspects.fit, ASPECTS).map((c, k) => {
    const { n, share, cal } = blends[k];
    const b = (1 - share) * c.b + (n >= 0 && net ? share * net.b2[n] : 0);
    return { w: c.w.map((w) => w * cal.slope * (1 - share)), b: 0.35 + cal.slope * (b - cal.at35) };
  });
  const cols = [quality, ...columns];
  const extra: HeadExtra[] = [];
  if (upsideDown?.length) {
    cols.push(fitUpsideDown(uprightPartners(rows, upsideDown), upsideDown, standardizer));
    extra.push('upside_down');
  }
  if (rows.some((r) => judgedRow(r) && aspects.labels.has(r.image))) {
    cols.push(fitRatingColumn(rows, aspects.labels, standardizer));
    extra.push('rating');
  }
  const head: LinearHead = { standardizer, weights: cols.map((c) => c.w), bias: cols.map((c) => c.b), extra };
  if (net) {
    // [H][every output]: the quality and extra outputs take nothing from the network
    const K = cols.length;
    const mix = new Float32Array(net.H * K);
    blends.forEach(({ n, share, cal }, k) => {
      if (n >= 0) for (let h = 0; h < net.H; h++) mix[h * K + 1 + k] = cal.slope * share * net.w2[h * net.aspects.length + n];
    });
    head.hidden = { H: net.H, w1: net.w1, b1: net.b1, mix };
  }
  return head;
}

/**
 * Rounds a hidden layer's weights on standardized input to what float16 stores of them once the
 * standardization is folded in (w / std), so that the fitted head and the shipped one agree.
 */
function roundFoldedToHalf(w1: Float32Array, s: Standardizer, H: number): void {
  for (let j = 0; j < s.std.length; j++) {
    for (let h = 0; h < H; h++) {
      const o = j * H + h;
      w1[o] = Number.isFinite(s.std[j]) ? roundedToHalf(w1[o] / s.std[j]) * s.std[j] : 0;
    }
  }
}

/** The head's output index of an extra (after the quality and aspect outputs), or -1 where it has none. */
export function extraColumn(head: LinearHead, name: HeadExtra): number {
  return extraIndex(head.extra, ASPECTS.length, name);
}

export function predictLinear(head: LinearHead, rows: FeatureRow[]): number[][] {
  const F = head.standardizer.mean.length;
  const X = standardized(rows, head.standardizer);
  return rows.map((_, i) => {
    const out = head.weights.map((w, k) => {
      let s = head.bias[k];
      for (let j = 0; j < F; j++) s += w[j] * X[i * F + j];
      return s;
    });
    if (head.hidden) addHidden(head.hidden, X, i, F, out);
    return out;
  });
}

/** Adds the hidden layer's share to one row's outputs. */
function addHidden(hidden: NonNullable<LinearHead['hidden']>, X: Float32Array, i: number, F: number, out: number[]): void {
  const { H, w1, b1, mix } = hidden;
  const K = out.length;
  const act = hiddenActivations(w1, b1, X, i, F);
  for (let h = 0; h < H; h++) if (act[h] > 0) for (let k = 0; k < K; k++) out[k] += mix[h * K + k] * act[h];
}

/** As a tfjs layers model on raw features: standardization folded into the kernel and bias. */
export function linearLayersModel(head: LinearHead): tf.LayersModel {
  const { mean, std } = head.standardizer;
  const F = mean.length;
  const K = head.weights.length;
  const kernel = new Float32Array(F * K);
  const bias = Float32Array.from(head.bias);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < F; j++) {
      const w = head.weights[k][j] / std[j]; // 0 where std is infinite (an ignored feature)
      kernel[j * K + k] = w;
      if (w !== 0) bias[k] -= w * mean[j];
    }
  }
  if (!head.hidden) {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [F], units: K, name: 'out' })] });
    model.getLayer('out').setWeights([tf.tensor2d(kernel, [F, K]), tf.tensor1d(bias)]);
    return model;
  }
  const { H, w1, b1, mix } = head.hidden;
  // w1 / std is float16-exact (roundFoldedToHalf); the bias takes the mean's share from those
  // very values, so shipping the kernel as float16 cancels nothing it should not
  const k1 = new Float32Array(F * H);
  const c1 = Float32Array.from(b1);
  for (let j = 0; j < F; j++) {
    if (!Number.isFinite(std[j])) continue;
    for (let h = 0; h < H; h++) {
      const w = roundedToHalf(w1[j * H + h] / std[j]);
      k1[j * H + h] = w;
      c1[h] -= w * mean[j];
    }
  }
  const input = tf.input({ shape: [F] });
  const linearOut = tf.layers.dense({ units: K, name: 'out' }).apply(input) as tf.SymbolicTensor;
  const act = tf.layers.dense({ units: H, activation: 'relu', name: HIDDEN_LAYER }).apply(input) as tf.SymbolicTensor;
  const mixed = tf.layers.dense({ units: K, useBias: false, name: 'mix' }).apply(act) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.add({ name: 'sum' }).apply([linearOut, mixed]) as tf.SymbolicTensor });
  model.getLayer('out').setWeights([tf.tensor2d(kernel, [F, K]), tf.tensor1d(bias)]);
  model.getLayer(HIDDEN_LAYER).setWeights([tf.tensor2d(k1, [F, H]), tf.tensor1d(c1)]);
  model.getLayer('mix').setWeights([tf.tensor2d(mix, [H, K])]);
  return model;
}

/** The hidden layer's name: its kernel ships as float16 (train.ts). */
export const HIDDEN_LAYER = 'hidden';
