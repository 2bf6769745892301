import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import exifr from 'exifr';
import { CoachError } from '../../src/core/errors';
import { DECODE_MAX_SIDE } from '../../src/core/model/views';

const MAX_BYTES = 50 * 1024 * 1024;
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
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
      ({ width, height } = img);
      rgba = img.data;
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
    if (/maxResolutionInMP|maxMemoryUsage/.test(msg)) throw new CoachError('TOO_LARGE', msg, { cause: e });
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
