import type { FloatPool } from './float-pool';

// The sizes below trade accuracy for time on a phone: the backbone's cost grows with its input
// area, and every measurement is a pass over pixels. `npm run cv`-style comparisons on train
// photos and `npm run bench` chose them (tools/model/README.md).

/** The backbone sees the whole photo squeezed to this square (the graph's input shape). */
export const GLOBAL_SIDE = 320;
/** Exposure, colour, tilt and clutter are measured on the backbone's view halved to this. */
export const OVERVIEW_SIDE = GLOBAL_SIDE / 2;
/** Sharpness and noise are judged on a centre crop of at most this size, at native scale. */
export const DETAIL_SIDE = 384;
/**
 * Photos are first brought down to at most this long side (`workSize`). The training photos are
 * 512² (BIQ2021), so a detail crop of a photo brought down here sees pixels at a scale close to
 * what the head learned on.
 */
export const WORK_MAX_SIDE = 1024;
/** The Node decoder hands over at most this long side (a memory guard); the browser's shrinks to WORK_MAX_SIDE. */
export const DECODE_MAX_SIDE = 4096;

// The views are plain loops over decoded pixels, not tensor ops: on the wasm backend, turning a
// bitmap into a tensor, casting it to float, pooling, resizing and slicing it cost ~170 ms for a
// 1024×768 photo (each op a pass over memory, the 3-channel slice one pixel at a time); the same
// work here takes a few tens of milliseconds, and Node and the browser share it exactly.

/**
 * Decoded pixels, row-major and interleaved: RGB (3 channels), or RGBA as a canvas gives them
 * (4; alpha is ignored). Values 0–255, integer or not.
 */
