/**
 * Sparse mean aggregation over graph edges for TensorFlow.js, with a gradient.
 *
 * Why custom: padded dense adjacency needs batched matMul ([B,N,N]×[B,N,F]), ~50× slower than
 * the 2-D matMuls on the wasm backend; `tf.gather`'s gradient needs UnsortedSegmentSum, which the
 * wasm backend lacks; sparseSegmentSum/scatterND have no gradient. So the forward computes A·H in
 * plain JS over a CSR matrix and the gradient computes Aᵀ·dY the same way.
 */
import * as tf from '@tensorflow/tfjs';

/** A sparse matrix [rows, cols] in compressed sparse row form. */
export interface Csr {
  rows: number;
  cols: number;
  /** Row start offsets into `col`/`val` ([rows + 1]). */
  rowPtr: Int32Array;
  /** Column index per non-zero ([nnz]). */
  col: Int32Array;
  /** Value per non-zero ([nnz]). */
  val: Float32Array;
}

/**
 * Mean-aggregation matrix A [n, n] with A[i, j] = 1/deg(i) for every edge j → i given as
 * (from[e], to[e]); rows of nodes without incoming edges are zero.
 */
export function meanAggregationCsr(n: number, from: ArrayLike<number>, to: ArrayLike<number>): Csr {
  const deg = new Int32Array(n);
  for (let e = 0; e < to.length; e++) deg[to[e] as number]!++;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = (rowPtr[i] as number) + (deg[i] as number);
  const fill = rowPtr.slice(0, n);
  const col = new Int32Array(to.length);
  const val = new Float32Array(to.length);
  for (let e = 0; e < to.length; e++) {
    const i = to[e] as number;
    const k = fill[i]!++;
    col[k] = from[e] as number;
    val[k] = 1 / (deg[i] as number);
  }
  return { rows: n, cols: n, rowPtr, col, val };
}

/** Y = A·H for CSR A [rows, cols] and row-major H [cols, f]; returns Y [rows, f]. */
export function csrMatMul(a: Csr, h: Float32Array, f: number): Float32Array {
  const out = new Float32Array(a.rows * f);
  for (let i = 0; i < a.rows; i++) {
    const o = i * f;
    for (let k = a.rowPtr[i] as number; k < (a.rowPtr[i + 1] as number); k++) {
      const v = a.val[k] as number;
      const s = (a.col[k] as number) * f;
      for (let c = 0; c < f; c++) out[o + c]! += v * (h[s + c] as number);
    }
  }
  return out;
}

/** Y = Aᵀ·D for CSR A [rows, cols] and row-major D [rows, f]; returns Y [cols, f]. */
export function csrTransposeMatMul(a: Csr, d: Float32Array, f: number): Float32Array {
  const out = new Float32Array(a.cols * f);
  for (let i = 0; i < a.rows; i++) {
    const s = i * f;
    for (let k = a.rowPtr[i] as number; k < (a.rowPtr[i + 1] as number); k++) {
      const v = a.val[k] as number;
      const o = (a.col[k] as number) * f;
      for (let c = 0; c < f; c++) out[o + c]! += v * (d[s + c] as number);
    }
  }
  return out;
}

/**
 * A differentiable op H [cols, F] ↦ A·H [rows, F] for a fixed CSR A (forward and gradient run in
 * JS on `dataSync()` arrays). Make one per mini-batch; the closure holds A.
 */
export function sparseMatMulOp(a: Csr): (h: tf.Tensor2D) => tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const h = args[0] as tf.Tensor2D;
    const f = h.shape[1];
    const value = tf.tensor2d(csrMatMul(a, h.dataSync() as Float32Array, f), [a.rows, f]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor => tf.tensor2d(csrTransposeMatMul(a, dy.dataSync() as Float32Array, f), [a.cols, f]);
    return { value, gradFunc };
  });
  return (h: tf.Tensor2D) => op(h) as tf.Tensor2D;
}
