import type { FixByHand, FixKind, FixPlan, FixPreview } from '../fixes';
import { CoachError, isCoachError } from '../errors';
import { scratchCanvas } from '../image/canvas';
import { decodeBlob } from '../image/decode-browser';
import { jpegOrientation } from '../image/exif';
import { checkImageBytes } from '../image/sniff';
import { bitmapPixels } from '../image/pixels-browser';
import type { Pixels } from '../image/views';
import type { Scorer } from '../model/scorer';
import { channelLuts } from './plan';
import { cropRect } from './crop';
import { fixPixels, shapedSize } from './preview';

// Fixes in the browser, in the thread that scores: a preview on work-size pixels, scored by the
// same model, and the kept fix at full resolution, in bands of rows.

const PREVIEW_QUALITY = 0.9;
/** The kept photo's JPEG quality, lowered in steps only to fit the listing site's byte limit. */
const OUTPUT_QUALITIES = [0.92, 0.85, 0.75, 0.65];
/** Bigger photos are fixed at this many pixels at most (the memory a 12 MP fix takes, doubled). */
export const MAX_FIX_PIXELS = 24e6;
const BAND_ROWS = 256;

const toImageData = (px: Pixels) => new ImageData(px.data as Uint8ClampedArray<ArrayBuffer>, px.width, px.height);

async function jpeg(canvas: OffscreenCanvas, quality: number): Promise<Blob> {
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}

/** The fix for `fixes` on one photo, to look at: its plan, the fixed pixels' score and a work-size JPEG. */
export async function previewFix(scorer: Scorer, blob: Blob, fixes: readonly FixKind[], hand?: FixByHand, aspect?: number): Promise<FixPreview> {
  const { bitmap, width, height } = await decodeBlob(blob);
  let px: Pixels;
  try {
    px = bitmapPixels(bitmap);
  } finally {
    bitmap.close();
  }
  const models = { score: (p: Pixels, size: { width: number; height: number }) => scorer.score(toImageData(p), size), locate: (p: Pixels) => scorer.locate(toImageData(p)) };
  const { plan, fixed, score, frame } = await fixPixels(models, px, { width, height }, fixes, { hand, aspect });
  const canvas = scratchCanvas(fixed.width, fixed.height);
  canvas.getContext('2d')!.putImageData(toImageData(fixed), 0, 0);
  return { plan, score, frame, preview: await jpeg(canvas, PREVIEW_QUALITY) };
}

/**
 * The kept fix at full resolution (at most MAX_FIX_PIXELS), upright, as a JPEG of at most
 * `maxBytes`: drawn once, turned and cropped, then the colour and tone tables applied in bands of rows, so
 * only the canvas and one band are held besides the decoded photo. The JPEG carries no metadata:
 * no location, and the orientation is in the pixels.
 */
export async function renderFix(blob: Blob, plan: FixPlan, maxBytes: number): Promise<Blob> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const { kind, size } = checkImageBytes(bytes);
  // past MAX_FIX_PIXELS the decoder scales as it decodes: the full-size pixels are never held
  const scale = size ? Math.min(1, Math.sqrt(MAX_FIX_PIXELS / (size.width * size.height))) : 1;
  // EXIF orientations 5–8 show the stored photo a quarter turned
  const quarter = kind === 'jpeg' && jpegOrientation(bytes) >= 5;
  const shown = size && quarter ? { width: size.height, height: size.width } : size;
  let photo: ImageBitmap;
  try {
    photo = await createImageBitmap(
      blob,
      scale < 1 && shown
        ? { imageOrientation: 'from-image', resizeWidth: Math.round(shown.width * scale), resizeHeight: Math.round(shown.height * scale), resizeQuality: 'high' }
        : { imageOrientation: 'from-image' },
    );
  } catch (e) {
    throw new CoachError('CORRUPT_IMAGE', `the photo could not be decoded at full size: ${(e as Error).message}`, { cause: e });
  }
  const { width: W, height: H } = photo;
  const shaped = shapedSize(W, H, plan);
  // the crop is a share of the turned and straightened photo: only its pixels are drawn
  const kept = plan.crop ? cropRect(plan.crop, shaped.width, shaped.height) : { x: 0, y: 0, ...shaped };
  const { width, height } = kept;
  let canvas: OffscreenCanvas;
  try {
    canvas = scratchCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas');
    // canvas turns are clockwise as seen; a straighten's degrees are counter-clockwise
    ctx.translate(shaped.width / 2 - kept.x, shaped.height / 2 - kept.y);
    ctx.rotate((-plan.straighten * Math.PI) / 180);
    ctx.rotate((plan.quarterTurns * Math.PI) / 2);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(photo, -W / 2, -H / 2);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    photo.close();
    if (plan.fixes.includes('colour') || plan.fixes.includes('exposure')) {
      const [r, g, b] = channelLuts(plan);
      for (let y = 0; y < height; y += BAND_ROWS) {
        const rows = Math.min(BAND_ROWS, height - y);
        const band = ctx.getImageData(0, y, width, rows);
        const d = band.data;
        for (let p = 0; p < d.length; p += 4) {
          d[p] = r[d[p]];
          d[p + 1] = g[d[p + 1]];
          d[p + 2] = b[d[p + 2]];
        }
        ctx.putImageData(band, 0, y);
      }
    }
  } catch (e) {
    photo.close();
    if (isCoachError(e)) throw e;
    throw new CoachError('TOO_LARGE', `there is not enough memory to fix a ${W}×${H} photo: ${(e as Error).message}`, { cause: e });
  }
  for (const quality of OUTPUT_QUALITIES) {
    const out = await jpeg(canvas, quality);
    if (out.size <= maxBytes) return out;
  }
  throw new CoachError('OVER_SITE_LIMIT', `the fixed photo is bigger than the ${maxBytes} bytes the site takes, even at JPEG quality ${OUTPUT_QUALITIES.at(-1)}`);
}
