import { describe, expect, it } from 'vitest';
import { summariseAb } from '../../tools/bench/ab-report';

describe('bench:ab summary', () => {
  const pass = (base: number) => ({ totalMs: [base, base + 10, base + 20, base + 30], modelMs: [base / 2, base / 2 + 5, base / 2 + 10, base / 2 + 15] });

  it('takes each round’s ratio of the two builds and the median over rounds, on p25 and p50', () => {
    // round 2 is slowed for A by load that came and went: the median holds
    const s = summariseAb([
      { a: pass(90), b: pass(100) },
      { a: pass(190), b: pass(100) },
      { a: pass(90), b: pass(100) },
    ]);
    expect(s.rounds).toBe(3);
    expect(s.perRound.map((r) => r.ratio)).toEqual([0.9, 1.9, 0.9]);
    expect(s.ratio.totalP25).toBeCloseTo(0.9);
    expect(s.ratio.totalP50).toBeCloseTo(100 / 110);
    expect(s.ratio.modelP25).toBeCloseTo(45 / 50);
    expect(s.spread).toEqual([0.9, 1.9]);
  });
});
