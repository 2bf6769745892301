import * as tf from '@tensorflow/tfjs';
import { asPixels, capLongSide, detailCrop, globalView, overview, resizeArea, toWork, type Pixels } from '../../src/core/image/views';
import type { FloatPool } from '../../src/core/image/float-pool';
import { castMeasures, measure, MEASURE_NAMES } from '../../src/core/measures/measures';
import type { RgbImage } from '../../src/core/image/views';
import { blur, colorCast, noise, underexposure, tilt } from '../../tools/model/degrade';

/** A tensor's pixels as the measurements take them. */
const rgbOf = (img: tf.Tensor3D): RgbImage => ({ data: Float32Array.from(img.dataSync()), width: img.shape[1], height: img.shape[0] });
const pixelsOf = (img: tf.Tensor3D): Pixels => asPixels(rgbOf(img));

const at = (v: Float32Array | number[], name: (typeof MEASURE_NAMES)[number]) => v[MEASURE_NAMES.indexOf(name)];

/** A deterministic textured test card: stripes, a checker and a gradient, 0–255. */
function card(h: number, w: number): tf.Tensor3D {
  return tf.tidy(() => {
    const y = tf.range(0, h).reshape([h, 1]).tile([1, w]);
    const x = tf.range(0, w).reshape([1, w]).tile([h, 1]);
    const checker = tf.mod(tf.add(tf.floorDiv(x, 16), tf.floorDiv(y, 16)), 2).mul(120);
    const stripes = tf.sin(tf.div(x, 3)).mul(40);
    const r = tf.add(tf.add(checker, stripes), 60);
    const g = tf.add(checker, tf.div(y, h / 80));
    const b = tf.add(tf.sub(180, checker), tf.div(x, w / 40));
    return tf.clipByValue(tf.stack([r, g, b], 2), 0, 255) as tf.Tensor3D;
  });
}

describe('views', () => {
  beforeAll(() => tf.setBackend('cpu'));

  const flat = (h: number, w: number, c: 3 | 4 = 3): Pixels => ({ data: new Uint8Array(h * w * c), width: w, height: h, channels: c });

  it('resizeArea averages boxes exactly on integer factors', () => {
    const img = pixelsOf(
      tf.tensor3d(
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].flatMap((v) => [v, v, v]),
        [4, 4, 3],
      ),
    );
    const out = resizeArea(img, 2, 2);
    // top-left box: (1+2+5+6)/4 = 3.5; top-right (3+4+7+8)/4 = 5.5; bottom-left 11.5; bottom-right 13.5
    expect(Array.from(out.data).filter((_, i) => i % 3 === 0)).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('resizeArea gives what tf.avgPool then tf.image.resizeBilinear (half-pixel centres) give', () => {
    // the head was first trained on views made by those tensor ops: the loops must agree with them
    for (const [H, W, h, w] of [
      [97, 131, 40, 40],
      [300, 200, 320, 320],
      [64, 50, 23, 37],
      [1000, 750, 320, 320],
    ]) {
      const img = card(H, W);
      const want = tf.tidy(() => {
        const fy = Math.max(1, Math.floor(H / h / 1.0001));
        const fx = Math.max(1, Math.floor(W / w / 1.0001));
        const pooled = fy > 1 || fx > 1 ? tf.avgPool(img, [fy, fx], [fy, fx], 'valid') : img;
        return tf.image.resizeBilinear(pooled, [h, w], false, true);
      });
      const got = resizeArea(pixelsOf(img), h, w);
      expect([got.height, got.width]).toEqual([h, w]);
      const ref = want.dataSync();
      const worst = got.data.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i])), 0);
      expect(worst).toBeLessThan(1e-3);
      tf.dispose([img, want]);
    }
  });

  it('reads RGBA as RGB, ignoring alpha', () => {
    const rgb = pixelsOf(card(50, 70));
    const rgba: Pixels = { data: new Uint8ClampedArray(50 * 70 * 4), width: 70, height: 50, channels: 4 };
    for (let i = 0; i < 50 * 70; i++) {
      for (let k = 0; k < 3; k++) (rgba.data as Uint8ClampedArray)[i * 4 + k] = rgb.data[i * 3 + k];
      (rgba.data as Uint8ClampedArray)[i * 4 + 3] = 99;
    }
    // the card is not integer everywhere; the RGBA copy rounds it, so compare against the rounded RGB
    const rounded: Pixels = { ...rgb, data: Uint8ClampedArray.from(rgb.data) };
    expect(Array.from(resizeArea(rgba, 20, 30).data)).toEqual(Array.from(resizeArea(rounded, 20, 30).data));
    expect(Array.from(detailCrop(rgba).data)).toEqual(Array.from(detailCrop(rounded).data));
  });

  it('caps the long side, squeezes a global 320 view, halves it to an overview and crops native detail', () => {
    const work = capLongSide(flat(3000, 1500), 1024);
    expect([work.height, work.width]).toEqual([1024, 512]);
    const view = globalView(work);
    expect([view.height, view.width, view.data.length]).toEqual([320, 320, 320 * 320 * 3]);
    const o = overview(view);
    expect([o.height, o.width]).toEqual([160, 160]);
    const d = detailCrop(work);
    expect([d.height, d.width]).toEqual([384, 384]);
    const small = flat(300, 200, 4);
    expect(capLongSide(small, 2048)).toBe(small); // within the cap: the pixels themselves, no copy
    const ds = detailCrop(small);
    expect([ds.height, ds.width]).toEqual([300, 200]);
  });

  it('cut into a pool’s stale arrays, the views are those cut into new ones, and what was only a step goes back', () => {
    // a pool whose arrays hold NaN: any value a view failed to write would show
    const given: Float32Array[] = [];
    const stale: FloatPool = { take: (n) => new Float32Array(n).fill(Number.NaN), give: (a) => given.push(a) };
    const rgba = (h: number, w: number): Pixels => {
      const data = new Uint8ClampedArray(h * w * 4);
      for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 9)) % 256;
      return { data, width: w, height: h, channels: 4 };
    };
    for (const px of [rgba(900, 1200), rgba(2400, 1800), pixelsOf(card(700, 500))]) {
      const cut = (floats?: FloatPool) => {
        const work = toWork(px, floats);
        const view = globalView(work, 320, floats);
        return { work, view, overview: overview(view, floats), detail: detailCrop(work, floats) };
      };
      given.length = 0;
      const fresh = cut();
      const pooled = cut(stale);
      for (const k of ['work', 'view', 'overview', 'detail'] as const) expect(Array.from(pooled[k].data), k).toEqual(Array.from(fresh[k].data));
      // a step's array (a box average before its bilinear) went back; no view did
      for (const v of [pooled.work, pooled.view, pooled.overview, pooled.detail]) expect(given).not.toContain(v.data);
      expect(given.length).toBeGreaterThan(0);
    }
  });

  it('crops the centre at native scale', () => {
    const img = pixelsOf(card(500, 600));
    const d = detailCrop(img);
    // the crop's top-left pixel is the photo's pixel at ((500-384)/2, (600-384)/2) = (58, 108)
    const p = (58 * 600 + 108) * 3;
    expect(Array.from(d.data.slice(0, 3))).toEqual(
      Array.from(img.data)
        .slice(p, p + 3)
        .map(Math.fround),
    );
  });
});

