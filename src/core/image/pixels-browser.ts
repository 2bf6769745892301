import { scratchCanvas } from './canvas';
import type { Pixels, RgbImage } from './views';

/**
 * A decoded photo's RGBA pixels, on the page or in a worker. The canvas is asked for
 * `willReadFrequently`, which keeps it in memory: a GPU-backed canvas (tf.browser.fromPixels's
 * default) copies the pixels back from the GPU, ~100 ms for a 1024×768 photo here where this
 * takes a few. Same pixels either way: a 1:1 draw of an opaque bitmap.
 */
export function bitmapPixels(source: ImageBitmap | ImageData): Pixels {
  if (source instanceof ImageData) return { data: source.data, width: source.width, height: source.height, channels: 4 };
  return rowReader(source, source.height)(0, source.height);
}

/** Reads `rows` rows of a bitmap from row `y`, at most `maxRows` at a time, through one canvas. */
export function rowReader(source: ImageBitmap, maxRows: number): (y: number, rows: number) => Pixels {
  const { width } = source;
  const ctx = scratchCanvas(width, maxRows).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas to read the photo with');
  // a new canvas is transparent already; later bands are drawn over the one before, which
  // shows through a photo's transparent pixels unless cleared (a memset of the band: ~1 ms a
  // megapixel, spent for nothing on the single read that scores a photo)
  let drawn = false;
  return (y, rows) => {
    if (drawn) ctx.clearRect(0, 0, width, rows);
    drawn = true;
    ctx.drawImage(source, 0, y, width, rows, 0, 0, width, rows);
    return { data: ctx.getImageData(0, 0, width, rows).data, width, height: rows, channels: 4 };
  };
}

/** Float RGB (0–255) as ImageData, for createImageBitmap. */
export function toImageData(img: RgbImage): ImageData {
  const out = new ImageData(img.width, img.height);
  const d = out.data;
  for (let i = 0, p = 0; p < img.data.length; i += 4, p += 3) {
    d[i] = img.data[p];
    d[i + 1] = img.data[p + 1];
    d[i + 2] = img.data[p + 2];
    d[i + 3] = 255;
  }
  return out;
}
