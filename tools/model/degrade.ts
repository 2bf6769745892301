import * as tf from '@tensorflow/tfjs';
import type { LabelledAspectId } from '../../src/core/aspects';
import { resizeArea as resizePixels } from '../../src/core/image/views';
import { rng } from './rng';

/** The pipeline's box-then-bilinear downscale (views.ts) on a tensor: degradations work on tensors. */
function resizeArea(img: tf.Tensor3D, h: number, w: number): tf.Tensor3D {
  const [H, W] = img.shape;
  return tf.tensor3d(resizePixels({ data: img.dataSync(), width: W, height: H, channels: 3 }, h, w).data, [h, w, 3]);
}

// Synthetic degradations with a known type and strength, made from training photos, so the
// aspect heads can learn what each defect looks like. Every function takes a float [H,W,3]
// 0–255 image and a strength in [0,1] (0 = barely, 1 = severe) and returns a new image.
// `donors` are other photos (for clutter and backgrounds); `seed` fixes all random choices.

export interface DegradeInput {
  img: tf.Tensor3D;
  strength: number;
  seed: number;
  donors: tf.Tensor3D[];
}

function gaussianKernel(sigma: number): tf.Tensor1D {
  const r = Math.max(1, Math.ceil(sigma * 3));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = k.reduce((a, b) => a + b, 0);
  return tf.tensor1d(k.map((v) => v / s));
}

/** Separable blur with a 1-D kernel, per channel, edges replicated by 'same' zero-pad compensation. */
function separable(img: tf.Tensor3D, kx: tf.Tensor1D, ky: tf.Tensor1D): tf.Tensor3D {
  const x = img.expandDims(0) as tf.Tensor4D;
  const rx = (kx.size - 1) / 2;
  const ry = (ky.size - 1) / 2;
  const padded = tf.mirrorPad(
    x,
    [
      [0, 0],
      [ry, ry],
      [rx, rx],
      [0, 0],
    ],
    'symmetric',
  );
  const fx = tf.tile(kx.reshape([1, kx.size, 1, 1]), [1, 1, 3, 1]) as tf.Tensor4D;
  const fy = tf.tile(ky.reshape([ky.size, 1, 1, 1]), [1, 1, 3, 1]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(tf.depthwiseConv2d(padded, fx, 1, 'valid'), fy, 1, 'valid');
  return out.squeeze([0]) as tf.Tensor3D;
}

export function blur({ img, strength, seed }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const r = rng(seed);
    if (r() < 0.3) {
      // motion blur along x or y
      const len = Math.round(5 + strength * 20) | 1;
      const k = tf.fill([len], 1 / len) as tf.Tensor1D;
      const one = tf.tensor1d([1]);
      return r() < 0.5 ? separable(img, k, one) : separable(img, one, k);
    }
    const k = gaussianKernel(1 + strength * 4);
    return separable(img, k, k);
  });
}

export function noise({ img, strength, seed }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const sigma = 6 + strength * 30;
    const lum = tf.randomNormal(img.shape.slice(0, 2).concat(1), 0, sigma, 'float32', seed);
    const chroma = tf.randomNormal(img.shape, 0, sigma * 0.5, 'float32', seed + 1);
    return tf.clipByValue(tf.add(img, tf.add(lum, chroma)), 0, 255) as tf.Tensor3D;
  });
}

export function underexposure({ img, strength }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const gain = 0.55 - strength * 0.4; // 0.55 … 0.15
    const x = tf.pow(tf.div(img, 255), 1 + strength * 0.6);
    return tf.clipByValue(tf.mul(x, 255 * gain), 0, 255) as tf.Tensor3D;
  });
}

export function overexposure({ img, strength }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const gain = 1.5 + strength * 1.8;
    const lift = strength * 40;
    return tf.clipByValue(tf.add(tf.mul(img, gain), lift), 0, 255) as tf.Tensor3D;
  });
}

export function lowResolution({ img, strength }: DegradeInput): tf.Tensor3D {
  const [H, W] = img.shape;
  // long side 360 … 100 px, and never an upscale of an already small photo
  const side = Math.min(Math.round(360 - strength * 260), Math.floor(0.71 * Math.max(H, W)));
  const s = side / Math.max(H, W);
  return resizeArea(img, Math.max(8, Math.round(H * s)), Math.max(8, Math.round(W * s)));
}