describe('measurements respond to the defect they measure', () => {
  let base: tf.Tensor3D;
  let ref: Float32Array;
  // as in the pipeline: the photo squeezed to the backbone's view, the view halved to the
  // overview, a native-scale centre crop for detail
  const pixels = (img: tf.Tensor3D) => {
    const view = globalView(pixelsOf(img));
    return { view, overview: overview(view), detail: detailCrop(pixelsOf(img)) };
  };
  const m = (img: tf.Tensor3D) => measure(pixels(img), img.shape[1], img.shape[0]);

  beforeAll(async () => {
    await tf.setBackend('cpu');
    base = card(256, 256);
    ref = m(base);
  });

  it('reads a flat grey photo as exactly flat: no detail, no edges, no cast', () => {
    const grey = tf.fill([64, 64, 3], 100) as tf.Tensor3D;
    const v = m(grey);
    grey.dispose();
    expect(at(v, 'log_lapvar_1x')).toBeCloseTo(Math.log(1e-7), 4); // variance 0, plus the guard
    expect(at(v, 'log_noise_sigma')).toBeCloseTo(Math.log(1e-5), 4);
    expect(at(v, 'edge_density')).toBe(0);
    expect(at(v, 'blockiness')).toBeCloseTo(1, 6); // (0 + 1e-4) / (0 + 1e-4)
    expect(at(v, 'mean_y')).toBeCloseTo(100 / 255, 5);
    expect(at(v, 'dark_frac')).toBe(0);
    expect(at(v, 'tilt_0_1') + at(v, 'tilt_1_3') + at(v, 'centre_edges')).toBe(0);
    expect(at(v, 'grey_edge_cast')).toBeCloseTo(0, 6);
    expect(at(v, 'neutral_frac')).toBe(1);
  });

  it('has one value per name, all finite', () => {
    expect(ref.length).toBe(MEASURE_NAMES.length);
    expect(Array.from(ref).every(Number.isFinite)).toBe(true);
  });

  it('blur lowers fine-scale sharpness more than coarse', () => {
    const b = blur({ img: base, strength: 0.6, seed: 3, donors: [] });
    const v = m(b);
    expect(at(v, 'log_lapvar_1x')).toBeLessThan(at(ref, 'log_lapvar_1x') - 1);
    expect(at(v, 'sharp_ratio_1x_2x')).toBeLessThan(at(ref, 'sharp_ratio_1x_2x'));
  });

  it('noise raises the noise estimate', () => {
    const v = m(noise({ img: base, strength: 0.5, seed: 4, donors: [] }));
    expect(at(v, 'log_noise_sigma')).toBeGreaterThan(at(ref, 'log_noise_sigma') + 0.5);
  });

  it('under-exposure lowers mean luma and raises the dark fraction', () => {
    const v = m(underexposure({ img: base, strength: 0.8, seed: 5, donors: [] }));
    expect(at(v, 'mean_y')).toBeLessThan(at(ref, 'mean_y') * 0.5);
    expect(at(v, 'dark_frac')).toBeGreaterThan(at(ref, 'dark_frac'));
  });

  it('tilt moves edge energy away from the level bin', () => {
    const v = m(tilt({ img: base, strength: 0.3, seed: 6, donors: [] }));
    // a 6.6° turn: the level bins lose energy, the bins past 7° gain it (0.03 → 0.31 here)
    expect(at(v, 'tilt_0_1')).toBeLessThan(at(ref, 'tilt_0_1') * 0.75);
    const steep = (x: Float32Array) => at(x, 'tilt_7_15') + at(x, 'tilt_15_45');
    expect(steep(v)).toBeGreaterThan(steep(ref) + 0.2);
  });

  it('reports the decoded size, a short side past 512 px reading as 512', () => {
    const big = measure(pixels(base), 4000, 3000);
    expect(at(big, 'log_short_side')).toBeCloseTo(Math.log(512), 4);
    expect(at(big, 'log_aspect')).toBeCloseTo(Math.log(4000 / 3000), 4);
    const small = measure(pixels(base), 300, 200);
    expect(at(small, 'log_short_side')).toBeCloseTo(Math.log(200), 4);
  });
});

