// Ridge regression in closed form, for the baselines and as a quality-head candidate:
// w = (XᵀX + λI)⁻¹ Xᵀ(y − ȳ) on standardized features, solved by Cholesky.

/** Solves A x = b for a symmetric positive-definite A (n×n, row-major), in place of a copy. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (s <= 0) throw new Error(`matrix is not positive definite at row ${i}`);
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/**
 * Fits ridge weights on rows of standardized features (row-major, `width` columns), optionally
 * weighting rows (a row of weight k counts as k copies).
 */
export function fitRidge(X: Float32Array, width: number, y: number[], lambda: number, rowWeight: (r: number) => number = () => 1): { w: Float64Array; b: number } {
  const n = y.length;
  let total = 0;
  let mean = 0;
  for (let r = 0; r < n; r++) {
    total += rowWeight(r);
    mean += rowWeight(r) * y[r];
  }
  mean /= total;
  const A = new Float64Array(width * width);
  const rhs = new Float64Array(width);
  for (let r = 0; r < n; r++) {
    const row = X.subarray(r * width, (r + 1) * width);
    const k = rowWeight(r);
    const yr = (y[r] - mean) * k;
    for (let i = 0; i < width; i++) {
      const xi = row[i];
      if (xi === 0) continue;
      rhs[i] += xi * yr;
      const xik = xi * k;
      const off = i * width;
      for (let j = 0; j <= i; j++) A[off + j] += xik * row[j];
    }
  }
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < i; j++) A[j * width + i] = A[i * width + j];
    A[i * width + i] += lambda;
  }
  return { w: choleskySolve(A, rhs, width), b: mean };
}

/** XᵀX (lower triangle filled, then mirrored) and column sums, over the rows `rows` of X. */
export function gram(X: Float32Array, width: number, rows: Iterable<number>): Float64Array {
  const A = new Float64Array(width * width);
  for (const r of rows) {
    const row = X.subarray(r * width, (r + 1) * width);
    for (let i = 0; i < width; i++) {
      const xi = row[i];
      if (xi === 0) continue;
      const off = i * width;
      for (let j = 0; j <= i; j++) A[off + j] += xi * row[j];
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) A[j * width + i] = A[i * width + j];
  return A;
}

/**
 * Ridge for several targets over the same rows, where each target up-weights a few rows:
 * the shared Gram matrix is computed once and each target adds (k − 1)·xᵀx for its own rows.
 */
export function fitRidgeMany(X: Float32Array, width: number, targets: { y: number[]; heavy: number[]; weight: number }[], lambda: number): { w: Float64Array; b: number }[] {
  const n = targets[0]?.y.length ?? 0;
  const base = gram(
    X,
    width,
    Array.from({ length: n }, (_, i) => i),
  );
  return targets.map(({ y, heavy, weight }) => {
    const heavySet = new Set(heavy);
    const k = (r: number) => (heavySet.has(r) ? weight : 1);
    let total = 0;
    let mean = 0;
    for (let r = 0; r < n; r++) {
      total += k(r);
      mean += k(r) * y[r];
    }
    mean /= total;
    const A = base.slice();
    const extra = gram(X, width, heavy);
    for (let i = 0; i < A.length; i++) A[i] += (weight - 1) * extra[i];
    for (let i = 0; i < width; i++) A[i * width + i] += lambda;
    const rhs = new Float64Array(width);
    for (let r = 0; r < n; r++) {
      const yr = (y[r] - mean) * k(r);
      if (yr === 0) continue;
      const row = X.subarray(r * width, (r + 1) * width);
      for (let i = 0; i < width; i++) rhs[i] += row[i] * yr;
    }
    return { w: choleskySolve(A, rhs, width), b: mean };
  });
}

/**
 * The normal equations of `fitRidgeWithinGroups` before λ: A = XᵀX less the within-group share
 * of each group's mean outer product, and Xᵀ(target). `A` may be passed in when XᵀX was
 * computed elsewhere (on the tfjs backend, see cv.ts); it is changed in place.
 */
export function withinGroupsSystem(
  X: Float32Array,
  width: number,
  y: number[],
  group: string[],
  pooledShare: number,
  A: Float64Array = gram(
    X,
    width,
    Array.from({ length: y.length }, (_, i) => i),
  ),
): { A: Float64Array; rhs: Float64Array; b: number } {
  const n = y.length;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const byGroup = new Map<string, number[]>();
  group.forEach((g, r) => (byGroup.get(g) ?? byGroup.set(g, []).get(g)!).push(r));
  const target = y.slice();
  for (const rows of byGroup.values()) {
    const mu = new Float64Array(width);
    let yMean = 0;
    for (const r of rows) {
      yMean += y[r] / rows.length;
      for (let i = 0; i < width; i++) mu[i] += X[r * width + i] / rows.length;
    }
    const k = (1 - pooledShare) * rows.length;
    for (let i = 0; i < width; i++) for (let j = 0; j < width; j++) A[i * width + j] -= k * mu[i] * mu[j];
    for (const r of rows) target[r] = y[r] - pooledShare * mean - (1 - pooledShare) * yMean;
  }
  const rhs = new Float64Array(width);
  for (let r = 0; r < n; r++) {
    const row = X.subarray(r * width, (r + 1) * width);
    for (let i = 0; i < width; i++) rhs[i] += row[i] * target[r];
  }
  return { A, rhs, b: mean };
}

/**
 * Ridge for a target that is only comparable within groups (BIQ2021 rated each subset on its
 * own scale). The loss is a mix of the pooled squared error (share `pooledShare`) and the
 * squared error after centring features and target per group — the latter equals least
 * squares on the differences of every within-group pair, so that part only learns to order
 * photos of the same group. With pooledShare = 1 this is fitRidge.
 *   A = XᵀX − (1 − s) Σ_g n_g μ_g μ_gᵀ + λI,  rhs = Xᵀ(y − s·ȳ − (1 − s)·ȳ_g)
 */
export function fitRidgeWithinGroups(X: Float32Array, width: number, y: number[], group: string[], lambda: number, pooledShare: number): { w: Float64Array; b: number } {
  const { A, rhs, b } = withinGroupsSystem(X, width, y, group, pooledShare);
  for (let i = 0; i < width; i++) A[i * width + i] += lambda;
  return { w: choleskySolve(A, rhs, width), b };
}
