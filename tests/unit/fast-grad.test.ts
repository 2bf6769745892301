import * as tf from '@tensorflow/tfjs';
import { registerFastMatMulGradient } from '../../tools/model/fast-grad';

describe('fast matMul gradient', () => {
  it('matches tfjs gradients for every transpose combination', async () => {
    await tf.setBackend('cpu');
    const a = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
    const b = tf.randomNormal([4, 5], 0, 1, 'float32', 2);
    const cases: [boolean, boolean][] = [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ];
    const grads = () =>
      cases.map(([ta, tb]) => {
        const A = ta ? a.transpose() : a;
        const B = tb ? b.transpose() : b;
        const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb))));
        return g([A, B]).map((t) => t.arraySync() as number[][]);
      });
    const reference = grads();
    const stock = tf.getGradient('BatchMatMul').gradFunc;
    registerFastMatMulGradient();
    expect(tf.getGradient('BatchMatMul').gradFunc).not.toBe(stock);
    const ours = grads();
    ours.forEach((pair, i) => pair.forEach((m, j) => m.flat().forEach((v, k) => expect(v).toBeCloseTo(reference[i][j].flat()[k], 4))));
  });
});
