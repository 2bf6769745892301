import * as tf from '@tensorflow/tfjs';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { CoachError } from '../../src/core/errors';
import type { RgbImage } from '../../src/core/image/views';
import { capLongSide, DECODE_MAX_SIDE, workScale } from '../../src/core/image/views';
import { dctScale } from '../../src/core/image/dct-scale';
import { jpegOrientation } from '../../src/core/image/exif';
import { checkImageBytes } from '../../src/core/image/sniff';

// MozJPEG (libjpeg-turbo) decodes bit-identically to Chromium's JPEG decoder (same IDCT and
// chroma upsampling), so the Node and browser pipelines see the same pixels; jpeg-js did not.
let jpegReady: Promise<void> | undefined;
function readyJpeg(): Promise<void> {
  jpegReady ??= (async () => {
    const wasm = readFileSync(createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
    await initJpeg(await WebAssembly.compile(wasm));
  })();
  return jpegReady;
}

/** Turns RGBA bytes into an upright [H,W,3] int32 tensor, applying an EXIF orientation (1–8). */
export function uprightRgb(rgba: Uint8Array, width: number, height: number, orientation = 1): tf.Tensor3D {
  return tf.tidy(() => {
    let t = tf.tensor3d(rgba, [height, width, 4], 'int32').slice([0, 0, 0], [height, width, 3]) as tf.Tensor3D;
    // EXIF: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 cw, 7 transverse, 8 rotate 90 ccw.
    const mirror = (x: tf.Tensor3D) => tf.reverse(x, 1) as tf.Tensor3D;
    const flip = (x: tf.Tensor3D) => tf.reverse(x, 0) as tf.Tensor3D;
    const transpose = (x: tf.Tensor3D) => tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
    switch (orientation) {
      case 2:
        t = mirror(t);
        break;
      case 3:
        t = flip(mirror(t));
        break;
      case 4:
        t = flip(t);
        break;
      case 5:
        t = transpose(t);
        break;
      case 6:
        t = mirror(transpose(t));
        break;
      case 7:
        t = flip(mirror(transpose(t)));
        break;
      case 8:
        t = flip(transpose(t));
        break;
    }
    return t;
  });
}

/** Integer RGB as the RGBA bytes `uprightRgb` takes. */
function rgbaOf(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.width * img.height * 4).fill(255);
  for (let i = 0, p = 0; p < img.data.length; i += 4, p += 3) {
    out[i] = img.data[p];
    out[i + 1] = img.data[p + 1];
    out[i + 2] = img.data[p + 2];
  }
  return out;
}

/**
 * Decodes a JPEG or PNG file's bytes in pure JS (the Node side of the browser's decoder).
 * Errors are CoachErrors with the same codes the browser uses. `asStored`: the pixels as the
 * file stores them, its EXIF orientation not applied (what a viewer that ignores it shows).
 */
export async function decodeNode(bytes: Uint8Array, { asStored = false } = {}): Promise<{ rgb: tf.Tensor3D; width: number; height: number }> {
  const { kind } = checkImageBytes(bytes); // type, size and pixel-count limits, before decoding
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  let orientation = 1;
  if (kind !== 'jpeg' && kind !== 'png') throw new CoachError('UNSUPPORTED_FORMAT', `${kind.toUpperCase()} is decoded in the browser only; the Node tools read JPEG and PNG`);
  try {
    if (kind === 'jpeg') {
      await readyJpeg();
      const img = await decodeJpeg(bytes.slice().buffer as ArrayBuffer);
      ({ width, height } = img);
      rgba = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
      orientation = asStored ? 1 : jpegOrientation(bytes);
      // a big JPEG comes down to its work size as the browser's decoder brings it (dct-scale.ts)
      const n = workScale(width, height);
      if (n < 8) {
        const small = dctScale({ data: rgba, width, height, channels: 4 }, n);
        const turned = orientation >= 5;
        const full = { width: turned ? height : width, height: turned ? width : height };
        return { rgb: uprightRgb(rgbaOf(small), small.width, small.height, orientation), ...full };
      }
    } else {
      const img = PNG.sync.read(Buffer.from(bytes));
      ({ width, height } = img);
      rgba = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    }
  } catch (e) {
    throw new CoachError('CORRUPT_IMAGE', `could not decode: ${String((e as Error).message ?? e)}`, { cause: e });
  }
  const upright = uprightRgb(rgba, width, height, orientation);
  const [h, w] = upright.shape;
  if (Math.max(h, w) <= DECODE_MAX_SIDE) return { rgb: upright, width: w, height: h };
  const small = capLongSide({ data: upright.dataSync(), width: w, height: h, channels: 3 }, DECODE_MAX_SIDE);
  const capped = tf.tidy(() => tf.tensor3d(Float32Array.from(small.data), [small.height, small.width, 3]).round().toInt() as tf.Tensor3D);
  upright.dispose();
  return { rgb: capped, width: w, height: h };
}
