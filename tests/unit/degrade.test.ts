import * as tf from '@tensorflow/tfjs';
import { LABELLED_ASPECTS } from '../../src/core/aspects';
import { DEGRADATIONS } from '../../tools/model/degrade';

describe('synthetic degradations', () => {
  let img: tf.Tensor3D;
  let donor: tf.Tensor3D;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    img = tf.tidy(() => tf.randomUniform([96, 128, 3], 40, 220, 'float32', 1)) as tf.Tensor3D;
    donor = tf.tidy(() => tf.randomUniform([96, 128, 3], 0, 255, 'float32', 2)) as tf.Tensor3D;
  });

  it.each(LABELLED_ASPECTS)('%s: stays in 0–255, changes the photo, and repeats exactly for a seed', (aspect) => {
    const before = tf.memory().numTensors;
    const run = () => DEGRADATIONS[aspect]({ img, strength: 0.7, seed: 11, donors: [donor] });
    const a = run();
    const b = run();
    expect(a.shape[2]).toBe(3);
    if (aspect !== 'low_resolution') expect(a.shape).toEqual(img.shape);
    else expect(Math.max(...a.shape.slice(0, 2))).toBeLessThan(128);
    const [min, max] = tf.tidy(() => [a.min().dataSync()[0], a.max().dataSync()[0]]);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(255.001);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    if (aspect !== 'low_resolution') expect(tf.tidy(() => tf.sub(a, img).abs().mean().dataSync()[0])).toBeGreaterThan(1);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stronger means further from the original', () => {
    const dist = (s: number) =>
      tf.tidy(
        () =>
          tf
            .sub(DEGRADATIONS.color_cast({ img, strength: s, seed: 3, donors: [] }), img)
            .abs()
            .mean()
            .dataSync()[0],
      );
    expect(dist(1)).toBeGreaterThan(dist(0.1));
  });
});
