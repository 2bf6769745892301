import * as tf from '@tensorflow/tfjs';
import { type FloatPool, floatPool } from '../image/float-pool';
import { overviewFingerprint } from '../image/fingerprint';
import { detailCrop, GLOBAL_SIDE, globalView, overview, type Pixels, toWork } from '../image/views';
import { measure, MEASURE_NAMES, type MeasuredPixels } from '../measures/measures';
import { measureHere } from '../measures/measurer';

// The head's input for one photo: the backbone's pooled feature levels, where its deep
// activations sit (saliency), and the explicit measurements.

/**
 * Feature levels of the MobileNetV3 backbone that feed the head, shallow to deep, with their
 * channel counts (sizes at 320²): each gives the mean and standard deviation of its channels
 * over space. The deepest, `extern1`, also locates the item (`saliency`).
 */
export const BACKBONE_LEVELS: readonly { name: string; channels: number }[] = [
  { name: 'tower_0/MobilenetV3/expanded_conv_4/add', channels: 32 }, // 40×40, stride 8
  { name: 'tower_0/MobilenetV3/expanded_conv_5/add', channels: 32 }, // 40×40
  { name: 'tower_0/MobilenetV3/expanded_conv_9/add', channels: 64 }, // 20×20, stride 16
  { name: 'tower_0/MobilenetV3/expanded_conv_11/add', channels: 88 }, // 20×20
  { name: 'tower_0/extern1/hard_swish/mul_1', channels: 480 }, // 10×10, stride 32
];

export const BACKBONE_OUTPUTS = BACKBONE_LEVELS.map((l) => l.name);

/** Values before the measurements in `features()`: mean and std per channel of each level, saliency 6. */
export const BACKBONE_FEATURES = BACKBONE_LEVELS.reduce((n, l) => n + 2 * l.channels, 0) + 6;

/** Mean and standard deviation over space, per channel. [1,h,w,c] → [2c] */
function meanStd(x: tf.Tensor4D): tf.Tensor1D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.concat([mean, tf.sqrt(tf.add(variance, 1e-6))]) as tf.Tensor1D;
}

/**
 * Where the backbone's deep activations sit: a cheap saliency map that locates the item. Its
 * centroid, spread and centre share describe framing (small or off-centre subject). → [6]
 */
function saliency(deep: tf.Tensor4D): tf.Tensor1D {
  const [, h, w] = deep.shape;
  const e = tf.mean(tf.relu(deep), [0, 3]) as tf.Tensor2D; // [h,w]
  const p = tf.div(e, tf.add(tf.sum(e), 1e-6));
  const ys = tf.sub(tf.div(tf.add(tf.range(0, h), 0.5), h), 0.5).reshape([h, 1]);
  const xs = tf.sub(tf.div(tf.add(tf.range(0, w), 0.5), w), 0.5).reshape([1, w]);
  const cy = tf.sum(tf.mul(p, ys));
  const cx = tf.sum(tf.mul(p, xs));
  const sy = tf.sqrt(tf.add(tf.sum(tf.mul(p, tf.square(tf.sub(ys, cy)))), 1e-8));
  const sx = tf.sqrt(tf.add(tf.sum(tf.mul(p, tf.square(tf.sub(xs, cx)))), 1e-8));
  const centre = tf.sum(tf.slice(p, [Math.floor(h / 4), Math.floor(w / 4)], [Math.floor(h / 2), Math.floor(w / 2)]));
  const peak = tf.div(tf.max(e), tf.add(tf.mean(e), 1e-6));
  return tf.stack([cx, cy, sx, sy, centre, tf.log(peak)]) as tf.Tensor1D;
}

/** The square side the backbone graph takes to score: its placeholder's, or GLOBAL_SIDE where that is open (the shipped model's, as the item locator runs it at its own size). */
function inputSide(backbone: tf.GraphModel): number {
  const side = backbone.inputs[0]?.shape?.[1];
  return side && side > 0 ? side : GLOBAL_SIDE;
}

