import * as tf from '@tensorflow/tfjs';
import type { AspectId } from '../../src/core/aspects';
import { severityOf, storedTurned, type Job } from './dataset';
import type { FeatureRow } from './features-file';
import { isClean, NOTICE_AT, saysSideways, type Label } from './labels';
import { choleskySolve } from './ridge';
import type { AspectMlpConfig } from './aspect-mlp';

// The aspect columns of the head, fitted to the real step-by-step labels (labels.ts) of train
// photos, with synthetic damage (degrade.ts) and quarter-turned copies as extra rows.
// Each aspect is its own weighted ridge over the rows where its target is known:
//  - a labelled photo: the label's severity;
//  - a damaged copy of that aspect: the damage's severity (or the source's label, if higher);
//  - a damaged or turned copy of a labelled photo, for the other aspects: the source's label
//    (`crossSynth`; the damage is of another kind);
//  - sideways: a turned copy is 1, a labelled photo 1 when its label says it is sideways;
//    those photos leave the tilt fit (their tilt label is about the turn, not a lean).
// The labels judged the pixels as the file stores them. For a photo whose EXIF orientation turns
// it (dataset.ts storedTurned) the label belongs to its stored row (Job.stored); its upright rows
// keep the aspects a quarter turn leaves alone, and are upright (sideways 0) where the label
// says the stored photo is sideways.
// Photos without a label take part through their synthetic copies only.

export interface AspectFitConfig {
  /** Ridge penalty, one for all aspects or per aspect (chosen by CV on train photos). */
  lambda: number | Partial<Record<AspectId, number>>;
  /** Weight of a synthetic copy's row against a labelled photo's (0: labels only), for all aspects or per aspect. */
  synthWeight: number | Partial<Record<AspectId, number>>;
  /**
   * Weight of a labelled photo with nothing flagged and a good overall (≥ 4): above 1 the fit
   * pays more for a false alarm on a clean photo than for a miss.
   */
  cleanWeight: number;
  /** Fit the label's severity, or only whether it reaches 0.35 (1/0; synthetic copies of the aspect: 1). */
  target: 'severity' | 'flag';
  crossSynth: boolean;
  /**
   * 'own': a sideways column of its own (shipped); 'tilt': turned copies and photos stored
   * turned teach the tilt column instead, as the labels score them (kept to compare by CV).
   */
  sideways: 'own' | 'tilt';
  /** Calibration: flags at least this share of the flags that land on labelled defects (see calibrate). */
  precision: number;
  /** Calibration: the most photos flagged, as a multiple of the share the labels flag. */
  maxShare: number;
  /** A network beside the ridge for the columns it names (aspect-mlp.ts), or none. */
  mlp: AspectMlpConfig | null;
}

/**
 * Chosen by 4-fold CV on train photos (npm run cv -- --labels, tools/model/README.md "Aspects"):
 * λ 300 led 100, 1000 and 3000; synthetic copies at a tenth of a labelled photo's weight rank
 * the labelled defects as well as labels alone (weight 1 cost 0.01–0.06 AUC), and sideways
 * needs more of its turned copies to find a turn rather than the few photos stored turned.
 * Framing, clutter and colour cast take half their raw output from a hidden layer
 * (aspect-mlp.ts): framing 0.852 → 0.871, clutter 0.897 → 0.908, colour cast level.
 */
export const DEFAULT_ASPECT_FIT: AspectFitConfig = {
  lambda: 300,
  synthWeight: { blur: 0.1, noise: 0.1, underexposure: 0.1, overexposure: 0.1, low_resolution: 0.1, tilt: 0.1, framing: 0.1, clutter: 0.1, color_cast: 0.1, sideways: 0.3 },
  crossSynth: true,
  sideways: 'own',
  precision: 0.75,
  maxShare: 1.25,
  cleanWeight: 1,
  target: 'severity',
  mlp: { aspects: ['framing', 'clutter', 'color_cast'], share: 0.5, hidden: 128, epochs: 60, decay: 0.01, dropout: 0.2, seed: 7 },
};

/** What the labels give a quarter turn as tilt (the runs scored turns 0.6–0.9). */
const TURN_AS_TILT = 0.7;

export type Target = { y: number; w: number } | null;

export const rowKind = (r: Job): 'clean' | 'damaged' | 'turned' | 'stored' => (r.stored ? 'stored' : r.turn ? 'turned' : r.aspect ? 'damaged' : 'clean');

/**
 * Whether a photo's label judged this row: the photo as its file stores it where an EXIF
 * orientation turns it (the labels saw the stored pixels), else the untouched photo.
 */
export const judgedRow = (r: Job): boolean => rowKind(r) === 'stored' || (rowKind(r) === 'clean' && !storedTurned(r.image));

/**
 * Whether a photo is stored turned and labelled sideways as stored: shown upright it is upright,
 * and its tilt label is about the turn, not a lean (the torch trainer's views follow this too).
 */
