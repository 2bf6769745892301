import { CoachError, isCoachError } from '../errors';
import { workScale, workSize } from './views';
import { anchorFor, dctScaleBands } from './dct-scale';
import { jpegOrientation } from './exif';
import { rowReader, toImageData } from './pixels-browser';
import { checkImageBytes, checkSize, LIMITS, type Size } from './sniff';

export interface Decoded {
  /** Upright (EXIF orientation applied), at most the pipeline's `workSize`. Caller closes it. */
  bitmap: ImageBitmap;
  /** Upright size before any shrinking. */
  width: number;
  height: number;
}

/**
 * Validates and decodes a photo in the browser (main thread or worker). Headers are checked
 * before decoding; EXIF orientation is applied; photos beyond the pipeline's `workSize` are
 * brought down to it here, so the model never holds a full-size photo (12 MP of RGBA is 48 MB).
 * Smaller photos are passed on untouched.
 *
 * A big JPEG is decoded straight to its work size where the browser has WebCodecs' ImageDecoder:
 * the decoder scales its inverse DCT, which skips most of the work (a 12 MP photo: ~160 ms
 * instead of ~500 for a full decode and a resize on this machine). Without ImageDecoder, or on
 * any trouble there, the JPEG is decoded in full and the same scaling is applied in JS
 * (`dct-scale.ts`, as `npm run score` does). Other formats are resized by the browser's
 * high-quality resampler (the CLI uses a box filter and bilinear: close, not equal).
 */
export async function decodeBlob(blob: Blob): Promise<Decoded> {
  // refuse oversized files before reading them into memory
  if (blob.size > LIMITS.maxBytes) throw new CoachError('TOO_LARGE', `the file is ${blob.size} bytes; the limit is ${LIMITS.maxBytes}`);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const { kind, size } = checkImageBytes(bytes);
  if (kind === 'jpeg' && size && canDecodeScaled()) {
    const scaled = await decodeJpegScaled(bytes, size).catch(() => null);
    if (scaled) return scaled;
  }
  return decodeFull(bytes, kind);
}

/** WebCodecs' ImageDecoder, with frames that carry the EXIF rotation (Chromium 1xx+). */
function canDecodeScaled(): boolean {
  return typeof ImageDecoder !== 'undefined' && typeof VideoFrame !== 'undefined' && 'rotation' in VideoFrame.prototype;
}

/**
 * A JPEG larger than its work size, decoded at that size by DCT scaling. Null when the photo is
 * small enough already; throws when the decoder does not give what was asked (the caller then
 * decodes in full).
 */
async function decodeJpegScaled(bytes: Uint8Array, stored: Size): Promise<Decoded | null> {
  const target = workSize(stored.width, stored.height);
  if (target.width === stored.width) return null;
  const decoder = new ImageDecoder({ data: bytes, type: 'image/jpeg', desiredWidth: target.width, desiredHeight: target.height });
  try {
    const { image } = await decoder.decode();
    try {
      if (image.codedWidth !== target.width || image.codedHeight !== target.height) throw new Error(`decoded at ${image.codedWidth}×${image.codedHeight}`);
      // a quarter turn (EXIF 5–8) swaps the sides; createImageBitmap applies the frame's rotation
      const rotation = (image as VideoFrame & { rotation?: number }).rotation ?? 0;
      const turned = rotation === 90 || rotation === 270;
      const bitmap = await createImageBitmap(image);
      if (bitmap.width !== (turned ? target.height : target.width)) {
        bitmap.close();
        throw new Error('the frame was not turned upright');
      }
      return { bitmap, width: turned ? stored.height : stored.width, height: turned ? stored.width : stored.height };
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

/** Rows of a full decode read at a time when scaling it in JS (a 12 MP photo: 4000 × 256 × 4 bytes). */
const BAND_ROWS = 256;

/** Any supported photo: a full decode (EXIF orientation applied), then a resize to the work size. */
async function decodeFull(bytes: Uint8Array<ArrayBuffer>, kind: string): Promise<Decoded> {
  let full: ImageBitmap;
  try {
    full = await createImageBitmap(new Blob([bytes]), { imageOrientation: 'from-image' });
  } catch (e) {
    if (kind === 'heic' || kind === 'avif') {
      throw new CoachError('UNSUPPORTED_FORMAT', `this browser cannot open ${kind.toUpperCase()} photos`, { cause: e });
    }
    throw new CoachError('CORRUPT_IMAGE', `the ${kind.toUpperCase()} could not be decoded: ${(e as Error).message}`, { cause: e });
  }
  const { width, height } = full;
  try {
    checkSize({ width, height });
  } catch (e) {
    full.close();
    throw e;
  }
  const target = workSize(width, height);
  if (target.width === width && target.height === height) return { bitmap: full, width, height };
  try {
    // A JPEG is scaled as the decoder would have (and as `npm run score` does), its block grid
    // placed by the EXIF orientation; anything else by the browser's resampler.
    const bitmap =
      kind === 'jpeg'
        ? await createImageBitmap(toImageData(dctScaleBands(width, height, workScale(width, height), anchorFor(jpegOrientation(bytes)), rowReader(full, BAND_ROWS), BAND_ROWS / 8)))
        : await createImageBitmap(full, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
    return { bitmap, width, height };
  } catch (e) {
    throw isCoachError(e) ? e : new CoachError('TOO_LARGE', `the photo is too large to shrink here (${width}×${height})`, { cause: e });
  } finally {
    full.close();
  }
}