/** What one pass over a photo yields: the head's input and the photo's fingerprint. */
export interface Analysis {
  features: Float32Array;
  fingerprint: string;
}

/** A decoded photo: pixels, or a [H,W,3] tensor of 0–255 (the Node tools decode to tensors). */
export type PhotoPixels = Pixels | tf.Tensor3D;

/** The photo's size before any decoder-side shrinking. */
export interface PhotoSize {
  width: number;
  height: number;
}

/** The photo's pixels, read back once when a tensor is given. */
export async function pixelsOf(src: PhotoPixels): Promise<Pixels> {
  if (!(src instanceof tf.Tensor)) return src;
  const [height, width] = src.shape;
  return { data: await src.data(), width, height, channels: 3 };
}

/**
 * The backbone's `side`² view, its overview and the native-scale detail crop of one photo, in
 * arrays from `floats` where given (the photo at work size, when it had to be brought down,
 * goes back to it at once).
 */
function viewsOf(px: Pixels, side: number, floats?: FloatPool): MeasuredPixels {
  const work = toWork(px, floats);
  const view = globalView(work, side, floats);
  const views = { view, overview: overview(view, floats), detail: detailCrop(work, floats) };
  if (work !== px) floats?.give(work.data as Float32Array);
  return views;
}

/** The views' arrays, kept between the photos scored on this thread (one at a time, so a few suffice). */
const viewArrays = floatPool(8);

/**
 * One photo through the backbone and the measurements. `size` is the photo's size before any
 * decoder-side shrinking. The views are cut in JS (`views.ts`); the backbone runs on the tfjs
 * backend while `measurer` computes the measurements (`measures.ts`): on this thread by default,
 * on another in the browser (`measurer.ts`). Leaves no tensors behind.
 */
export async function analyse(backbone: tf.GraphModel, src: PhotoPixels, size?: PhotoSize, measurer = measureHere): Promise<Analysis> {
  const px = await pixelsOf(src);
  const side = inputSide(backbone);
  const views = viewsOf(px, side, viewArrays);
  const fingerprint = overviewFingerprint(views.overview);
  // handed over before the backbone starts: an off-thread measurer works while it runs
  const measuring = measurer.measure(views, size?.width ?? px.width, size?.height ?? px.height);
  const learnt = tf.tidy(() => {
    const input = tf.tensor4d(views.view.data, [1, side, side, 3]);
    const levels = backbone.execute(input, BACKBONE_OUTPUTS) as tf.Tensor4D[];
    return tf.concat([...levels.map(meanStd), saliency(levels[levels.length - 1])]);
  });
  try {
    const [measured, values] = await Promise.all([measuring, learnt.data()]);
    const features = new Float32Array(BACKBONE_FEATURES + MEASURE_NAMES.length);
    features.set(values as Float32Array);
    features.set(measured, BACKBONE_FEATURES);
    return { features, fingerprint };
  } finally {
    learnt.dispose();
    // nothing reads the views now: the backbone's input was uploaded and disposed inside the
    // tidy, and the measurer has answered (or failed, and measured them here)
    for (const v of [views.view, views.overview, views.detail]) viewArrays.give(v.data);
  }
}

/**
 * The measurements alone (the tail of `features`), for a backbone taking `side`² views: cached
 * feature rows get new measurements without running the backbone again. → [MEASURE_NAMES]
 */
export async function measurements(src: PhotoPixels, side = GLOBAL_SIDE, size?: PhotoSize): Promise<Float32Array> {
  const px = await pixelsOf(src);
  return measure(viewsOf(px, side), size?.width ?? px.width, size?.height ?? px.height);
}

/** The head's input for one photo (see `analyse`). → [F] */
export async function features(backbone: tf.GraphModel, src: PhotoPixels, size?: PhotoSize): Promise<Float32Array> {
  return (await analyse(backbone, src, size)).features;
}

/** The fingerprint `scorePixels` gives a photo, on its own. */
export async function fingerprint(src: PhotoPixels): Promise<string> {
  return overviewFingerprint(overview(globalView(toWork(await pixelsOf(src)))));
}
