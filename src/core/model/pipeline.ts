import * as tf from '@tensorflow/tfjs';
import { ASPECTS, type AspectId, type Score } from '../aspects';
import { CoachError } from '../errors';
import { bandFor, type ModelBundle, type ModelCard, type ReadModelFile } from './bundle';
import { dHash } from '../explain/dhash';
import { verifiedReader } from './integrity';
import { measure } from './measures';
import { capLongSide, detailCrop, globalView, WORK_MAX_SIDE } from './views';

export { DECODE_MAX_SIDE } from './views';

/** Feature levels of the MobileNetV3 backbone that feed the head (64×64×32 and 16×16×480). */
export const BACKBONE_OUTPUTS = [
  'tower_0/MobilenetV3/expanded_conv_5/add',
  'tower_0/extern1/hard_swish/mul_1',
];

/** Values before the measurements in `features()`: mean and std of 32 + 480 channels, saliency 6. */
export const BACKBONE_FEATURES = 2 * 32 + 2 * 480 + 6;

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
  const centre = tf.sum(tf.slice(p, [h / 4, w / 4], [h / 2, w / 2]));
  const peak = tf.div(tf.max(e), tf.add(tf.mean(e), 1e-6));
  return tf.stack([cx, cy, sx, sy, centre, tf.log(peak)]) as tf.Tensor1D;
}

/**
 * The head's input for one photo. `rgb` is the decoded upright photo ([H,W,3], 0–255); `size` is
 * its size before any decoder-side shrinking. Synchronous and tidy: returns one tensor. → [F]
 */
export function features(backbone: tf.GraphModel, rgb: tf.Tensor3D, size?: { width: number; height: number }): tf.Tensor1D {
  return tf.tidy(() => {
    const width = size?.width ?? rgb.shape[1];
    const height = size?.height ?? rgb.shape[0];
    const work = capLongSide(rgb, WORK_MAX_SIDE);
    const view = globalView(work);
    const [shallow, deep] = backbone.execute(view.expandDims(0), BACKBONE_OUTPUTS) as tf.Tensor4D[];
    return tf.concat([
      meanStd(shallow), meanStd(deep), saliency(deep), measure(view, detailCrop(work), width, height),
    ]) as tf.Tensor1D;
  });
}

/** From the head's raw outputs (quality ≈ MOS 0–1, then one severity per aspect) to a Score. */
export function toScore(raw: ArrayLike<number>, card: ModelCard, width: number, height: number): Score {
  const { lo, hi } = card.calibration;
  const overall = Math.round(Math.min(100, Math.max(0, ((raw[0] - lo) / (hi - lo)) * 100)) * 10) / 10;
  const aspects = {} as Record<AspectId, number>;
  card.aspects.forEach((id, i) => {
    aspects[id] = Math.round(Math.min(1, Math.max(0, raw[i + 1])) * 1000) / 1000;
  });
  return { overall, band: bandFor(overall, card.bands), aspects, width, height };
}

/** The head's raw outputs for one decoded photo: quality 0–1, then one severity per aspect. */
export async function predictRaw(
  bundle: ModelBundle,
  rgb: tf.Tensor3D,
  size?: { width: number; height: number },
): Promise<Float32Array> {
  const out = tf.tidy(() => {
    let f = features(bundle.backbone, rgb, size);
    // The head is linear: a feature outside anything seen in training (an unusual size or
    // shape of photo) would be extrapolated without bound, so it is held to the training range.
    if (bundle.range) f = tf.minimum(tf.maximum(f, bundle.range.min), bundle.range.max);
    return (bundle.head.predict(f.expandDims(0)) as tf.Tensor2D).squeeze([0]);
  });
  try {
    const raw = (await out.data()) as Float32Array;
    if (raw.length !== bundle.card.aspects.length + 1 || !raw.every(Number.isFinite)) {
      throw new CoachError('INTERNAL', `model produced ${raw.length} outputs, expected ${bundle.card.aspects.length + 1} finite values`);
    }
    return raw;
  } finally {
    out.dispose();
  }
}

