import { fixesFor } from '../../src/core/fixes';
import { applyPlan, channelLuts, colourGains, exposureCurve, planFixes, turnPixels } from '../../src/core/fix/plan';
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

  it('white balance: a warm tint is taken back to grey, luma of grey kept', () => {
    const warm = scene([1.25, 1, 0.8], 0.8); // no channel clipped
    const gains = colourGains(warm);
    expect(gains[0]).toBeLessThan(1);
    expect(gains[2]).toBeGreaterThan(1);
    const fixed = applyPlan(warm, { fixes: ['colour'], quarterTurns: 0, gains, curve: [] });
    const [r, g, b] = [0, 1, 2].map((c) => meanOf(fixed, c));
    expect(Math.abs(r - g) / g).toBeLessThan(0.03);
    expect(Math.abs(b - g) / g).toBeLessThan(0.03);
    // a neutral photo gets no colour fix at all
    expect(planFixes(scene(), ['colour']).fixes).toEqual([]);
  });

  it('exposure: lifts a dark photo’s median, keeps black black and never pushes a tone past white', () => {
    const dark = scene([1, 1, 1], 0.3);
    const curve = exposureCurve(dark);
    expect(curve).toHaveLength(256);
    expect(curve[0]).toBe(0);
    expect(curve[255]).toBe(255);
    for (let v = 1; v < 256; v++) expect(curve[v]).toBeGreaterThanOrEqual(curve[v - 1]);
    const fixed = applyPlan(dark, { fixes: ['exposure'], quarterTurns: 0, gains: [1, 1, 1], curve });
    expect(meanOf(fixed, 1)).toBeGreaterThan(2 * meanOf(dark, 1));
    // the brightest tone of the dark photo stays below white: nothing clipped
    const top = Math.max(...Array.from(dark.data));
    expect(curve[Math.round(top)]).toBeLessThanOrEqual(250);
    // a photo that is not dark gets no curve
    expect(exposureCurve(scene())).toEqual([]);
  });

  it('turns a quarter either way and back', () => {
    const px: Pixels = { data: [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6], width: 3, height: 2, channels: 3 };
    const cw = turnPixels(px, 1);
    expect([cw.width, cw.height]).toEqual([2, 3]);
    // clockwise: the left column, bottom to top, becomes the top row
    expect(Array.from(cw.data).filter((_, i) => i % 4 === 0)).toEqual([4, 1, 5, 2, 6, 3]);
    const back = turnPixels(turnPixels(px, 1), 3);
    expect(Array.from(back.data).filter((_, i) => i % 4 === 0)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(planFixes(px, ['turn'], 3)).toMatchObject({ fixes: ['turn'], quarterTurns: 3 });
  });

  it('combines in order: the white balance before the tone curve, which is measured after it', () => {
    const plan = planFixes(scene([1.3, 1, 0.75], 0.35), ['exposure', 'colour']);
    expect(plan.fixes).toEqual(['colour', 'exposure']);
    const luts = channelLuts(plan);
    expect(luts[1][255]).toBe(255);
    expect(luts[0][60]).toBeLessThan(luts[2][60]);
  });
});