export function tilt({ img, strength, seed }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const r = rng(seed);
    const deg = (3 + strength * 12) * (r() < 0.5 ? -1 : 1);
    const rad = (deg * Math.PI) / 180;
    const [H, W] = img.shape;
    const rotated = tf.image.rotateWithOffset(img.expandDims(0) as tf.Tensor4D, rad, 0).squeeze([0]) as tf.Tensor3D;
    // Crop to the largest centred box without the black corners, then back to the original size.
    const c = Math.abs(Math.cos(rad));
    const sn = Math.abs(Math.sin(rad));
    const k = Math.min(W / (W * c + H * sn), H / (W * sn + H * c));
    const h = Math.floor(H * k);
    const w = Math.floor(W * k);
    const crop = tf.slice(rotated, [Math.floor((H - h) / 2), Math.floor((W - w) / 2), 0], [h, w, 3]);
    return tf.image.resizeBilinear(crop, [H, W], false, true);
  });
}

/** The photo shrunk onto a plain, softly lit backdrop, often pushed off-centre. */
export function framing({ img, strength, seed, donors }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const r = rng(seed);
    const [H, W] = img.shape;
    const scale = 0.6 - strength * 0.35; // subject takes 60 % … 25 % of the side
    const h = Math.round(H * scale);
    const w = Math.round(W * scale);
    const small = resizeArea(img, h, w);
    const donor = donors[Math.floor(r() * donors.length)];
    const tone = tf.mean(donor, [0, 1]);
    const backdrop = tf.add(tf.mul(tf.ones([H, W, 1]), tone), tf.randomNormal([H, W, 1], 0, 2, 'float32', seed));
    const off = strength * 0.5 + 0.2;
    const top = Math.round(((H - h) / 2) * (1 + (r() * 2 - 1) * off));
    const left = Math.round(((W - w) / 2) * (1 + (r() * 2 - 1) * off));
    const padded = tf.pad(small, [
      [top, H - h - top],
      [left, W - w - left],
      [0, 0],
    ]);
    const mask = tf.pad(tf.ones([h, w, 1]), [
      [top, H - h - top],
      [left, W - w - left],
      [0, 0],
    ]);
    return tf.add(tf.mul(padded, mask), tf.mul(backdrop, tf.sub(1, mask))) as tf.Tensor3D;
  });
}

/** Patches of other photos strewn over the border region, around an untouched centre. */
export function clutter({ img, strength, seed, donors }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const r = rng(seed);
    const [H, W] = img.shape;
    let out = img;
    const n = 3 + Math.round(strength * 7);
    for (let i = 0; i < n; i++) {
      const donor = donors[Math.floor(r() * donors.length)];
      const ph = Math.round(H * (0.15 + r() * 0.2));
      const pw = Math.round(W * (0.15 + r() * 0.2));
      const [dh, dw] = donor.shape;
      const patch = tf.slice(donor, [Math.floor(r() * (dh - ph)), Math.floor(r() * (dw - pw)), 0], [ph, pw, 3]);
      // keep to the border band: pick an edge, then a position along it
      const edge = Math.floor(r() * 4);
      const top = edge === 0 ? 0 : edge === 1 ? H - ph : Math.floor(r() * (H - ph));
      const left = edge === 2 ? 0 : edge === 3 ? W - pw : Math.floor(r() * (W - pw));
      const pad: [number, number][] = [
        [top, H - ph - top],
        [left, W - pw - left],
        [0, 0],
      ];
      const mask = tf.pad(tf.ones([ph, pw, 1]), pad);
      out = tf.add(tf.mul(out, tf.sub(1, mask)), tf.pad(patch, pad)) as tf.Tensor3D;
    }
    return out;
  });
}

export function colorCast({ img, strength, seed }: DegradeInput): tf.Tensor3D {
  return tf.tidy(() => {
    const r = rng(seed);
    const a = 0.12 + strength * 0.35;
    const hue = r() * 2 * Math.PI; // direction of the tint in the chroma plane
    const gains = [0, 1, 2].map((c) => 1 + a * Math.cos(hue - (c * 2 * Math.PI) / 3));
    return tf.clipByValue(tf.mul(img, tf.tensor1d(gains)), 0, 255) as tf.Tensor3D;
  });
}

export const DEGRADATIONS: Record<LabelledAspectId, (input: DegradeInput) => tf.Tensor3D> = {
  blur,
  noise,
  underexposure,
  overexposure,
  low_resolution: lowResolution,
  tilt,
  framing,
  clutter,
  color_cast: colorCast,
};
