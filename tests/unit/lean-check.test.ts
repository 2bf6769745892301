import type { Pixels } from '../../src/core/image/views';
import { leans } from '../../src/core/fix/straighten';
import { PNG } from 'pngjs';
import { leanTrials, lineSheet } from '../../tools/model/experiments/lean-check';
import { convergedLean, linePixels, lineLeans, straightLines } from '../../tools/model/experiments/line-leans';

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
    expect(Math.abs(own ?? Number.NaN)).toBeLessThan(0.3);
    expect(trials.map((t) => t.angle)).toEqual([-5, 3]);
    for (const t of trials) {
      expect(Math.abs(t.error)).toBeLessThan(0.5);
      expect(Math.abs(t.drift ?? Number.NaN)).toBeLessThan(0.5);
      expect(Math.abs(t.bestError)).toBeLessThanOrEqual(Math.abs(t.error));
    }
  });

  it('counts no block less line-like than asked, and then finds no lean', () => {
    expect(leans(levelStripes(), 1, { minCoherence: 1.01 })).toEqual([]);
    const none = leanTrials(levelStripes(), [3], 3, (p, n) => leans(p, n, { minCoherence: 1.01 }));
    expect(none.own).toBeNull();
    expect(none.trials[0].error).toBe(Number.POSITIVE_INFINITY);
    expect(none.trials[0].drift).toBeNull();
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

/** A flat grey photo with one dark bar through its centre at `deg` from level (y down: clockwise as seen), over grain. */
function oneBar(deg: number, W = 320, H = 240): Pixels {
  const data = new Float32Array(W * H * 3);
  const t = (deg * Math.PI) / 180;
  let seed = 3;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // distance from the bar's middle line, across it
      const v = (y - H / 2) * Math.cos(t) - (x - W / 2) * Math.sin(t);
      const g = 180 - 120 * Math.exp(-((v / 4) ** 2)) + ((seed / 2 ** 31) * 10 - 5);
      for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = g;
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

describe('long straight lines (the lean-check reader)', () => {
  it.each([-7, -2.5, 0, 3, 9])('reads one long %s° bar as a lean of the opposite sign (counter-clockwise positive)', (deg) => {
    const [first] = lineLeans(oneBar(deg), 3);
    expect(Math.abs(first.degrees + deg)).toBeLessThan(0.3);
    expect(first.share).toBeGreaterThan(0.5);
  });

  it('agrees in sign with the block reading on the same photo', () => {
    const px = oneBar(4);
    expect(Math.sign(lineLeans(px, 1)[0].degrees)).toBe(Math.sign(leans(px, 1)[0].degrees));
  });

  it('finds no line in grain, weighs short lines little, and reads none past the straighten’s reach', () => {
    const flat = oneBar(0);
    const grain = { ...flat, data: (flat.data as Float32Array).map((v, i) => (Math.floor(i / 3) % 320 < 1 ? v : 180 + (v % 7))) };
    expect(straightLines(grain)).toEqual([]);
    // beside level stripes, patches of short stripes at every lean dilute the lines' weight less than the blocks'
    const px = stripesBesideShortLines();
    const [line] = lineLeans(px, 1);
    expect(Math.abs(line.degrees)).toBeLessThan(0.3);
    expect(line.share).toBeGreaterThan(leans(px, 1)[0].share + 0.1);
    expect(lineLeans(oneBar(20), 1)).toEqual([]);
  });

  it('follows a turn the straighten gives a photo, through lean-check', () => {
    const { own, trials } = leanTrials(oneBar(0), [-5, 3], 1, lineLeans);
    expect(Math.abs(own ?? Number.NaN)).toBeLessThan(0.3);
    for (const t of trials) expect(Math.abs(t.error)).toBeLessThan(0.5);
  });

  it('places a line where its edge pixels are: drawn, it runs along the bar', () => {
    const px = oneBar(5);
    const data = px.data as Float32Array;
    const [line] = straightLines(px);
    const drawn = linePixels(line, px.width, px.height);
    expect(drawn.length).toBeGreaterThan(200);
    // the bar is dark (60 at its middle against 180 around it); the line found is one of its two edges, within 4 px of its middle
    const dark = drawn.filter(([x, y]) => {
      let min = 255;
      for (let k = -4; k <= 4; k++) if (y + k >= 0 && y + k < px.height) min = Math.min(min, data[((y + k) * px.width + x) * 3]);
      return min < 90;
    });
    expect(dark.length / drawn.length).toBeGreaterThan(0.95);
    // the sheet draws the lines at the strongest lean red, the others yellow
    const sheet = PNG.sync.read(lineSheet(px, [line, { ...line, deg: -8, rho: 60 }], lineLeans(px, 1)[0].degrees));
    const at = ([x, y]: [number, number]) => Array.from(sheet.data.subarray((y * px.width + x) * 4, (y * px.width + x) * 4 + 3));
    expect(at(drawn[100])).toEqual([255, 0, 0]);
    expect(at(linePixels({ ...line, deg: -8, rho: 60 }, px.width, px.height)[5])).toEqual([255, 220, 0]);
  });

  it('reads a converging family at the centre: the roll, not the lean of its outer lines', () => {
    // upright lines meeting far above the photo lean in proportion to where they are, all turned 2° by a roll; one stray line
    const family = [-150, -90, -30, 30, 90, 150].map((rho) => ({ deg: 2 + 0.02 * rho, rho, votes: 60, upright: true }));
    const read = convergedLean([...family, { deg: -6, rho: 10, votes: 60, upright: true }], 300);
    expect(read?.deg).toBeCloseTo(2, 5);
    expect(read?.slope).toBeCloseTo(0.02, 5);
    expect(read?.lines).toBe(6);
    // fewer than three lines say nothing
    expect(convergedLean(family.slice(0, 2), 300)).toBeNull();
  });
});
