import * as tf from '@tensorflow/tfjs';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import exifr from 'exifr';
import { CoachError } from '../../src/core/errors';
import { DECODE_MAX_SIDE } from '../../src/core/model/views';

const MAX_BYTES = 50 * 1024 * 1024;

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

/** Width and height from a JPEG's start-of-frame marker, without decoding. */
export function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + len;
  }
  return null;
}
const MAX_PIXELS = 100e6;

function kind(b: Uint8Array): 'jpeg' | 'png' | 'other' {
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  return 'other';
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
      case 2: t = mirror(t); break;
      case 3: t = flip(mirror(t)); break;
      case 4: t = flip(t); break;
      case 5: t = transpose(t); break;
      case 6: t = mirror(transpose(t)); break;
      case 7: t = flip(mirror(transpose(t))); break;
      case 8: t = flip(transpose(t)); break;
    }
    return t;
  });
}

/**
 * Decodes a JPEG or PNG file's bytes in pure JS (the Node side of the browser's decoder).
 * Errors are CoachErrors with the same codes the browser uses.
 */
export async function decodeNode(bytes: Uint8Array): Promise<{ rgb: tf.Tensor3D; width: number; height: number }> {
  if (bytes.length === 0) throw new CoachError('EMPTY_FILE', 'file is empty');
  if (bytes.length > MAX_BYTES) throw new CoachError('TOO_LARGE', `file is ${bytes.length} bytes, limit ${MAX_BYTES}`);
  const k = kind(bytes);
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  let orientation = 1;
  try {
    if (k === 'jpeg') {
      const size = jpegSize(bytes);
      if (!size) throw new CoachError('CORRUPT_IMAGE', 'JPEG has no frame header');
      if (size.width * size.height > MAX_PIXELS) throw new CoachError('TOO_LARGE', `${size.width}×${size.height} pixels is over the ${MAX_PIXELS / 1e6} MP limit`);
      await readyJpeg();
      const img = await decodeJpeg(bytes.slice().buffer as ArrayBuffer);
      ({ width, height } = img);
      rgba = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
      orientation = (await exifr.orientation(bytes).catch(() => 1)) ?? 1;
    } else if (k === 'png') {
      // IHDR sits at a fixed place: refuse decompression bombs before inflating anything
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.length >= 24 && view.getUint32(12) === 0x49484452 && view.getUint32(16) * view.getUint32(20) > MAX_PIXELS) {
        throw new CoachError('TOO_LARGE', `${view.getUint32(16)}×${view.getUint32(20)} pixels is over the ${MAX_PIXELS / 1e6} MP limit`);
      }
      const img = PNG.sync.read(Buffer.from(bytes));
      ({ width, height } = img);
      rgba = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    } else {
      const text = /^[\s\x20-\x7e]*$/.test(Buffer.from(bytes.subarray(0, 256)).toString('latin1'));
      throw new CoachError(text ? 'NOT_AN_IMAGE' : 'UNSUPPORTED_FORMAT', text ? 'file is text, not an image' : 'only JPEG and PNG are decoded here');
    }
  } catch (e) {
    if (e instanceof CoachError) throw e;
    const msg = String((e as Error).message ?? e);
    throw new CoachError('CORRUPT_IMAGE', `could not decode: ${msg}`, { cause: e });
  }
  if (Math.min(width, height) < 1) throw new CoachError('CORRUPT_IMAGE', 'image has no pixels');
  const upright = uprightRgb(rgba, width, height, orientation);
  const [h, w] = upright.shape;
  if (Math.max(h, w) <= DECODE_MAX_SIDE) return { rgb: upright, width: w, height: h };
  const { capLongSide } = await import('../../src/core/model/views');
  const capped = tf.tidy(() => capLongSide(upright, DECODE_MAX_SIDE).round().toInt() as tf.Tensor3D);
  upright.dispose();
  return { rgb: capped, width: w, height: h };
}
