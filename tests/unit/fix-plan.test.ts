import { fixesFor, stepStraighten } from '../../src/core/fixes';
import type { Score } from '../../src/core/aspects';
import { applyLuts, applyPlan, channelLuts, colourGains, DEFAULT_PLAN_OPTIONS, exposureCurve, levelsFor, planFixes, turnPixels } from '../../src/core/fix/plan';
import { fixPixels, type ScorePixels } from '../../src/core/fix/preview';
import { makeScore } from './helpers/fake-engine';
import { keptShare, signedLean } from '../../src/core/fix/straighten';
import type { Pixels } from '../../src/core/image/views';

/** A textured grey scene (steps of several greys), times per-channel factors, as RGB. */
function scene(factors: [number, number, number] = [1, 1, 1], brightness = 1, w = 64, h = 48): Pixels {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const grey = (40 + (((x >> 3) * 23 + (y >> 2) * 17) % 180)) * brightness;
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.min(255, grey * factors[c]);
    }
  }
  return { data, width: w, height: h, channels: 3 };
}

/** The photo's values through v → a + b·v: a lifted black and a duller white, as haze or a dim lamp leave them. */
const lifted = (px: Pixels, a: number, b: number): Pixels => ({ ...px, data: Float32Array.from(px.data, (v) => a + b * v) });

const stdOf = (px: Pixels, c: number) => {
  const m = meanOf(px, c);
  let s = 0;
  for (let p = c; p < px.data.length; p += px.channels) s += (px.data[p] - m) ** 2;
  return Math.sqrt(s / (px.width * px.height));
};

const meanOf = (px: Pixels, c: number) => {
  let s = 0;
  for (let p = c; p < px.data.length; p += px.channels) s += px.data[p];
  return s / (px.width * px.height);
};

