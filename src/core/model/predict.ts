import * as tf from '@tensorflow/tfjs';
import type { Score } from '../aspects';
import type { Measurer } from '../measures/measurer';
import type { ModelBundle } from './bundle';
import { toScore } from './calibration';
import { analyse, features, type PhotoPixels, type PhotoSize } from './features';
import { headOutputs } from './head';

// One decoded photo through the whole model: features → head → calibrated score.

/** The head's raw outputs for one decoded photo: quality 0–1, then one severity per aspect. */
export async function predictRaw(bundle: ModelBundle, src: PhotoPixels, size?: PhotoSize): Promise<Float32Array> {
  return headOutputs(bundle, await features(bundle.backbone, src, size));
}

/** Scores one decoded photo. Never disposes a tensor given; leaves no tensors behind. */
export async function scorePixels(bundle: ModelBundle, src: PhotoPixels, size?: PhotoSize, measurer?: Measurer): Promise<Score> {
  const a = await analyse(bundle.backbone, src, size, measurer);
  const [height, width] = src instanceof tf.Tensor ? src.shape : [src.height, src.width];
  const score = toScore(await headOutputs(bundle, a.features), bundle.card, size?.width ?? width, size?.height ?? height);
  return { ...score, fingerprint: a.fingerprint };
}
