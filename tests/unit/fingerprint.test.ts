import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { hamming } from '../../src/core/image/fingerprint';
import { fingerprint } from '../../src/core/model/features';

const photo = (name: string) => {
  const png = PNG.sync.read(readFileSync(join(import.meta.dirname, '../fixtures', name)));
  return tf.tidy(() => tf.tensor3d(png.data, [png.height, png.width, 4], 'int32').slice([0, 0, 0], [png.height, png.width, 3]) as tf.Tensor3D);
};

describe('fingerprint (dHash of the photo)', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('is 16 hex digits, near for the same shot resized and re-exposed, far for another shot', async () => {
    const coffee = photo('photos/coffee.png');
    const half = tf.tidy(() => tf.image.resizeBilinear(coffee, [200, 300], true).round().toInt() as tf.Tensor3D);
    const brighter = tf.tidy(() => coffee.mul(1.15).clipByValue(0, 255).toInt() as tf.Tensor3D);
    const other = photo('advice/blurred.png');
    const before = tf.memory().numTensors;
    const [a, b, c, d] = await Promise.all([coffee, half, brighter, other].map(fingerprint));
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(hamming(a, b)).toBeLessThanOrEqual(4);
    expect(hamming(a, c)).toBeLessThanOrEqual(4);
    expect(hamming(a, d)).toBeGreaterThan(16);
    tf.dispose([coffee, half, brighter, other]);
  });
});
