import { ASPECTS } from '../../src/core/aspects';
import { auc, pearson, spearman } from './metrics';

// Figures for a set of predictions: SRCC/PLCC of quality against MOS, pooled and per subset,
// and per-aspect AUC (damaged copies of a photo vs untouched photos).

export interface Prediction {
  subset: string;
  mos: number | null;
  aspect: string | null;
  raw: ArrayLike<number>; // quality, then severities in ASPECTS order
}

export interface Figures {
  n: number;
  srcc: Record<string, number>;
  plcc: Record<string, number>;
  aspectAuc: Record<string, number>;
}

const round = (v: number) => Math.round(v * 10000) / 10000;

export function figures(preds: Prediction[]): Figures {
  const rated = preds.filter((p) => p.mos !== null);
  const groups: Record<string, Prediction[]> = { pooled: rated };
  for (const p of rated) {
    groups[p.subset] ??= [];
    groups[p.subset].push(p);
  }
  const srcc: Record<string, number> = {};
  const plcc: Record<string, number> = {};
  for (const [name, g] of Object.entries(groups)) {
    if (g.length < 3) continue;
    srcc[name] = round(
      spearman(
        g.map((p) => p.raw[0]),
        g.map((p) => p.mos!),
      ),
    );
    plcc[name] = round(
      pearson(
        g.map((p) => p.raw[0]),
        g.map((p) => p.mos!),
      ),
    );
  }
  const aspectAuc: Record<string, number> = {};
  ASPECTS.forEach((a, i) => {
    const pos = preds.filter((p) => p.aspect === a).map((p) => p.raw[i + 1]);
    const neg = rated.map((p) => p.raw[i + 1]);
    if (pos.length && neg.length) aspectAuc[a] = round(auc(pos, neg));
  });
  return { n: rated.length, srcc, plcc, aspectAuc };
}

export function figuresTable(title: string, f: Figures): string {
  const subsets = Object.keys(f.srcc);
  const lines = [
    `${title} (n=${f.n})`,
    `  ${'metric'.padEnd(6)} ${subsets.map((s) => s.padStart(7)).join(' ')}`,
    `  ${'SRCC'.padEnd(6)} ${subsets.map((s) => f.srcc[s].toFixed(3).padStart(7)).join(' ')}`,
    `  ${'PLCC'.padEnd(6)} ${subsets.map((s) => f.plcc[s].toFixed(3).padStart(7)).join(' ')}`,
    `  aspect AUC: ${Object.entries(f.aspectAuc)
      .map(([a, v]) => `${a} ${v.toFixed(3)}`)
      .join(', ')}`,
  ];
  return lines.join('\n');
}
