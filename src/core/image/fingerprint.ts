import type { RgbImage } from './views';

// A photo's fingerprint: the same shot re-encoded, resized or slightly re-exposed hashes within
// a few bits (the coach says so when two photos are the same shot).

/**
 * 64-bit difference hash: the grey image box-averaged down to 9×8, then one bit per pair of
 * horizontal neighbours (1 where the left one is brighter), as 16 hex digits. Re-encoding,
 * resizing and small exposure changes move few bits; a different shot moves about half.
 */
export function dHash(gray: Uint8Array | Float32Array, w: number, h: number): string {
  if (w < 1 || h < 1 || gray.length < w * h) throw new RangeError(`dHash needs w*h (${w}×${h}) grey values, got ${gray.length}`);
  const cells = new Float64Array(9 * 8);
  for (let cy = 0; cy < 8; cy++) {
    const [y0, y1] = span(cy, 8, h);
    for (let cx = 0; cx < 9; cx++) {
      const [x0, x1] = span(cx, 9, w);
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += gray[y * w + x];
      cells[cy * 9 + cx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  let hex = '';
  for (let cy = 0; cy < 8; cy++) {
    let byte = 0;
    for (let cx = 0; cx < 8; cx++) byte = (byte << 1) | (cells[cy * 9 + cx] > cells[cy * 9 + cx + 1] ? 1 : 0);
    hex += byte.toString(16).padStart(2, '0');
  }
  return hex;
}

/** Source rows (or columns) [from, to) that output cell i of n covers; never empty. */
function span(i: number, n: number, size: number): [number, number] {
  const from = Math.min(size - 1, Math.floor((i * size) / n));
  return [from, Math.max(from + 1, Math.floor(((i + 1) * size) / n))];
}

/** Bits that differ between two hashes of equal length. */
export function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    for (; x; x &= x - 1) d++;
  }
  return d;
}

/** At or under this many of 64 bits, two photos count as the same shot. */
export const NEAR_DUPLICATE_BITS = 10;

/** Pairs [i, j] (i < j) of photos whose hashes are within `maxBits`; unhashed photos are skipped. */
export function findNearDuplicates(hashes: (string | undefined)[], maxBits = NEAR_DUPLICATE_BITS): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const a = hashes[i];
      const b = hashes[j];
      if (a && b && a.length === b.length && hamming(a, b) <= maxBits) pairs.push([i, j]);
    }
  }
  return pairs;
}

/**
 * dHash of the grey of the overview (the whole photo box-averaged to a square, so fine detail
 * cannot alias): the same shot re-encoded, resized or slightly re-exposed hashes within a few
 * bits.
 */
export function overviewFingerprint(view: RgbImage): string {
  const { data, width, height } = view;
  const grey = new Float32Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) grey[i] = (data[p] + data[p + 1] + data[p + 2]) / 3;
  return dHash(grey, width, height);
}