export interface Pixels {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** A view: interleaved float RGB, row-major, values 0–255 (what the measurements read). */
export interface RgbImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** A view as Pixels (views are float RGB). */
export const asPixels = (img: RgbImage): Pixels => ({ ...img, channels: 3 });

/**
 * A view's float array: from `floats` where given (a pool of arrays the last photo is done
 * with: allocating and first touching a photo's views cost the scoring thread about 2 ms, and
 * collecting them later more), else new. A pooled array holds stale values: every function here
 * writes all of its output.
 */
const floatsFor = (length: number, floats?: FloatPool) => (floats ? floats.take(length) : new Float32Array(length));

/**
 * Downscale with a box prefilter so that big reductions do not alias (bilinear alone samples
 * only 4 pixels per output pixel; a 12 MP photo squeezed to 512 would keep its noise but lose
 * its blur). An integer box average takes the image to within 2× of the target, bilinear (half-
 * pixel centres) does the rest: tf.avgPool 'valid' then tf.image.resizeBilinear(…, false, true),
 * which the model was first trained with. → [h,w] float RGB.
 */
export function resizeArea(src: Pixels, h: number, w: number, floats?: FloatPool): RgbImage {
  const fy = Math.max(1, Math.floor(src.height / h / 1.0001));
  const fx = Math.max(1, Math.floor(src.width / w / 1.0001));
  const pooled = fy > 1 || fx > 1 ? boxPool(src, fy, fx, floats) : toRgb(src, floats);
  if (pooled.height === h && pooled.width === w) return pooled;
  const out = bilinear(pooled, h, w, floats);
  floats?.give(pooled.data);
  return out;
}

/**
 * The size a photo is brought down to before the views are cut: the largest scale n/8 (n = 1…8)
 * whose long side fits in WORK_MAX_SIDE, each side rounded up. These are the sizes a JPEG
 * decoder reaches by scaling its inverse DCT (libjpeg's scale_num/8), so the browser decodes a
 * big JPEG straight to this size at a third of the cost of a full decode and a resize
 * (`decode-browser.ts`); every other path resizes to the same size, so all see the same views.
 */
export function workSize(width: number, height: number): { width: number; height: number } {
  const n = workScale(width, height);
  return { width: Math.ceil((width * n) / 8), height: Math.ceil((height * n) / 8) };
}

/** n of `workSize`'s n/8 scale: 8 when the photo is small enough already. */
export function workScale(width: number, height: number): number {
  const long = Math.max(width, height);
  let n = 8;
  while (n > 1 && Math.ceil((long * n) / 8) > WORK_MAX_SIDE) n--;
  return n;
}

/** The photo at its `workSize`: the pixels themselves when it is already there. */
export function toWork(src: Pixels, floats?: FloatPool): Pixels {
  const { width, height } = workSize(src.width, src.height);
  return width === src.width && height === src.height ? src : asPixels(resizeArea(src, height, width, floats));
}

/** Long side capped at `max`, aspect kept; the pixels themselves when already within it. */
export function capLongSide(src: Pixels, max: number): Pixels {
  const s = Math.min(1, max / Math.max(src.height, src.width));
  if (s === 1) return src;
  return asPixels(resizeArea(src, Math.max(1, Math.round(src.height * s)), Math.max(1, Math.round(src.width * s))));
}

/** The whole photo squeezed to the backbone's square input. */
export function globalView(work: Pixels, side = GLOBAL_SIDE, floats?: FloatPool): RgbImage {
  return resizeArea(work, side, side, floats);
}

/** The backbone's view halved (2×2 box average): OVERVIEW_SIDE² for the shipped model. */
export function overview(view: RgbImage, floats?: FloatPool): RgbImage {
  return boxPool(asPixels(view), 2, 2, floats);
}

/** Centre crop at native scale, at most DETAIL_SIDE square. */
export function detailCrop(work: Pixels, floats?: FloatPool): RgbImage {
  const h = Math.min(work.height, DETAIL_SIDE);
  const w = Math.min(work.width, DETAIL_SIDE);
  return crop(work, Math.floor((work.height - h) / 2), Math.floor((work.width - w) / 2), h, w, floats);
}

/** Rows y…y+h, columns x…x+w, as float RGB. */
export function crop(src: Pixels, y: number, x: number, h: number, w: number, floats?: FloatPool): RgbImage {
  const { data: d, width: W, channels: c } = src;
  const out = floatsFor(h * w * 3, floats);
  const packed = packedRgba(src);
  if (packed) {
    // one read per pixel instead of three (see boxPoolPacked)
    for (let i = 0, o = 0; i < h; i++) {
      for (let j = 0, p = (y + i) * W + x; j < w; j++, p++, o += 3) {
        const v = packed[p];
        out[o] = v & 0xff;
        out[o + 1] = (v >>> 8) & 0xff;
        out[o + 2] = (v >>> 16) & 0xff;
      }
    }
    return { data: out, width: w, height: h };
  }
  for (let i = 0, o = 0; i < h; i++) {
    for (let j = 0, p = ((y + i) * W + x) * c; j < w; j++, p += c, o += 3) {
      out[o] = d[p];
      out[o + 1] = d[p + 1];
      out[o + 2] = d[p + 2];
    }
  }
  return { data: out, width: w, height: h };
}

/** All of `src` as float RGB. */
function toRgb(src: Pixels, floats?: FloatPool): RgbImage {
  return crop(src, 0, 0, src.height, src.width, floats);
}

/** Mean of each fy×fx box; rows and columns that do not fill a whole box are dropped ('valid'). */
function boxPool(src: Pixels, fy: number, fx: number, floats?: FloatPool): RgbImage {
  const packed = packedRgba(src);
  if (packed && fy * fx <= 127) return boxPoolPacked(packed, src.width, src.height, fy, fx, floats);
  const { data: d, width: W, channels: c } = src;
  const height = Math.floor(src.height / fy);
  const width = Math.floor(src.width / fx);
  const out = floatsFor(height * width * 3, floats);
  const inv = 1 / (fy * fx);
  for (let i = 0, o = 0; i < height; i++) {
    for (let j = 0; j < width; j++, o += 3) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let u = 0; u < fy; u++) {
        for (let v = 0, p = ((i * fy + u) * W + j * fx) * c; v < fx; v++, p += c) {
          r += d[p];
          g += d[p + 1];
          b += d[p + 2];
        }
      }
      out[o] = r * inv;
      out[o + 1] = g * inv;
      out[o + 2] = b * inv;
    }
  }
  return { data: out, width, height };
}

