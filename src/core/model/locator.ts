import * as tf from '@tensorflow/tfjs';
import { CoachError } from '../errors';
import type { CropBox } from '../fixes';
import type { Pixels } from '../image/views';
import { handlerFor, type ModelBundle } from './bundle';

// The item locator: an object detector's heads on the quality model's own backbone (the model
// card's `locator`), loaded from the model folder the first time a crop asks for it, on the
// backend that scores. Its classes are not used: a box says an item is there, whatever it is.

/** One box the detector found, as shares of the photo. */
export interface Detection {
  box: CropBox;
  score: number;
}

/** Boxes below this score are dropped at once (the crop fix asks for far more, crop.ts). */
const MIN_SCORE = 0.05;

function locatorModel(bundle: ModelBundle): Promise<tf.GraphModel> {
  const entry = bundle.card.locator;
  if (!entry) return Promise.reject(new CoachError('MODEL_LOAD_FAILED', 'this model has no item locator (model-card.json names none)'));
  bundle.locator ??= tf.loadGraphModel(handlerFor(bundle.read, entry.path)).catch((e) => {
    bundle.locator = undefined; // a failed load may be tried again
    throw e instanceof CoachError ? e : new CoachError('MODEL_LOAD_FAILED', `the item locator could not be loaded: ${(e as Error).message}`, { cause: e });
  });
  return bundle.locator;
}

/** Where the detector finds items in the photo, best first. */
export async function locateItems(bundle: ModelBundle, px: Pixels | tf.Tensor3D): Promise<Detection[]> {
  const heads = await locatorModel(bundle);
  const { input, inputs, output } = bundle.card.locator!;
  const out = tf.tidy(() => {
    const rgb =
      px instanceof tf.Tensor
        ? px.toFloat()
        : tf.tensor3d(px.data instanceof Float32Array ? px.data : Float32Array.from(px.data), [px.height, px.width, px.channels]).slice([0, 0, 0], [px.height, px.width, 3]);
    const x = tf.image.resizeBilinear(rgb as tf.Tensor3D, [input, input]).expandDims(0);
    // the backbone at the detector's size, as far as the layers its heads read
    const layers = bundle.backbone.execute(x, inputs) as tf.Tensor[];
    return heads.execute(Object.fromEntries(inputs.map((name, i) => [name, layers[i]])), output) as tf.Tensor;
  });
  try {
    const rows = ((await out.array()) as number[][][])[0];
    const clamp = (v: number) => Math.min(1, Math.max(0, v / input));
    return rows
      .filter((r) => r[4] >= MIN_SCORE)
      .map(([x1, y1, x2, y2, score]) => {
        const [x, y] = [clamp(x1), clamp(y1)];
        return { box: { x, y, width: Math.max(0, clamp(x2) - x), height: Math.max(0, clamp(y2) - y) }, score };
      })
      .filter((d) => d.box.width > 0 && d.box.height > 0)
      .sort((a, b) => b.score - a.score);
  } finally {
    out.dispose();
  }
}
