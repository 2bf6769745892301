import { LABELLED_ASPECTS, type LabelledAspectId } from '../../../src/core/aspects';
import { overallScale } from '../cv-labels';
import { readSplit, type Row } from '../dataset';
import { NOTICE_AT, trainLabelsOrExit, type Label } from '../labels';
import { rng } from '../rng';
import { parseArgs } from '../../lib/cli';

// How much people's ratings mark a defect down, next to how much the step-by-step labels do.
// The quality score learns from the ratings (BIQ2021 MOS), so a fix can raise the score only for
// a defect people rated down. For each aspect: the labelled train photos that show it (severity
// ≥ 0.35), each against the photos of its own subset with the same overall from the labels and
// without the defect. The labels' overall already holds the defect, so a gap near zero says people
// weigh it as the labels do; above zero, that people forgive it (the flagged photo is rated above
// photos the labels call as good); below zero, that people mark it down harder.

const HELP = `npm run label-gaps -- [--min-matches 5] [--resamples 2000]

Train photos only (train.csv, ../shared/data/labels). Prints, per aspect, the photos the labels
flag, those matched (at least --min-matches unflagged photos of the same subset and overall), and
the mean gap of their MOS to their matches', in MOS and in points of the 0–100 score (the MOS
range between train's 2nd and 98th percentiles maps to 100), with a 95 % bootstrap interval over
the flagged photos.`;

export interface GapPhoto {
  subset: string;
  mos: number;
  overall: number;
  sev: Label['sev'];
}

export interface AspectGap {
  aspect: LabelledAspectId;
  flagged: number;
  matched: number;
  /** Mean MOS of each matched flagged photo minus its matches' mean MOS. */
  gap: number;
  /** 95 % bootstrap interval of `gap`, resampling the matched flagged photos. */
  low: number;
  high: number;
}

/** Each aspect's gap; an aspect no flagged photo could be matched for has NaN figures. */
export function labelGaps(photos: GapPhoto[], aspects: readonly LabelledAspectId[], opts: { minMatches?: number; resamples?: number; seed?: number } = {}): AspectGap[] {
  const { minMatches = 5, resamples = 2000, seed = 20261203 } = opts;
  return aspects.map((aspect) => {
    const flagged = photos.filter((p) => p.sev[aspect] >= NOTICE_AT);
    // the unflagged photos' MOS by subset and overall
    const pools = new Map<string, { sum: number; n: number }>();
    for (const p of photos) {
      if (p.sev[aspect] >= NOTICE_AT) continue;
      const key = `${p.subset}/${p.overall}`;
      const pool = pools.get(key) ?? { sum: 0, n: 0 };
      pool.sum += p.mos;
      pool.n++;
      pools.set(key, pool);
    }
    const gaps = flagged.flatMap((p) => {
      const pool = pools.get(`${p.subset}/${p.overall}`);
      return pool && pool.n >= minMatches ? [p.mos - pool.sum / pool.n] : [];
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const draw = rng(seed);
    const means = Array.from({ length: gaps.length ? resamples : 0 }, () => mean(gaps.map(() => gaps[Math.floor(draw() * gaps.length)]))).sort((a, b) => a - b);
    return {
      aspect,
      flagged: flagged.length,
      matched: gaps.length,
      gap: gaps.length ? mean(gaps) : NaN,
      low: means.length ? means[Math.floor(0.025 * means.length)] : NaN,
      high: means.length ? means[Math.floor(0.975 * means.length)] : NaN,
    };
  });
}

/** Points of the 0–100 score per unit of MOS, by the calibration's own map (train's 2nd–98th percentiles). */
export function pointsPerMos(rows: Row[]): number {
  const { lo, hi } = overallScale(rows);
  return 100 / (hi - lo);
}

function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const rows = readSplit('train');
  const labels = trainLabelsOrExit(rows.map((r) => ({ image: r.image, split: 'train' })));
  const photos: GapPhoto[] = rows.flatMap((r) => {
    const l: Label | undefined = labels.get(r.image);
    return l ? [{ subset: r.subset, mos: r.mos, overall: l.overall, sev: l.sev }] : [];
  });
  const per = pointsPerMos(rows);
  const gaps = labelGaps(photos, LABELLED_ASPECTS, { minMatches: Number(flags['min-matches'] ?? 5), resamples: Number(flags.resamples ?? 2000) });
  const f = (x: number, d = 3) => (x >= 0 ? '+' : '') + x.toFixed(d);
  console.log(`${photos.length} labelled train photos; 1 MOS = ${per.toFixed(1)} points\n`);
  console.log('| aspect | flagged | matched | MOS gap (95 % interval) | points |');
  console.log('|---|---:|---:|---:|---:|');
  for (const g of [...gaps].sort((a, b) => b.gap - a.gap)) console.log(`| ${g.aspect} | ${g.flagged} | ${g.matched} | ${f(g.gap)} (${f(g.low)} … ${f(g.high)}) | ${f(g.gap * per, 1)} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