describe('colour-cast measurements', () => {
  beforeAll(() => tf.setBackend('cpu'));

  /** 64×64, left to right 40 … 166 in steps of 2, each channel times its gain. */
  const ramp = (gains: number[]) => tf.tidy(() => tf.range(0, 64).mul(2).add(40).reshape([1, 64, 1]).tile([64, 1, 3]).mul(tf.tensor1d(gains)) as tf.Tensor3D);
  const cast = (img: tf.Tensor3D) => {
    const [greyEdge, maxRgb, neutral, median, bright] = castMeasures(rgbOf(img));
    return { greyEdge, maxRgb, neutral, median, bright };
  };
  /** Distance from grey in log RGB: the norm of the logs minus their mean. */
  const logCast = (rgb: number[]) => {
    const l = rgb.map(Math.log);
    const m = (l[0] + l[1] + l[2]) / 3;
    return Math.hypot(...l.map((v) => v - m));
  };

  it('are the last five measurements', () => {
    expect(MEASURE_NAMES.slice(-5)).toEqual(['grey_edge_cast', 'max_rgb_cast', 'neutral_frac', 'median_chroma_cast', 'bright_cast']);
  });

  it('read a neutral grey ramp as no cast, every mid-tone pixel neutral', () => {
    const img = ramp([1, 1, 1]);
    const c = cast(img);
    expect(c.greyEdge).toBeCloseTo(0, 5);
    expect(c.maxRgb).toBeCloseTo(0, 5);
    expect(c.neutral).toBe(1);
    expect(c.median).toBeLessThan(0.005); // the median's histogram bins are 0.01 wide
    expect(c.bright).toBeCloseTo(0, 5);
    img.dispose();
  });

  it('read a tinted ramp as the tint: edges and highlights scale by the channel gains', () => {
    const gains = [1.2, 1, 0.8];
    const img = ramp(gains);
    const c = cast(img);
    // every step to the right is 2·gain, every step down 0
    expect(c.greyEdge).toBeCloseTo(logCast(gains), 3); // 0.3311
    // the brightest column is 166 in every row: 166·gain, plus 1
    expect(c.maxRgb).toBeCloseTo(logCast(gains.map((g) => 166 * g + 1)), 4);
    // chroma of (1.2, 1, 0.8)·v is √(0.2² + 0.3²) = 0.36 > 0.15: nothing is near grey
    expect(c.neutral).toBe(0);
    // the median column is v ≈ 103: log((1.2v+1)/(v+1)) = 0.1807, log((0.8v+1)/(v+1)) = −0.2207
    expect(Math.abs(c.median - logCast([Math.exp(0.1807), 1, Math.exp(-0.2207)]))).toBeLessThan(0.01);
    // the brightest 2 % of the 64×64 are the column at 166 and part of the one at 164
    expect(Math.abs(c.bright - logCast(gains.map((g) => 165.5 * g + 1)))).toBeLessThan(0.005);
    img.dispose();
  });

  it('rise when the colour-cast degradation tints a photo', () => {
    const base = card(128, 128);
    const tinted = colorCast({ img: base, strength: 0.5, seed: 7, donors: [] });
    const [a, b] = [cast(base), cast(tinted)];
    expect(b.greyEdge).toBeGreaterThan(a.greyEdge + 0.1);
    expect(b.median).toBeGreaterThan(a.median + 0.1);
    base.dispose();
    tinted.dispose();
  });
});