describe('one-tap fixes: plans from the photo itself', () => {
  it('offers the fixes for a photo’s reasons in their fixed order, and only those that exist', () => {
    expect(fixesFor(['underexposure', 'color_cast', 'sideways', 'blur'])).toEqual(['turn', 'colour', 'exposure']);
    expect(fixesFor(['blur', 'noise'])).toEqual([]);
  });

  it.each(['grey-edge', 'median-chroma', 'both'] as const)('white balance by %s at full strength: a warm tint is taken back to grey', (method) => {
    const warm = scene([1.25, 1, 0.8], 0.8); // no channel clipped
    const gains = colourGains(warm, { method, strength: 1 });
    expect(gains[0]).toBeLessThan(1);
    expect(gains[2]).toBeGreaterThan(1);
    const fixed = applyPlan(warm, { fixes: ['colour'], quarterTurns: 0, straighten: 0, gains, curve: [], crop: null });
    const [r, g, b] = [0, 1, 2].map((c) => meanOf(fixed, c));
    expect(Math.abs(r - g) / g).toBeLessThan(0.03);
    expect(Math.abs(b - g) / g).toBeLessThan(0.03);
  });

  it('white balance as shipped: three quarters of the way to grey (in log gain), none for a neutral photo', () => {
    const warm = scene([1.25, 1, 0.8], 0.8);
    const fixed = applyPlan(warm, planFixes(warm, ['colour']));
    const ratio = (px: Pixels) => Math.log(meanOf(px, 0) / meanOf(px, 2));
    expect(ratio(fixed) / ratio(warm)).toBeGreaterThan(0.15);
    expect(ratio(fixed) / ratio(warm)).toBeLessThan(0.35);
    expect(planFixes(scene(), ['colour']).fixes).toEqual([]);
  });

  it('exposure: lifts a dark photo’s median, keeps black black and never pushes a tone past white', () => {
    const dark = scene([1, 1, 1], 0.3);
    const curve = exposureCurve(dark);
    expect(curve).toHaveLength(256);
    expect(curve[0]).toBe(0);
    expect(curve[255]).toBe(255);
    for (let v = 1; v < 256; v++) expect(curve[v]).toBeGreaterThanOrEqual(curve[v - 1]);
    const fixed = applyPlan(dark, { fixes: ['exposure'], quarterTurns: 0, straighten: 0, gains: [1, 1, 1], curve, crop: null });
    expect(meanOf(fixed, 1)).toBeGreaterThan(2 * meanOf(dark, 1));
    // the brightest tone of the dark photo stays below white: nothing clipped
    const top = Math.max(...Array.from(dark.data));
    expect(curve[Math.round(top)]).toBeLessThanOrEqual(250);
    // a photo whose median is already where brighten takes it gets no curve (scene: median ≈ 130)
    expect(exposureCurve(scene(), 0.5)).toEqual([]);
    expect(exposureCurve(scene(), 0.55)).toHaveLength(256);
  });

  it('measures exposure through the white balance without a copy, and draws into a buffer it is given', () => {
    const warm = scene([1.3, 1, 0.75], 0.35);
    const luts = channelLuts({ gains: colourGains(warm), curve: [] });
    expect(exposureCurve(warm, 0.55, luts)).toEqual(exposureCurve(applyLuts(warm, luts), 0.55));
    const buffer = new Uint8ClampedArray(warm.width * warm.height * 4);
    expect(applyLuts(warm, luts, buffer).data).toBe(buffer);
    expect(applyLuts(warm, luts, new Uint8ClampedArray(8)).data).toHaveLength(buffer.length);
  });

  it('turns a quarter either way and back', () => {
    const px: Pixels = { data: [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6], width: 3, height: 2, channels: 3 };
    const cw = turnPixels(px, 1);
    expect([cw.width, cw.height]).toEqual([2, 3]);
    // clockwise: the left column, bottom to top, becomes the top row
    expect(Array.from(cw.data).filter((_, i) => i % 4 === 0)).toEqual([4, 1, 5, 2, 6, 3]);
    const back = turnPixels(turnPixels(px, 1), 3);
    expect(Array.from(back.data).filter((_, i) => i % 4 === 0)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(planFixes(px, ['turn'], { quarterTurns: 3 })).toMatchObject({ fixes: ['turn'], quarterTurns: 3 });
  });

  it('combines in order: the white balance before the tone curve, which is measured after it', () => {
    const plan = planFixes(scene([1.3, 1, 0.75], 0.35), ['exposure', 'colour']);
    expect(plan.fixes).toEqual(['colour', 'exposure']);
    const luts = channelLuts(plan);
    expect(luts[1][255]).toBe(255);
    expect(luts[0][60]).toBeLessThan(luts[2][60]);
  });
});

describe('neutral colour: the stretch of black and white points', () => {
  it('takes the darkest and brightest channel values as black and white, one pair for all channels, the slope held to 1.6', () => {
    // the scene's greys run 40–219: −6 + 0.9v runs 30–191, a range the slope allows
    const [black, white] = levelsFor(lifted(scene(), -6, 0.9))!;
    expect(black).toBeCloseTo(30, 0);
    expect(Math.abs(white - 191)).toBeLessThanOrEqual(2); // the 99.5th percentile of the scene's few greys
    // a black point past 40 is a dark item, not haze
    expect(levelsFor(lifted(scene(), 10, 0.9))![0]).toBe(40);
    // 60 + 0.6v runs 84–191: black held at 40, and 40–191 stretched to 0–255 would be a slope
    // of 1.7, so the slope is held at 1.6 about the middle
    const held = levelsFor(lifted(scene(), 60, 0.6))!;
    expect(held[1] - held[0]).toBeCloseTo(255 / 1.6, 0);
    expect(Math.abs((held[0] + held[1]) / 2 - (40 + 191) / 2)).toBeLessThanOrEqual(1);
    // a photo that already reaches black and white has nothing to stretch
    expect(levelsFor(lifted(scene(), -60, 1.5))).toBeNull();
  });

  it('stretches first, then the gains take the stretched mid-tones to grey; without levels the tables are the gains alone', () => {
    const warm = lifted(scene([1.2, 1, 0.82]), 10, 0.9);
    const options = { ...DEFAULT_PLAN_OPTIONS, colour: { method: 'median-chroma' as const, strength: 1, stretch: true } };
    const plan = planFixes(warm, ['colour'], {}, options);
    expect(plan.fixes).toEqual(['colour']);
    expect(plan.levels).toBeDefined();
    const fixed = applyPlan(warm, plan);
    const [r, g, b] = [0, 1, 2].map((c) => meanOf(fixed, c));
    expect(Math.abs(r - g) / g).toBeLessThan(0.04);
    expect(Math.abs(b - g) / g).toBeLessThan(0.04);
    expect(stdOf(fixed, 1)).toBeGreaterThan(1.1 * stdOf(warm, 1));
    // no stretch asked: no levels, and gains of 1 are the identity
    expect(planFixes(warm, ['colour']).levels).toBeUndefined();
    const identity = channelLuts({ gains: [1, 1, 1], curve: [] });
    expect(Array.from(identity[0])).toEqual(Array.from({ length: 256 }, (_, v) => v));
  });

  it('is the model’s call: a stretch is kept only where the model scores it better and finds the cast lower', async () => {
    const warm = lifted(scene([1.2, 1, 0.82]), 30, 0.7);
    const size = { width: 64, height: 48 };
    // a model that likes contrast, and finds a cast where red and blue part
    const likesContrast: ScorePixels = async (px) => makeScore(40 + stdOf(px, 1) / 2, { color_cast: Math.abs(Math.log(meanOf(px, 0) / meanOf(px, 2))) }) as Score;
    const colour = (stretches?: boolean[]) => ({ ...DEFAULT_PLAN_OPTIONS, colour: { ...DEFAULT_PLAN_OPTIONS.colour, stretch: false, stretches } });
    const withStretch = await fixPixels({ score: likesContrast }, warm, size, ['colour'], { plan: colour([false, true]) });
    expect(withStretch.plan.levels).toBeDefined();
    expect((await fixPixels({ score: likesContrast }, warm, size, ['colour'], { plan: colour([false]) })).plan.levels).toBeUndefined();
    // a model that finds the stretched photo more cast keeps the plain white balance
    const castByContrast: ScorePixels = async (px) => makeScore(40 + stdOf(px, 1) / 2, { color_cast: stdOf(px, 1) / 100 }) as Score;
    expect((await fixPixels({ score: castByContrast }, warm, size, ['colour'], { plan: colour([false, true]) })).plan.levels).toBeUndefined();
  });
});

describe('straighten: a signed lean, turned back with the largest upright crop', () => {
  /** Soft stripes and an edge across them (as lenses draw edges), leaning `deg` counter-clockwise as seen. */
  function leaning(deg: number, W = 300, H = 220): Pixels {
    const data = new Float32Array(W * H * 3);
    const t = (deg * Math.PI) / 180;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const [dx, dy] = [x - W / 2, y - H / 2];
        const u = dx * Math.cos(t) - dy * Math.sin(t);
        const v = dx * Math.sin(t) + dy * Math.cos(t);
        const g = 128 + 70 * Math.sin((2 * Math.PI * v) / 28) + 30 * Math.tanh((u - 40) / 1.5);
        for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = g;
      }
    }
    return { data, width: W, height: H, channels: 3 };
  }

  it.each([-6, -3, 2, 4.5, 9])('finds a %s° lean within 0.4°, and after straightening none is left', (deg) => {
    const px = leaning(deg);
    expect(Math.abs(signedLean(px).degrees - deg)).toBeLessThan(0.4);
    const plan = planFixes(px, ['straighten']);
    expect(plan.fixes).toEqual(['straighten']);
    const fixed = applyPlan(px, plan);
    expect(Math.abs(signedLean(fixed).degrees)).toBeLessThan(0.4);
    // the largest upright crop of the same shape
    expect(fixed.width / fixed.height).toBeCloseTo(300 / 220, 1);
    expect(fixed.width).toBeCloseTo(300 * keptShare(300, 220, plan.straighten), -1);
  });

  it('leaves a level photo and a lean past 12° alone', () => {
    expect(planFixes(leaning(0.2), ['straighten']).fixes).toEqual([]);
    expect(planFixes(leaning(20), ['straighten']).fixes).toEqual([]);
  });

  it('by hand: the seller’s angle in place of the model’s, and where the model finds none, the angle asked to start from', async () => {
    const size = { width: 300, height: 220 };
    // a model that finds every version of the photo as tilted as it is: no angle of its own
    let scored = 0;
    const indifferent: ScorePixels = async () => {
      scored++;
      return makeScore(50, { tilt: 0.6 }) as Score;
    };
    const px = leaning(4);
    const none = await fixPixels({ score: indifferent }, px, size, ['straighten']);
    expect(none.plan.fixes).toEqual([]);
    const started = await fixPixels({ score: indifferent }, px, size, ['straighten'], { hand: { straightenIfNone: 1 } });
    expect([started.plan.fixes, started.plan.straighten]).toEqual([['straighten'], 1]);
    scored = 0;
    const hand = await fixPixels({ score: indifferent }, px, size, [], { hand: { straighten: -4.5 } });
    expect([hand.plan.fixes, hand.plan.straighten]).toEqual([['straighten'], -4.5]);
    // the seller's angle is not searched again: the fixed photo alone is scored
    expect(scored).toBe(1);
    expect(hand.fixed.width).toBe(Math.round(300 * keptShare(300, 220, -4.5)));
    // level by hand is no straighten
    expect((await fixPixels({ score: indifferent }, px, size, ['straighten'], { hand: { straighten: 0 } })).plan.fixes).toEqual([]);
  });

  it('steps a straighten by hand a degree at a time, to a tenth, never past its reach', () => {
    expect(stepStraighten(0, 1)).toBe(1);
    expect(stepStraighten(3.4, -1)).toBe(2.4);
    expect(stepStraighten(-0.3, 1)).toBe(0.7);
    expect(stepStraighten(12, 1)).toBeNull();
    expect(stepStraighten(-11.5, -1)).toBeNull();
    expect(stepStraighten(-11, -1)).toBe(-12);
  });
});

