import type { Pixels, RgbImage } from './views';

// A JPEG decoder's scaled decode, applied to decoded pixels. Chromium decodes a big JPEG straight
// to its work size by scaling the inverse DCT (libjpeg-turbo's scale_num/8, `decode-browser.ts`):
// at n = 3, 5, 6, 7 each 8×8 block's n×n lowest frequencies are inverted at n×n; at n = 1, 2, 4
// the full inverse is averaged over (8/n)² pixels. Where a decoder cannot scale (Node's, or a
// browser without WebCodecs) the same operator is applied to the full decode: the block DCT of
// the decoded pixels is the file's coefficients up to rounding, and both operators are linear,
// so each is one n×8 matrix per axis. The two paths then differ by rounding only (≈ 0.6 of 255
// on average; scores within 0.2 on the bench photos), where a box filter or the browser's
// resampler differed by up to 5 points.

/** Where the 8×8 block grid starts, per axis of the pixels given. */
export interface BlockAnchor {
  /** The grid starts at the right edge (the stored image was mirrored into these pixels). */
  right?: boolean;
  /** The grid starts at the bottom edge. */
  bottom?: boolean;
}

/** M (n×8): a block row's n scaled pixels = M · its 8 pixels (DC kept: a flat block stays flat). */
export function scaleMatrix(n: number): Float64Array {
  const m = new Float64Array(n * 8);
  if (8 % n === 0) {
    // libjpeg's 4×4, 2×2 and 1×1 reduced IDCTs (jidctred.c) average adjacent outputs of the full
    // 8-point IDCT instead of truncating the coefficients: a box average of 8/n pixels
    for (let x = 0; x < n; x++) for (let k = 0; k < 8; k++) m[x * 8 + k] = Math.floor((k * n) / 8) === x ? n / 8 : 0;
    return m;
  }
  const c = (u: number) => (u === 0 ? Math.SQRT1_2 : 1);
  for (let x = 0; x < n; x++) {
    for (let k = 0; k < 8; k++) {
      let v = 0;
      for (let u = 0; u < n; u++) {
        // forward 8-point DCT-II (orthonormal), then the n-point inverse, rescaled by √(n/8)
        v += Math.sqrt(2 / 8) * c(u) * Math.cos(((2 * k + 1) * u * Math.PI) / 16) * Math.sqrt(2 / n) * c(u) * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
      }
      m[x * 8 + k] = v * Math.sqrt(n / 8);
    }
  }
  return m;
}

/**
 * For one axis of `size` pixels: per output pixel, the first of its 8 source pixels (before
 * clamping) and its row of M. The decoder pads a partial last block by repeating the edge and
 * crops its output; where the grid starts at the far edge, the partial block and the crop are
 * at the near edge instead (M reads the same backwards: M[n−1−x][7−k] = M[x][k]).
 */
function axisPlan(size: number, n: number, fromEnd: boolean): { start: Int32Array; row: Int32Array } {
  const out = Math.ceil((size * n) / 8);
  const pad = fromEnd ? (8 - (size % 8)) % 8 : 0;
  const skip = fromEnd ? Math.ceil((size + pad) / 8) * n - out : 0;
  const start = new Int32Array(out);
  const row = new Int32Array(out);
  for (let j = 0; j < out; j++) {
    const v = j + skip;
    start[j] = Math.floor(v / n) * 8 - pad;
    row[j] = v % n;
  }
  return { start, row };
}

/**
 * Pixels at scale n/8 (n = 1…8), as libjpeg's scaled decode gives them: ceil(W·n/8) ×
 * ceil(H·n/8), rounded and clamped to 0–255. `anchor` says where the file's block grid starts
 * in these pixels (they may be the upright view of a stored image that EXIF turns).
 */
export function dctScale(src: Pixels, n: number, anchor: BlockAnchor = {}): RgbImage {
  const { data: d, width: W, height: H, channels: ch } = src;
  const m = scaleMatrix(n);
  const xs = axisPlan(W, n, !!anchor.right);
  const ys = axisPlan(H, n, !!anchor.bottom);
  const width = xs.start.length;
  const height = ys.start.length;
  // horizontal pass: every source row → `width` columns
  const tmp = new Float32Array(H * width * 3);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let j = 0; j < width; j++) {
      const s = xs.start[j];
      const mr = xs.row[j] * 8;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < 8; k++) {
        const p = (row + Math.min(W - 1, Math.max(0, s + k))) * ch;
        const w = m[mr + k];
        r += w * d[p];
        g += w * d[p + 1];
        b += w * d[p + 2];
      }
      const o = (y * width + j) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  // vertical pass: `height` rows
  const out = new Float32Array(width * height * 3);
  for (let i = 0; i < height; i++) {
    const s = ys.start[i];
    const mr = ys.row[i] * 8;
    for (let j = 0; j < width * 3; j++) {
      let v = 0;
      for (let k = 0; k < 8; k++) v += m[mr + k] * tmp[Math.min(H - 1, Math.max(0, s + k)) * width * 3 + j];
      out[i * width * 3 + j] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { data: out, width, height };
}

/** How the block grid of a JPEG stored with EXIF orientation `o` sits in its upright pixels. */
export function anchorFor(o: number): BlockAnchor {
  return { right: o === 2 || o === 3 || o === 6 || o === 7, bottom: o === 3 || o === 4 || o === 7 || o === 8 };
}

/**
 * `dctScale` of a tall image read a band of rows at a time, so that no canvas need hold the
 * whole photo (phones cap canvas sizes): the bands follow the block rows, so the result is the
 * same as scaling the whole image at once.
 */
export function dctScaleBands(width: number, height: number, n: number, anchor: BlockAnchor, readRows: (y: number, rows: number) => Pixels, bandBlocks = 32): RgbImage {
  const pad = anchor.bottom ? (8 - (height % 8)) % 8 : 0;
  const outW = Math.ceil((width * n) / 8);
  const outH = Math.ceil((height * n) / 8);
  const out = new Float32Array(outW * outH * 3);
  let o = 0;
  for (let top = -pad; top < height; top += 8 * bandBlocks) {
    const y0 = Math.max(0, top);
    const y1 = Math.min(height, top + 8 * bandBlocks);
    const part = dctScale(readRows(y0, y1 - y0), n, anchor);
    out.set(part.data, o);
    o += part.data.length;
  }
  return { data: out, width: outW, height: outH };
}
