import * as tf from '@tensorflow/tfjs';
import { CoachError } from '../errors';
import type { ModelBundle } from './bundle';

/** How many raw outputs the card's head has: quality, one per aspect, then its extra outputs. */
export const headWidth = (card: ModelBundle['card']) => 1 + card.aspects.length + (card.head.extra?.length ?? 0);

/** The head's raw outputs for one analysed photo: quality 0–1, one severity per aspect, then the card's extra outputs. */
export async function headOutputs(bundle: ModelBundle, f: Float32Array): Promise<Float32Array> {
  const out = tf.tidy(() => {
    let x: tf.Tensor1D = tf.tensor1d(f);
    // The head is linear: a feature outside anything seen in training (an unusual size or
    // shape of photo) would be extrapolated without bound, so it is held to the training range.
    if (bundle.range) x = tf.minimum(tf.maximum(x, bundle.range.min), bundle.range.max);
    return (bundle.head.predict(x.expandDims(0)) as tf.Tensor2D).squeeze([0]);
  });
  try {
    const raw = (await out.data()) as Float32Array;
    if (raw.length !== headWidth(bundle.card) || !raw.every(Number.isFinite)) {
      throw new CoachError('INTERNAL', `model produced ${raw.length} outputs, expected ${headWidth(bundle.card)} finite values`);
    }
    return raw;
  } finally {
    out.dispose();
  }
}
