import type { Pixels } from '../model/views';

/**
 * A decoded photo's RGBA pixels, on the page or in a worker. The canvas is asked for
 * `willReadFrequently`, which keeps it in memory: a GPU-backed canvas (tf.browser.fromPixels's
 * default) copies the pixels back from the GPU, ~100 ms for a 1024×768 photo here where this
 * takes a few. Same pixels either way: a 1:1 draw of an opaque bitmap.
 */
export function bitmapPixels(source: ImageBitmap | ImageData): Pixels {
  if (source instanceof ImageData) return { data: source.data, width: source.width, height: source.height, channels: 4 };
  const { width, height } = source;
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (!ctx) throw new Error('no 2D canvas to read the photo with');
  ctx.drawImage(source, 0, 0);
  return { data: ctx.getImageData(0, 0, width, height).data, width, height, channels: 4 };
}
