import * as tf from '@tensorflow/tfjs';
import type { RgbImage } from './measures';

// The sizes below trade accuracy for time on a phone: the backbone's cost grows with its input
// area, and every measurement is a pass over pixels. `npm run cv`-style comparisons on train
// photos and `npm run bench` chose them (tools/model/README.md).

/** The backbone sees the whole photo squeezed to this square (the graph's input shape). */
export const GLOBAL_SIDE = 320;
/** Exposure, colour, tilt and clutter are measured on the backbone's view halved to this. */
export const OVERVIEW_SIDE = GLOBAL_SIDE / 2;
/** Sharpness and noise are judged on a centre crop of at most this size, at native scale. */
export const DETAIL_SIDE = 384;
/**
 * Photos are first brought down to this long side. The training photos are 512² (BIQ2021), so
 * a detail crop of a photo capped here sees pixels at a scale close to what the head learned on.
 */
export const WORK_MAX_SIDE = 1024;
/** The Node decoder hands over at most this long side (a memory guard); the browser's shrinks to WORK_MAX_SIDE. */
export const DECODE_MAX_SIDE = 4096;

/**
 * Downscale with a box prefilter so that big reductions do not alias (bilinear alone samples
 * only 4 pixels per output pixel; a 12 MP photo squeezed to 512 would keep its noise but lose
 * its blur). An integer average-pool takes the image to within 2× of the target, bilinear does
 * the rest. [H,W,3] float → [h,w,3] float.
 */
export function resizeArea(img: tf.Tensor3D, h: number, w: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [H, W] = img.shape;
    if (H === h && W === w) return img.clone();
    const fy = Math.max(1, Math.floor(H / h / 1.0001));
    const fx = Math.max(1, Math.floor(W / w / 1.0001));
    let x: tf.Tensor3D = img;
    // 'valid' pooling drops the rows and columns that do not fill a whole window
    if (fy > 1 || fx > 1) x = tf.avgPool(img, [fy, fx], [fy, fx], 'valid');
    if (x.shape[0] === h && x.shape[1] === w) return x;
    return tf.image.resizeBilinear(x, [h, w], false, true);
  });
}

/** Long side capped at `max`, aspect kept. [H,W,3] → [h,w,3] float32 0–255. */
export function capLongSide(rgb: tf.Tensor3D, max: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [H, W] = rgb.shape;
    const f = rgb.toFloat() as tf.Tensor3D;
    const s = Math.min(1, max / Math.max(H, W));
    if (s === 1) return f;
    return resizeArea(f, Math.max(1, Math.round(H * s)), Math.max(1, Math.round(W * s)));
  });
}

/** The whole photo squeezed to the backbone's square input. [H,W,3] → [side,side,3]. */
export function globalView(work: tf.Tensor3D, side = GLOBAL_SIDE): tf.Tensor3D {
  return resizeArea(work, side, side);
}

/** The backbone's view halved (2×2 box average). [side,side,3] → [side/2,side/2,3] (OVERVIEW_SIDE for the shipped model). */
export function overview(view: tf.Tensor3D): tf.Tensor3D {
  return tf.avgPool(view, 2, 2, 'valid');
}

/** Centre crop at native scale, at most DETAIL_SIDE square. [H,W,3] → [≤DETAIL_SIDE,≤DETAIL_SIDE,3]. */
export function detailCrop(work: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [H, W] = work.shape;
    const h = Math.min(H, DETAIL_SIDE);
    const w = Math.min(W, DETAIL_SIDE);
    if (h === H && w === W) return work.clone();
    return crop(work, Math.floor((H - h) / 2), Math.floor((W - w) / 2), h, w);
  });
}

/**
 * tf.slice of [y,x,0]–[h,w,3], with the same values: slicing [H,W·3] copies one row at a time,
 * where the wasm backend's 3-D slice copies one pixel (3 numbers) at a time — 5–10× slower.
 */
export function crop(img: tf.Tensor3D, y: number, x: number, h: number, w: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [H, W] = img.shape;
    return tf.slice(tf.reshape(img, [H, W * 3]), [y, x * 3], [h, w * 3]).reshape([h, w, 3]) as tf.Tensor3D;
  });
}

/** A view's pixels read back for the measurements (`measures.ts`). */
export async function readRgb(img: tf.Tensor3D): Promise<RgbImage> {
  const [height, width] = img.shape;
  return { data: (await img.data()) as Float32Array, width, height };
}
