import { auc, pearson, ranks, spearman } from '../../tools/model/metrics';

describe('metrics', () => {
  it('ranks ties by their mean position', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it('pearson matches a hand computation', () => {
    // a = 1,2,3,4; b = 2,4,5,9: da = ∓1.5,∓0.5; db = −3,−1,0,4; Σda·db = 11; Σda² = 5; Σdb² = 26
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(5 * 26), 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('spearman is 1 for any monotone relation and handles ties', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBeCloseTo(1, 12);
    // ranks a: 1,2,3 ; b (ties): 1.5,1.5,3 → pearson of those
    expect(spearman([1, 2, 3], [7, 7, 9])).toBeCloseTo(pearson([1, 2, 3], [1.5, 1.5, 3]), 12);
  });

  it('auc counts ordered pairs, ties as half', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1, 2], [3, 4])).toBe(0);
    // pairs: (2 vs 1) win, (2 vs 2) tie, (0 vs 1) loss, (0 vs 2) loss → 1.5 / 4
    expect(auc([2, 0], [1, 2])).toBe(0.375);
  });

  it('rejects inputs it cannot measure', () => {
    expect(() => pearson([1], [1])).toThrow(/≥2/);
    expect(() => auc([], [1])).toThrow(/positive/);
  });
});

describe('ridge', () => {
  it('solves a hand-checked 2×2 system and recovers a linear rule', async () => {
    const { choleskySolve, fitRidge } = await import('../../tools/model/ridge');
    // [4 2; 2 3] x = [2; 1] → x = [0.5; 0]
    expect(Array.from(choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]), 2))).toEqual([0.5, 0]);
    // centred features (as after standardization), y = 0.5 + 2·x0 − x1
    const X = new Float32Array([1, 0, 0, 1, -1, 0, 0, -1]);
    const y = [0.5 + 2, 0.5 - 1, 0.5 - 2, 0.5 + 1];
    const { w, b } = fitRidge(X, 2, y, 1e-9);
    expect(w[0]).toBeCloseTo(2, 6);
    expect(w[1]).toBeCloseTo(-1, 6);
    expect(b).toBeCloseTo(0.5, 9);
  });
});

describe('ridge for many targets', () => {
  it('matches one weighted ridge per target', async () => {
    const { fitRidge, fitRidgeMany } = await import('../../tools/model/ridge');
    const X = new Float32Array([1, 0.5, -1, 0.2, 0.3, -0.7, -0.3, 0.9, 0.1, -0.4, -1.1, 0.6]);
    const y1 = [1, 0, 2, 1, 0, 3];
    const y2 = [0, 1, 0, 0, 1, 0];
    const many = fitRidgeMany(
      X,
      2,
      [
        { y: y1, heavy: [2], weight: 5 },
        { y: y2, heavy: [1, 4], weight: 3 },
      ],
      0.5,
    );
    const one = fitRidge(X, 2, y1, 0.5, (r) => (r === 2 ? 5 : 1));
    const two = fitRidge(X, 2, y2, 0.5, (r) => (r === 1 || r === 4 ? 3 : 1));
    [
      [many[0], one],
      [many[1], two],
    ].forEach(([a, b]) => {
      expect(a.b).toBeCloseTo(b.b, 10);
      a.w.forEach((v, i) => expect(v).toBeCloseTo(b.w[i], 10));
    });
  });
});

describe('ridge within groups', () => {
  // one feature; group a: x = 0, 1 → y = 0, 1; group b: x = 10, 11 → y = 0, 1 (its own scale)
  const X = new Float32Array([0, 1, 10, 11]);
  const y = [0, 1, 0, 1];
  const group = ['a', 'a', 'b', 'b'];

  it('orders within groups only when the pooled share is 0', async () => {
    const { fitRidgeWithinGroups } = await import('../../tools/model/ridge');
    // centred per group: x = ∓0.5, y = ∓0.5 → w = Σxy / (Σx² + λ) = 1 / (1 + λ)
    expect(fitRidgeWithinGroups(X, 1, y, group, 0, 0).w[0]).toBeCloseTo(1, 9);
    expect(fitRidgeWithinGroups(X, 1, y, group, 1, 0).w[0]).toBeCloseTo(0.5, 9);
    expect(fitRidgeWithinGroups(X, 1, y, group, 1, 0).b).toBe(0.5);
  });

  it('mixes in the pooled error by its share, and is plain ridge at share 1', async () => {
    const { fitRidge, fitRidgeWithinGroups } = await import('../../tools/model/ridge');
    // pooled part: Σx² = 222, Σx(y − 0.5) = 1; within part: 1 and 1 → w = (s·1 + (1 − s)·1) / (s·222 + (1 − s)·1 + λ)
    expect(fitRidgeWithinGroups(X, 1, y, group, 1, 0.5).w[0]).toBeCloseTo(1 / (111 + 0.5 + 1), 9);
    expect(fitRidgeWithinGroups(X, 1, y, group, 1, 1).w[0]).toBeCloseTo(fitRidge(X, 1, y, 1).w[0], 12);
  });
});
