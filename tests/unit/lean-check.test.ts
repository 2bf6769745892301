import type { Pixels } from '../../src/core/image/views';
import { leans } from '../../src/core/fix/straighten';
import { leanTrials } from '../../tools/model/experiments/lean-check';

/** Level soft stripes with a little grain: the lines of a photo shot straight. */
function levelStripes(W = 320, H = 240): Pixels {
  const data = new Float32Array(W * H * 3);
  let seed = 7;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const g = 128 + 60 * Math.sin((2 * Math.PI * y) / 24) + ((seed / 2 ** 31) * 8 - 4);
      for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = g;
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

/** Level stripes on the left half; on the right, 12² patches of short stripes, each at its own random lean. */
function stripesBesideShortLines(W = 320, H = 240): Pixels {
  const px = levelStripes(W, H);
  const data = px.data as Float32Array;
  let seed = 11;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let by = 0; by < H; by += 12) {
    for (let bx = W / 2; bx < W; bx += 12) {
      const t = ((next() * 80 - 40) * Math.PI) / 180;
      for (let y = by; y < Math.min(H, by + 12); y++) {
        for (let x = bx; x < Math.min(W, bx + 12); x++) {
          const g = 128 + 60 * Math.sin((2 * Math.PI * (x * Math.sin(t) + y * Math.cos(t))) / 6);
          for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = g;
        }
      }
    }
  }
  return px;
}

describe('lean check', () => {
  it('finds the turn it gave a level photo, and no lean on it untouched', () => {
    const { own, trials } = leanTrials(levelStripes(), [-5, 3], 3);
    expect(Math.abs(own)).toBeLessThan(0.3);
    expect(trials.map((t) => t.angle)).toEqual([-5, 3]);
    for (const t of trials) {
      expect(Math.abs(t.error)).toBeLessThan(0.5);
      expect(Math.abs(t.bestError)).toBeLessThanOrEqual(Math.abs(t.error));
    }
  });

  it('counts no block less line-like than asked, and then finds no lean', () => {
    expect(leans(levelStripes(), 1, { minCoherence: 1.01 })).toEqual([]);
    expect(leanTrials(levelStripes(), [3], 3, { minCoherence: 1.01 }).trials[0].error).toBe(Number.POSITIVE_INFINITY);
    // larger blocks read the same level lines
    expect(Math.abs(leans(levelStripes(), 1, { block: 24 })[0].degrees)).toBeLessThan(0.3);
  });

  it('with continuity, counts the lines that run on across blocks and drops the short ones', () => {
    const px = stripesBesideShortLines();
    const plain = leans(px, 1)[0];
    const continued = leans(px, 1, { continuity: true })[0];
    expect(Math.abs(continued.degrees)).toBeLessThan(0.3);
    // the short lines, at every lean, no longer dilute the level lines' share
    expect(continued.share).toBeGreaterThan(plain.share + 0.1);
  });
});
