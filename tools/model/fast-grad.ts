import * as tf from '@tensorflow/tfjs';

// tfjs-backend-wasm runs a matMul with a transposed operand ≈10× slower than a plain one
// (189 ms vs 18 ms for 256×1057·1057×96 here), and BatchMatMul's stock gradient uses exactly
// those. This gradient transposes explicitly and then multiplies plainly: same values, and the
// head trains ≈5× faster. Only the untransposed forward case is ours; others keep tfjs's maths.
let registered = false;

export function registerFastMatMulGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const t = (x: tf.Tensor) =>
        tf.transpose(
          x,
          [...x.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : all.length * 2 - 3 - i)),
        );
      const d = dy as tf.Tensor;
      if (!transposeA && !transposeB) {
        return { a: () => tf.matMul(d as tf.Tensor3D, t(b) as tf.Tensor3D), b: () => tf.matMul(t(a) as tf.Tensor3D, d as tf.Tensor3D) };
      }
      if (!transposeA && transposeB) {
        return { a: () => tf.matMul(d as tf.Tensor3D, b as tf.Tensor3D), b: () => tf.matMul(t(d) as tf.Tensor3D, a as tf.Tensor3D) };
      }
      if (transposeA && !transposeB) {
        return { a: () => tf.matMul(b as tf.Tensor3D, t(d) as tf.Tensor3D), b: () => tf.matMul(a as tf.Tensor3D, d as tf.Tensor3D) };
      }
      return { a: () => tf.matMul(t(b) as tf.Tensor3D, t(d) as tf.Tensor3D), b: () => tf.matMul(t(d) as tf.Tensor3D, t(a) as tf.Tensor3D) };
    },
  });
}
