/**
 * x·W with a gradient that uses explicit transposes. Measured on the wasm backend (2 cores):
 * `matMul(a, b, transposeA/B)` takes ~70 ms for [4800,192]ᵀ×[4800,64], while
 * `matMul(transpose(a), b)` takes ~9 ms; tfjs's own matMul gradient uses the transpose flags.
 */
import * as tf from '@tensorflow/tfjs';

const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor2D;
  const w = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  save([x, w]);
  const value = tf.matMul(x, w);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => [
    tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1] as tf.Tensor2D)),
    tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
  ];
  return { value, gradFunc };
});

/** Y = X·W for X [N, I] and W [I, O] → [N, O], differentiable in both (fast wasm gradient). */
export function linear(x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D {
  return op(x, w) as tf.Tensor2D;
}
