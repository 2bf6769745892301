// Rank and linear correlation, and ROC AUC, on plain arrays.

/** Average ranks (1-based), ties sharing the mean of their positions. */
export function ranks(xs: number[]): number[] {
  const idx = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k][1]] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson's linear correlation (PLCC). */
export function pearson(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length < 2) throw new Error(`pearson needs two equal arrays of ≥2 values (got ${a.length}, ${b.length})`);
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Spearman's rank correlation (SRCC): Pearson on average ranks. */
export function spearman(a: number[], b: number[]): number {
  return pearson(ranks(a), ranks(b));
}

/** Area under the ROC curve: P(score of a positive > score of a negative), ties count half. */
export function auc(positives: number[], negatives: number[]): number {
  if (!positives.length || !negatives.length) throw new Error('auc needs at least one positive and one negative');
  const r = ranks([...positives, ...negatives]);
  const sumPos = r.slice(0, positives.length).reduce((s, v) => s + v, 0);
  const np = positives.length;
  return (sumPos - (np * (np + 1)) / 2) / (np * negatives.length);
}
