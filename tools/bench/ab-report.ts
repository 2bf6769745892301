import { median, percentile } from './stats';

// Two builds' page paths measured in alternating rounds (`npm run bench:ab`): per round, each
// build's per-photo times; per round, the ratio of the two. External load on this machine adds
// only delay, so a low percentile of each pass and the median of the rounds' ratios are the
// figures that hold still between invocations.

/** One pass of one build over the photos: each photo's total (decode → advice) and model-part times, ms. */
export interface Pass {
  totalMs: number[];
  modelMs: number[];
}

export interface AbSummary {
  rounds: number;
  /** Per round: build A's and B's p25 of the total time, and A / B. */
  perRound: { a: number; b: number; ratio: number }[];
  /** Median over rounds of A / B, on the p25 and on the p50 of each pass, total and model part. */
  ratio: { totalP25: number; totalP50: number; modelP25: number; modelP50: number };
  /** The middle half of the rounds' A / B (total, p25): how far one round is from another. */
  spread: [number, number];
}

export function summariseAb(rounds: { a: Pass; b: Pass }[]): AbSummary {
  const ratioOf = (pick: (p: Pass) => number[], q: number) => median(rounds.map((r) => percentile(pick(r.a), q) / percentile(pick(r.b), q)));
  const perRound = rounds.map((r) => {
    const a = percentile(r.a.totalMs, 25);
    const b = percentile(r.b.totalMs, 25);
    return { a, b, ratio: a / b };
  });
  const ratios = perRound.map((r) => r.ratio);
  return {
    rounds: rounds.length,
    perRound,
    ratio: {
      totalP25: ratioOf((p) => p.totalMs, 25),
      totalP50: ratioOf((p) => p.totalMs, 50),
      modelP25: ratioOf((p) => p.modelMs, 25),
      modelP50: ratioOf((p) => p.modelMs, 50),
    },
    spread: [percentile(ratios, 25), percentile(ratios, 75)],
  };
}
