import type { FeatureRow } from './features-file';

// Standardized features: what every head is fitted on, and what the shipped head folds back into
// its weights so that the browser feeds it raw features.

export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

/**
 * Per-feature mean and standard deviation. A feature that (almost) never varies in training —
 * e.g. the aspect ratio: every training photo is square, and only a few down-scaled copies are
 * off by a rounded pixel — gets an infinite deviation, so the head ignores it instead of
 * extrapolating from a value it never saw vary. "Almost never": under 5 % of rows away from
 * the median.
 */
export function fitStandardizer(rows: FeatureRow[]): Standardizer {
  const F = rows[0].f.length;
  const mean = new Float32Array(F);
  const std = new Float32Array(F);
  for (const r of rows) for (let j = 0; j < F; j++) mean[j] += r.f[j] / rows.length;
  for (const r of rows) for (let j = 0; j < F; j++) std[j] += (r.f[j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < F; j++) {
    std[j] = Math.sqrt(std[j]);
    const col = rows.map((r) => r.f[j]).sort((a, b) => a - b);
    const median = col[col.length >> 1];
    const varied = col.filter((v) => Math.abs(v - median) > 1e-6 * Math.max(1, Math.abs(median))).length;
    if (!(std[j] > 0) || varied < 0.05 * rows.length) std[j] = Infinity;
  }
  return { mean, std };
}

/** Rows the standardizer is fitted on: the turned copies came later and leave the quality fit as it was. */
export const standardizerRows = (rows: FeatureRow[]) => rows.filter((r) => !r.turn && !r.stored);

export function standardized(rows: FeatureRow[], s: Standardizer): Float32Array {
  const F = s.mean.length;
  const data = new Float32Array(rows.length * F);
  rows.forEach((r, i) => {
    for (let j = 0; j < F; j++) data[i * F + j] = (r.f[j] - s.mean[j]) / s.std[j];
  });
  return data;
}