describe('brighten: how far is the model’s call', () => {
  /** A model that likes a photo's median luma near `best` (noise shows past it), and finds it darker the lower the median. */
  const likes =
    (best: number): ScorePixels =>
    async (px) => {
      const median = meanOf(px, 1) / 255;
      return makeScore(80 - 200 * Math.abs(median - best), { underexposure: Math.max(0, 0.8 - median) }) as Score;
    };
  const dark = scene([1, 1, 1], 0.3);
  const size = { width: 64, height: 48 };
  const options = (targets?: number[]) => ({ ...DEFAULT_PLAN_OPTIONS, exposure: { targetMedian: 0.55, targets } });
  const medianAfter = async (best: number, targets?: number[]) => meanOf((await fixPixels({ score: likes(best) }, dark, size, ['exposure'], { plan: options(targets) })).fixed, 1) / 255;

  it('takes the target the model scores best, and only the shipped one without targets', async () => {
    const plain = await medianAfter(0.4);
    const chosen = await medianAfter(0.4, [0.4, 0.55, 0.65]);
    expect(chosen).toBeLessThan(plain - 0.05);
    expect(await medianAfter(0.7, [0.4, 0.55, 0.65])).toBeGreaterThan(plain + 0.03);
    expect(await medianAfter(0.4, [])).toBeCloseTo(plain);
  });

  it('with the black point: the grain floor goes to black first, and the tones above it are spread', async () => {
    const grainy = lifted(dark, 20, 1);
    const plain = exposureCurve(grainy, 0.55);
    const floored = exposureCurve(grainy, 0.55, undefined, true);
    // the darkest channel's 0.5th percentile (the scene's darkest grey, 20 + 12), held at half the median (about 29)
    const black = floored.lastIndexOf(0);
    expect(black).toBeGreaterThanOrEqual(25);
    expect(plain[black]).toBeGreaterThan(40);
    for (let v = 1; v < 256; v++) expect(floored[v]).toBeGreaterThanOrEqual(floored[v - 1]);
    const top = Math.max(...Array.from(grainy.data));
    expect(floored[Math.round(top)]).toBeLessThanOrEqual(250);
    // and the model picks between the two as between targets
    const out = await fixPixels({ score: likes(0.55) }, grainy, size, ['exposure'], { plan: { ...DEFAULT_PLAN_OPTIONS, exposure: { targetMedian: 0.55, blackPoints: [false, true] } } });
    expect(out.plan.curve.length).toBe(256);
  });

  it('scores a try once: one that draws the same pixels as a try before it is skipped', async () => {
    const calls = async (px: Pixels, blackPoints: boolean[]) => {
      let n = 0;
      const counted: ScorePixels = async (p, s) => {
        n++;
        return likes(0.55)(p, s);
      };
      await fixPixels({ score: counted }, px, size, ['exposure'], { plan: { ...DEFAULT_PLAN_OPTIONS, exposure: { targetMedian: 0.55, targets: [0.4, 0.55, 0.7], blackPoints } } });
      return n;
    };
    // a tenth of the photo truly black: the black point is 0, and its curves are the plain ones
    const withBlack: Pixels = { ...dark, data: Float32Array.from(dark.data, (v, i) => (i < dark.data.length / 10 ? 0 : v)) };
    expect(await calls(withBlack, [false, true])).toBe(await calls(withBlack, [false]));
    // a lifted floor: each target is tried with the black point too
    expect(await calls(lifted(dark, 20, 1), [false, true])).toBe((await calls(lifted(dark, 20, 1), [false])) + 3);
  });

  it('never picks a target that leaves the photo as dark as it was', async () => {
    // a model that scores darker better, and finds the photo as dark as before unless its median reaches 0.5
    const prefersDark: ScorePixels = async (px) => makeScore(90 - meanOf(px, 1) / 5, { underexposure: meanOf(px, 1) / 255 < 0.5 ? 0.9 : 0.2 }) as Score;
    const out = await fixPixels({ score: prefersDark }, dark, size, ['exposure'], { plan: options([0.3, 0.55]) });
    // 0.3 scores better but leaves it dark: the shipped 0.55 stays
    expect(meanOf(out.fixed, 1) / 255).toBeGreaterThan(0.5);
  });
});
