import * as tf from '@tensorflow/tfjs';
import { ASPECTS } from '../../src/core/aspects';
import { severityOf } from './dataset';
import type { FeatureRow } from './features-file';
import { fitStandardizer, standardized, type Standardizer } from './head';
import { fitRidgeMany, fitRidgeWithinGroups } from './ridge';

// The shipped head: one linear layer on standardized features, fitted in closed form.
// Output 0 estimates MOS (ridge on the rated train photos); outputs 1… estimate each aspect's
// severity (ridge on untouched photos = 0 and their damaged copies = the damage's severity).
// Severities are then calibrated per aspect (calibrateSeverities).
// 4-fold CV on train.csv (npm run cv) put ridge ahead of the MLP head for quality: 0.742 vs
// 0.704 pooled SRCC, λ = 1000 best of 100 / 1000 / 3000. Quality is fitted partly within
// subsets (pooledShare, see fitRidgeWithinGroups): at 0.8 with λ = 600, CV SRCC rose in every
// subset and pooled (0.760 / 0.877 / 0.416 / 0.602 → 0.761 / 0.881 / 0.423 / 0.611 on the 512²
// features it was chosen on; 0.757 / 0.885 / 0.409 / 0.589 → 0.757 / 0.891 / 0.415 / 0.601 on
// the 320² ones, tools/model/README.md). With the stride-8/16 levels added (npm run levels),
// λ = 1200 led 600 and 2000 on the mean of pooled and subset SRCC.

export interface LinearHeadConfig {
  lambda: number;
  /** Share of the pooled error in the quality loss; the rest orders photos within a subset. */
  pooledShare: number;
  aspectLambda: number;
  /** Damaged copies are rare (one aspect each): each counts this many times. */
  positiveWeight: number;
}

export const DEFAULT_LINEAR: LinearHeadConfig = { lambda: 1200, pooledShare: 0.8, aspectLambda: 300, positiveWeight: 8 };

export interface LinearHead {
  standardizer: Standardizer;
  /** [F][1 + aspects] */
  weights: Float64Array[];
  bias: number[];
}

export function fitLinearHead(rows: FeatureRow[], cfg: LinearHeadConfig = DEFAULT_LINEAR): LinearHead {
  const standardizer = fitStandardizer(rows);
  const F = standardizer.mean.length;
  const rated = rows.filter((r) => r.mos !== null);
  const quality = fitRidgeWithinGroups(
    standardized(rated, standardizer), F, rated.map((r) => r.mos!), rated.map((r) => r.subset), cfg.lambda, cfg.pooledShare,
  );
  const X = standardized(rows, standardizer);
  const aspects = fitRidgeMany(
    X,
    F,
    ASPECTS.map((a) => ({
      y: rows.map((r) => (r.aspect === a ? severityOf(r.strength) : 0)),
      heavy: rows.flatMap((r, i) => (r.aspect === a ? [i] : [])),
      weight: cfg.positiveWeight,
    })),
    cfg.aspectLambda,
  );
  const cols = [quality, ...aspects];
  const head = { standardizer, weights: cols.map((c) => c.w), bias: cols.map((c) => c.b) };
  calibrateSeverities(head, rows);
  return head;
}

const quantile = (xs: number[], q: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/**
 * Ridge shrinks the rare damaged copies toward 0, so raw severities are compressed (a heavily
 * blurred photo read 0.30). Each aspect is re-scaled, affinely and so folded into its column:
 * the 95th percentile of untouched train photos maps to 0.30 (just under where the coach speaks
 * up, 0.35) and the median damaged copy to 0.70.
 */
function calibrateSeverities(head: LinearHead, rows: FeatureRow[]): void {
  const raw = predictLinear(head, rows);
  ASPECTS.forEach((a, i) => {
    const k = i + 1;
    const clean = quantile(rows.flatMap((r, n) => (r.aspect === null ? [raw[n][k]] : [])), 0.95);
    const damaged = quantile(rows.flatMap((r, n) => (r.aspect === a ? [raw[n][k]] : [])), 0.5);
    if (!(damaged > clean)) return;
    const slope = 0.4 / (damaged - clean);
    head.weights[k] = head.weights[k].map((w) => w * slope);
    head.bias[k] = 0.3 + (head.bias[k] - clean) * slope;
  });
}

export function predictLinear(head: LinearHead, rows: FeatureRow[]): number[][] {
  const F = head.standardizer.mean.length;
  const X = standardized(rows, head.standardizer);
  return rows.map((_, i) => head.weights.map((w, k) => {
    let s = head.bias[k];
    for (let j = 0; j < F; j++) s += w[j] * X[i * F + j];
    return s;
  }));
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
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [F], units: K, name: 'out' })] });
  model.getLayer('out').setWeights([tf.tensor2d(kernel, [F, K]), tf.tensor1d(bias)]);
  return model;
}
