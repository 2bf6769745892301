import { batchResult } from '../../tools/bench/batch';
import { median, medianOf, percentile } from '../../tools/bench/stats';

describe('bench statistics', () => {
  it('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1, unsorted on purpose
    expect(percentile(xs, 50)).toBe(10);
    expect(percentile(xs, 95)).toBe(19);
    expect(percentile(xs, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('medians over runs skip missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([{ a: 5 }, { a: undefined }, { a: 1 }, { a: 3 }], (r) => r.a)).toBe(3);
  });

  it('a batch from arrival times: one at a time each photo is the gap since the one before', () => {
    // one at a time: 100, 130, 120 ms each; at once: in any order
    const r = batchResult([100, 230, 350], [210, 90, 300], [500, 1000, 1600]);
    expect(r).toEqual({
      photos: 3,
      ours: { firstMs: 90, lastMs: 300 },
      oursSingly: { firstMs: 100, p50Ms: 120, totalMs: 350 },
      peer: { firstMs: 500, lastMs: 1600 },
    });
  });
});