export const labelledSidewaysAsStored = (label: Label, image: string): boolean => storedTurned(image) && saysSideways(label);

/** The row's target for `aspect`, or null where it says nothing about it. */
export function targetOf(aspect: AspectId, r: FeatureRow, label: Label | undefined, config: AspectFitConfig): Target {
  const t = severityTarget(aspect, r, label, config);
  if (!t || config.target === 'severity' || aspect === 'sideways') return t;
  return { ...t, y: t.y >= NOTICE_AT ? 1 : 0 };
}

function severityTarget(aspect: AspectId, r: FeatureRow, label: Label | undefined, config: AspectFitConfig): Target {
  const synthWeight = typeof config.synthWeight === 'number' ? config.synthWeight : (config.synthWeight[aspect] ?? 1);
  const cfg = { ...config, synthWeight };
  const kind = rowKind(r);
  const sideways = label ? saysSideways(label) : false;
  // the label judged the photo as stored, a quarter turn from this row (judgedRow)
  const turnedFromLabel = label !== undefined && kind !== 'stored' && storedTurned(r.image);
  if (aspect === 'sideways') {
    if (turnedFromLabel) {
      // labelled sideways as stored, so upright as shown and sideways when turned; a photo not
      // labelled sideways as stored has no known up (mostly close-ups shot at a slant)
      if (!sideways) return null;
      if (kind === 'turned') return cfg.synthWeight === 0 ? null : { y: 1, w: cfg.synthWeight };
      if (kind === 'clean') return { y: 0, w: 1 };
      return cfg.crossSynth && cfg.synthWeight > 0 ? { y: 0, w: cfg.synthWeight } : null;
    }
    if (kind === 'turned') return sideways || cfg.synthWeight === 0 ? null : { y: 1, w: cfg.synthWeight };
    if (kind === 'clean' || kind === 'stored') return label ? { y: sideways ? 1 : 0, w: isClean(label) ? cfg.cleanWeight : 1 } : null;
    return label && cfg.crossSynth && cfg.synthWeight > 0 ? { y: sideways ? 1 : 0, w: cfg.synthWeight } : null;
  }
  // a tilt label given for a turn says nothing about the lean of the photo shown upright
  if (aspect === 'tilt' && kind !== 'stored' && label && labelledSidewaysAsStored(label, r.image)) return null;
  if (aspect === 'tilt' && cfg.sideways === 'tilt' && kind === 'turned') return sideways || cfg.synthWeight === 0 ? null : { y: Math.max(TURN_AS_TILT, label?.sev.tilt ?? 0), w: cfg.synthWeight };
  if (aspect === 'tilt' && sideways && cfg.sideways === 'own') return null;
  if (kind === 'clean' || kind === 'stored') return label ? { y: label.sev[aspect], w: isClean(label) ? cfg.cleanWeight : 1 } : null;
  if (cfg.synthWeight === 0) return null;
  if (kind === 'damaged' && r.aspect === aspect) return { y: Math.max(severityOf(r.strength), label?.sev[aspect] ?? 0), w: cfg.synthWeight };
  return label && cfg.crossSynth ? { y: label.sev[aspect], w: cfg.synthWeight } : null;
}

/**
 * Weighted ridge with an intercept, on standardized rows X (row-major, F columns): the rows are
 * centred on their weighted mean so that λ never pulls the intercept. XᵀWX on the tfjs backend.
 * Returns w and b for raw standardized input: ŷ = b + w·x.
 */
export function fitWeightedRidge(X: Float32Array, F: number, idx: number[], y: number[], wt: number[], lambda: number): { w: Float64Array; b: number } {
  return fitWeightedRidgeLambdas(X, F, idx, y, wt, [lambda])[0];
}

/** fitWeightedRidge for several λ from one XᵀWX. */
export function fitWeightedRidgeLambdas(X: Float32Array, F: number, idx: number[], y: number[], wt: number[], lambdas: number[]): { w: Float64Array; b: number }[] {
  const n = idx.length;
  const total = wt.reduce((s, v) => s + v, 0);
  const mu = new Float64Array(F);
  let yMean = 0;
  idx.forEach((r, i) => {
    yMean += (wt[i] * y[i]) / total;
    for (let j = 0; j < F; j++) mu[j] += (wt[i] * X[r * F + j]) / total;
  });
  const Z = new Float32Array(n * F);
  const rhs = new Float64Array(F);
  idx.forEach((r, i) => {
    const s = Math.sqrt(wt[i]);
    const dy = wt[i] * (y[i] - yMean);
    for (let j = 0; j < F; j++) {
      const c = X[r * F + j] - mu[j];
      Z[i * F + j] = c * s;
      rhs[j] += c * dy;
    }
  });
  const G = tf.tidy(() => {
    const t = tf.tensor2d(Z, [n, F]);
    return tf.matMul(tf.transpose(t), t);
  });
  const A0 = Float64Array.from(G.dataSync());
  G.dispose();
  return lambdas.map((lambda) => {
    const A = A0.slice();
    for (let j = 0; j < F; j++) A[j * F + j] += lambda;
    const w = choleskySolve(A, rhs, F);
    let b = yMean;
    for (let j = 0; j < F; j++) b -= w[j] * mu[j];
    return { w, b };
  });
}