/**
 * Bilinear resize with half-pixel centres, edges clamped (tf.image.resizeBilinear(x, size, false,
 * true)). Separably: the two source rows are blended once per output row, then each output
 * pixel blends two values of that row (a third of the reads of blending four corners per pixel).
 */
function bilinear(src: RgbImage, h: number, w: number, floats?: FloatPool): RgbImage {
  const { data: d, width: W, height: H } = src;
  const out = floatsFor(h * w * 3, floats);
  // per output column: the two source columns and the weight of the right one
  const x0 = new Int32Array(w);
  const x1 = new Int32Array(w);
  const fx = new Float32Array(w);
  for (let j = 0; j < w; j++) {
    const s = (W / w) * (j + 0.5) - 0.5;
    const lo = Math.max(0, Math.floor(s));
    x0[j] = lo * 3;
    x1[j] = Math.min(W - 1, Math.ceil(s)) * 3;
    fx[j] = s - lo;
  }
  const row = new Float32Array(W * 3);
  for (let i = 0, o = 0; i < h; i++) {
    const s = (H / h) * (i + 0.5) - 0.5;
    const y0 = Math.max(0, Math.floor(s));
    const r0 = y0 * W * 3;
    const r1 = Math.min(H - 1, Math.ceil(s)) * W * 3;
    const fy = s - y0;
    for (let a = 0; a < W * 3; a++) row[a] = d[r0 + a] + (d[r1 + a] - d[r0 + a]) * fy;
    for (let j = 0; j < w; j++, o += 3) {
      const a = x0[j];
      const b = x1[j];
      const f = fx[j];
      out[o] = row[a] + (row[b] - row[a]) * f;
      out[o + 1] = row[a + 1] + (row[b + 1] - row[a + 1]) * f;
      out[o + 2] = row[a + 2] + (row[b + 2] - row[a + 2]) * f;
    }
  }
  return { data: out, width: w, height: h };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A canvas's RGBA bytes as one 32-bit word per pixel (R in the low byte), where they can be. */
function packedRgba(src: Pixels): Uint32Array | null {
  const d = src.data;
  if (src.channels !== 4 || !LITTLE_ENDIAN || !(d instanceof Uint8ClampedArray || d instanceof Uint8Array) || d.byteOffset % 4) return null;
  return new Uint32Array(d.buffer, d.byteOffset, src.width * src.height);
}

/**
 * boxPool for packed RGBA, the browser's case: a 1024×768 photo is 3 M channel values, and at a
 * few ns per JS step reading them one by one is most of the cost of the views. Masking a word
 * into two pairs of 16-bit lanes (R,B and G,A) sums two channels per add; with at most 127
 * pixels per box no lane overflows. Integer sums: the same means as the generic loop.
 */
function boxPoolPacked(u32: Uint32Array, W: number, H: number, fy: number, fx: number, floats?: FloatPool): RgbImage {
  const height = Math.floor(H / fy);
  const width = Math.floor(W / fx);
  const out = floatsFor(height * width * 3, floats);
  const rb = new Uint32Array(width);
  const ga = new Uint32Array(width);
  const inv = 1 / (fy * fx);
  for (let i = 0, o = 0; i < height; i++) {
    rb.fill(0);
    ga.fill(0);
    for (let u = 0; u < fy; u++) {
      for (let j = 0, p = (i * fy + u) * W; j < width; j++) {
        let s1 = 0;
        let s2 = 0;
        for (let v = 0; v < fx; v++, p++) {
          const x = u32[p];
          s1 += x & 0x00ff00ff;
          s2 += (x >>> 8) & 0x00ff00ff;
        }
        rb[j] += s1;
        ga[j] += s2;
      }
    }
    for (let j = 0; j < width; j++, o += 3) {
      out[o] = (rb[j] & 0xffff) * inv;
      out[o + 1] = (ga[j] & 0xffff) * inv;
      out[o + 2] = (rb[j] >>> 16) * inv;
    }
  }
  return { data: out, width, height };
}
