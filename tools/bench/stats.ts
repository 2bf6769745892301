// Small statistics for the bench: nearest-rank percentiles and medians over runs.

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

export const median = (xs: number[]) => {
  const v = xs.filter((x) => Number.isFinite(x));
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The median over runs of a number picked from each run (runs lacking it are skipped). */
export function medianOf<T>(runs: T[], pick: (r: T) => number | undefined): number {
  return median(runs.map(pick).filter((x): x is number => typeof x === 'number'));
}

export const round = (x: number, digits = 0) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);