/** One column per aspect of `aspects`, fitted on standardized rows X. */
export function fitAspectColumns(X: Float32Array, F: number, rows: FeatureRow[], labels: Map<string, Label>, cfg: AspectFitConfig, aspects: readonly AspectId[]): { w: Float64Array; b: number }[] {
  return fitAspectColumnsLambdas(X, F, rows, labels, cfg, aspects, (a) => [lambdaOf(cfg, a)]).map((c) => c[0]);
}

export const lambdaOf = (cfg: AspectFitConfig, a: AspectId) => (typeof cfg.lambda === 'number' ? cfg.lambda : (cfg.lambda[a] ?? (DEFAULT_ASPECT_FIT.lambda as number)));

/** Per aspect, its column for each λ that `lambdas` gives it. */
export function fitAspectColumnsLambdas(
  X: Float32Array,
  F: number,
  rows: FeatureRow[],
  labels: Map<string, Label>,
  cfg: AspectFitConfig,
  aspects: readonly AspectId[],
  lambdas: (a: AspectId) => number[],
): { w: Float64Array; b: number }[][] {
  return aspects.map((a) => {
    const idx: number[] = [];
    const y: number[] = [];
    const wt: number[] = [];
    rows.forEach((r, i) => {
      const t = targetOf(a, r, labels.get(r.image), cfg);
      if (!t) return;
      idx.push(i);
      y.push(t.y);
      wt.push(t.w);
    });
    if (!idx.length) throw new Error(`no training rows for the aspect "${a}": are the labels there?`);
    return fitWeightedRidgeLambdas(X, F, idx, y, wt, lambdas(a));
  });
}

/** An affine map of a column's raw output, raw → 0.35 + slope·(raw − at35). */
export interface Calibration {
  at35: number;
  slope: number;
  /** Shares on the rows it was chosen on (held-out predictions of train photos). */
  flaggedShare: number;
  labelledShare: number;
  precision: number;
}

/**
 * Chooses where a column says "a buyer would notice" (0.35) from held-out predictions `raw` of
 * labelled photos with label severities `y`: the lowest threshold that flags between 3/4 and
 * 5/4 of the share the labels flag and keeps at least 3 in 4 flags on labelled defects; if no
 * threshold in that range is that precise, the most precise of them. The slope is the
 * held-out least-squares slope of the label on the prediction, so severities keep the labels'
 * scale around the threshold (and stay comparable across aspects when reasons are ordered).
 */
export function calibrate(raw: number[], y: number[], options: { minShare?: number; maxShare: number; precision: number } = { maxShare: 1.25, precision: 0.75 }): Calibration {
  const opts = { minShare: 0.75, ...options };
  const n = raw.length;
  const positives = y.filter((v) => v >= NOTICE_AT).length;
  const order = raw.map((v, i) => [v, y[i] >= NOTICE_AT ? 1 : 0] as const).sort((a, b) => b[0] - a[0]);
  const lo = Math.max(1, Math.ceil(opts.minShare * positives));
  const hi = Math.max(lo, Math.floor(opts.maxShare * positives));
  let hits = 0;
  let best = { k: lo, precision: -1 };
  let chosen = -1;
  for (let k = 1; k <= Math.min(hi, n); k++) {
    hits += order[k - 1][1];
    if (k < lo) continue;
    const p = hits / k;
    if (p >= opts.precision) chosen = k;
    if (p > best.precision) best = { k, precision: p };
  }
  return calibrationAt(raw, y, chosen > 0 ? chosen : best.k);
}

/** The calibration that flags exactly the k highest of `raw` (its slope as in calibrate). */
export function calibrationAt(raw: number[], y: number[], k: number): Calibration {
  const n = raw.length;
  const positives = y.filter((v) => v >= NOTICE_AT).length;
  const order = raw.map((v, i) => [v, y[i] >= NOTICE_AT ? 1 : 0] as const).sort((a, b) => b[0] - a[0]);
  k = Math.min(n, Math.max(1, k));
  // between the k-th and the next prediction, so exactly k photos reach 0.35
  const at35 = k < n ? (order[k - 1][0] + order[k][0]) / 2 : order[n - 1][0];
  const flaggedHits = order.slice(0, k).reduce((s, o) => s + o[1], 0);
  const mr = raw.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  raw.forEach((v, i) => {
    sxy += (v - mr) * (y[i] - my);
    sxx += (v - mr) ** 2;
  });
  const slope = sxx > 0 && sxy > 0 ? sxy / sxx : 1;
  return { at35, slope, flaggedShare: k / n, labelledShare: positives / n, precision: flaggedHits / k };
}