/** Scores one decoded photo. Never disposes `rgb`; leaves no tensors behind. */
export async function scorePixels(
  bundle: ModelBundle,
  rgb: tf.Tensor3D,
  size?: { width: number; height: number },
): Promise<Score> {
  const raw = await predictRaw(bundle, rgb, size);
  const score = toScore(raw, bundle.card, size?.width ?? rgb.shape[1], size?.height ?? rgb.shape[0]);
  return { ...score, fingerprint: await fingerprint(rgb) };
}

const PRINT_SIDE = 64;

/**
 * dHash of the photo's grey image, box-averaged to 64×64 first (so fine detail cannot alias):
 * the same shot re-encoded, resized or slightly re-exposed hashes within a few bits.
 */
export async function fingerprint(rgb: tf.Tensor3D): Promise<string> {
  const small = tf.tidy(() => {
    let grey = rgb.toFloat().mean(2, true) as tf.Tensor3D;
    const k = Math.floor(Math.min(grey.shape[0], grey.shape[1]) / PRINT_SIDE);
    if (k > 1) grey = tf.avgPool(grey, k, k, 'valid');
    return tf.image.resizeBilinear(grey, [PRINT_SIDE, PRINT_SIDE], true);
  });
  try {
    return dHash((await small.data()) as Float32Array, PRINT_SIDE, PRINT_SIDE);
  } finally {
    small.dispose();
  }
}

/** Builds a tfjs IOHandler for `<dir>/model.json` plus its shards from any file reader. */
function handlerFor(read: ReadModelFile, dir: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(new TextDecoder().decode(await read(`${dir}/model.json`)));
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest as tf.io.WeightsManifestConfig) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(await read(`${dir}/${p}`));
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: concatBuffers(buffers),
      };
    },
  };
}

function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  return out.buffer;
}

/** Loads model-card.json, the backbone graph and the head from one model folder. */
export async function loadBundle(readAny: ReadModelFile): Promise<ModelBundle> {
  let card: ModelCard;
  try {
    card = JSON.parse(new TextDecoder().decode(await readAny('model-card.json'))) as ModelCard;
  } catch (e) {
    if (e instanceof SyntaxError) throw new CoachError('MODEL_LOAD_FAILED', `model-card.json is not JSON: ${e.message}`, { cause: e });
    throw e;
  }
  const read = verifiedReader(readAny, card.files);
  const unknown = card.aspects.filter((a) => !(ASPECTS as readonly string[]).includes(a));
  if (unknown.length) throw new CoachError('MODEL_LOAD_FAILED', `model card names unknown aspects: ${unknown.join(', ')}`);
  const backbone = await tf.loadGraphModel(handlerFor(read, card.backbone.path));
  let head: tf.LayersModel | undefined;
  try {
    head = await tf.loadLayersModel(handlerFor(read, card.head.path));
    let range: ModelBundle['range'];
    if (card.head.range) {
      const r = JSON.parse(new TextDecoder().decode(await read(`${card.head.path}/${card.head.range}`))) as { min: number[]; max: number[] };
      if (r.min.length !== card.head.features || r.max.length !== card.head.features) {
        throw new CoachError('MODEL_LOAD_FAILED', `feature range has ${r.min.length} values, the head takes ${card.head.features}`);
      }
      range = { min: tf.tensor1d(r.min), max: tf.tensor1d(r.max) };
    }
    return { card, backbone, head, range };
  } catch (e) {
    // a later file failed: free what already sits on the backend
    backbone.dispose();
    head?.dispose();
    throw e;
  }
}

export function disposeBundle(bundle: ModelBundle): void {
  bundle.backbone.dispose();
  bundle.head.dispose();
  bundle.range?.min.dispose();
  bundle.range?.max.dispose();
}
