import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { anchorFor, dctScale, dctScaleBands, scaleMatrix } from '../../src/core/image/dct-scale';
import { workScale, workSize, WORK_MAX_SIDE, type Pixels } from '../../src/core/image/views';
import { uprightRgb } from '../../tools/model/decode-node';

describe('workSize', () => {
  it('keeps photos that fit, and brings bigger ones to the largest n/8 scale that fits, rounding up', () => {
    expect(workSize(1024, 700)).toEqual({ width: 1024, height: 700 });
    expect(workSize(512, 512)).toEqual({ width: 512, height: 512 });
    expect(workSize(4000, 3000)).toEqual({ width: 1000, height: 750 }); // 2/8
    expect(workSize(3000, 4000)).toEqual({ width: 750, height: 1000 });
    expect(workSize(2600, 1950)).toEqual({ width: 975, height: 732 }); // 3/8: 731.25 rounds up
    expect(workSize(1155, 866)).toEqual({ width: 1011, height: 758 }); // 7/8
    expect(workSize(2981, 1677)).toEqual({ width: 746, height: 420 }); // 3/8 would be 1118
    expect(workScale(1025, 10)).toBe(7);
    expect(workScale(20000, 100)).toBe(1);
  });

  it('never exceeds WORK_MAX_SIDE and never shrinks by more than needed', () => {
    for (let long = 1; long <= 9000; long += 37) {
      const n = workScale(long, 1);
      const side = workSize(long, 1).width;
      expect(side).toBeLessThanOrEqual(Math.max(WORK_MAX_SIDE, Math.ceil(long / 8)));
      if (n < 8) expect(Math.ceil((long * (n + 1)) / 8)).toBeGreaterThan(WORK_MAX_SIDE);
    }
  });
});

describe('dctScale (the Node side of the browser scaled JPEG decode)', () => {
  const image = (w: number, h: number, f: (x: number, y: number, c: number) => number, channels: 3 | 4 = 4): Pixels => {
    const data = new Uint8ClampedArray(w * h * channels);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * channels + c] = f(x, y, c);
    return { data, width: w, height: h, channels };
  };

  it('keeps a flat photo flat at every scale, at libjpeg sizes', () => {
    const flat = image(37, 21, (_x, _y, c) => [200, 120, 40][c]);
    for (let n = 1; n <= 8; n++) {
      const s = dctScale(flat, n);
      expect([s.width, s.height]).toEqual([Math.ceil((37 * n) / 8), Math.ceil((21 * n) / 8)]);
      for (let i = 0; i < s.data.length; i += 3) expect([s.data[i], s.data[i + 1], s.data[i + 2]]).toEqual([200, 120, 40]);
    }
  });

  it('is the identity at 8/8', () => {
    const img = image(16, 8, (x, y, c) => (x * 13 + y * 29 + c * 71) % 256, 3);
    expect(Array.from(dctScale(img, 8).data)).toEqual(Array.from(img.data));
  });

  it('averages 2×2 boxes at 4/8, as libjpeg-turbo’s reduced IDCT does', () => {
    const img = image(16, 16, (x, y, c) => (x * 17 + y * 5 + c * 40) % 256);
    const s = dctScale(img, 4);
    const at = (x: number, y: number, c: number) => img.data[(y * 16 + x) * 4 + c];
    for (const [x, y] of [
      [0, 0],
      [3, 5],
      [7, 7],
    ]) {
      const box = (at(2 * x, 2 * y, 1) + at(2 * x + 1, 2 * y, 1) + at(2 * x, 2 * y + 1, 1) + at(2 * x + 1, 2 * y + 1, 1)) / 4;
      expect(s.data[(y * 8 + x) * 3 + 1]).toBe(Math.round(box));
    }
  });

  it('keeps a slow wave at 3/8: the low frequencies pass, resampled onto the smaller grid', () => {
    const wave = (x: number) => 128 + 60 * Math.cos((2 * Math.PI * x) / 64);
    const img = image(128, 16, (x) => Math.round(wave(x)));
    const s = dctScale(img, 3);
    expect(s.width).toBe(48);
    // output pixel j covers input (j + 0.5)·8/3 − 0.5
    let worst = 0;
    for (let j = 0; j < s.width; j++) worst = Math.max(worst, Math.abs(s.data[j * 3] - wave(((j + 0.5) * 8) / 3 - 0.5)));
    expect(worst).toBeLessThan(4);
  });

  it('fills a partial last block from the edge pixels', () => {
    // 10 columns at 4/8: 5 columns out; the last averages columns 8 and 9 only
    const img = image(10, 8, (x) => (x === 9 ? 200 : x === 8 ? 100 : 0));
    const s = dctScale(img, 4);
    expect(s.width).toBe(5);
    expect(s.data[4 * 3]).toBe(150);
  });
});

describe('dctScale on upright pixels', () => {
  // a stored JPEG's pixels, irregular and not a multiple of 8 in either side
  const W = 43;
  const H = 29;
  const stored: Pixels = { data: Uint8ClampedArray.from({ length: W * H * 3 }, (_, i) => (i * 7919) % 251), width: W, height: H, channels: 3 };
  const asRgb = (img: { data: ArrayLike<number>; width: number; height: number }): Pixels => ({ data: img.data, width: img.width, height: img.height, channels: 3 });

  it('reads each block row the same backwards (what anchoring relies on)', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      const m = scaleMatrix(n);
      for (let x = 0; x < n; x++) for (let k = 0; k < 8; k++) expect(m[(n - 1 - x) * 8 + (7 - k)]).toBeCloseTo(m[x * 8 + k], 12);
    }
  });

  it('gives, for every EXIF orientation, the upright view of the stored image scaled as the decoder scales it', () => {
    tf.setBackend('cpu');
    for (const n of [3, 4]) {
      const scaled = dctScale(stored, n);
      const bytes = (p: Pixels) => {
        const rgba = new Uint8Array(p.width * p.height * 4);
        for (let i = 0; i < p.width * p.height; i++) for (let c = 0; c < 3; c++) rgba[i * 4 + c] = p.data[i * 3 + c];
        return rgba;
      };
      for (let o = 1; o <= 8; o++) {
        const uprightStored = uprightRgb(bytes(stored), W, H, o);
        const uprightScaled = uprightRgb(bytes(asRgb(scaled)), scaled.width, scaled.height, o);
        const [h, w] = uprightStored.shape;
        const got = dctScale({ data: uprightStored.dataSync(), width: w, height: h, channels: 3 }, n, anchorFor(o));
        expect([got.height, got.width]).toEqual(uprightScaled.shape.slice(0, 2));
        expect(Array.from(got.data)).toEqual(Array.from(uprightScaled.dataSync()));
        tf.dispose([uprightStored, uprightScaled]);
      }
    }
  });

  it('gives the same in bands of block rows as at once', () => {
    for (const anchor of [{}, { bottom: true }, { right: true, bottom: true }]) {
      const whole = dctScale(stored, 3, anchor);
      const rows = (y: number, r: number): Pixels => ({ data: (stored.data as Uint8ClampedArray).subarray(y * W * 3, (y + r) * W * 3), width: W, height: r, channels: 3 });
      const banded = dctScaleBands(W, H, 3, anchor, rows, 1);
      expect([banded.width, banded.height]).toEqual([whole.width, whole.height]);
      expect(Array.from(banded.data)).toEqual(Array.from(whole.data));
    }
  });
});
