import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/predict/backend.ts';
import { csrMatMul, meanAggregationCsr, sparseMatMulOp } from '../../src/predict/sparse.ts';
import { linear } from '../../src/predict/linear.ts';

// A 5-node DAG: 0→1, 0→2, 1→3, 2→3, 3→4, 0→4.
const from = [0, 0, 1, 2, 3, 0];
const to = [1, 2, 3, 3, 4, 4];
const n = 5;
const f = 3;

/** Dense reference: A[i][j] = 1/deg_in(i) for each edge j → i. */
function denseMean(): number[][] {
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const deg = new Array<number>(n).fill(0);
  to.forEach((t) => deg[t]!++);
  from.forEach((s, e) => {
    const t = to[e]!;
    a[t]![s]! += 1 / deg[t]!;
  });
  return a;
}

const H = Array.from({ length: n * f }, (_, i) => Math.sin(i + 1) * 2);

beforeAll(async () => {
  await initBackend();
});

describe('sparse mean aggregation', () => {
  it('forward equals the dense product A·H', () => {
    const csr = meanAggregationCsr(n, from, to);
    const got = csrMatMul(csr, Float32Array.from(H), f);
    const want = (tf.matMul(tf.tensor2d(denseMean()), tf.tensor2d(H, [n, f])).arraySync() as number[][]).flat();
    expect(Array.from(got)).toHaveLength(n * f);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    // node 0 has no in-edges: zero row; node 3 = mean(h1, h2)
    expect(Array.from(got.subarray(0, f))).toEqual([0, 0, 0]);
    expect(got[3 * f]).toBeCloseTo((H[1 * f]! + H[2 * f]!) / 2, 5);
  });

  it('gradient equals the dense gradient Aᵀ·dY', () => {
    const csr = meanAggregationCsr(n, from, to);
    const op = sparseMatMulOp(csr);
    const w = tf.tensor2d(Array.from({ length: n * f }, (_, i) => Math.cos(i)), [n, f]);
    const loss = (agg: (h: tf.Tensor2D) => tf.Tensor2D) => (h: tf.Tensor) => tf.sum(tf.mul(tf.square(agg(h as tf.Tensor2D)), w));
    const h = tf.tensor2d(H, [n, f]);
    const gSparse = tf.grad(loss(op))(h).arraySync() as number[][];
    const A = tf.tensor2d(denseMean());
    const gDense = tf.grad(loss((x) => tf.matMul(A, x)))(h).arraySync() as number[][];
    gSparse.flat().forEach((v, i) => expect(v).toBeCloseTo(gDense.flat()[i]!, 4));
    expect(gSparse.flat().some((v) => Math.abs(v) > 0.1)).toBe(true);
  });

  it('linear() has the same value and gradients as tf.matMul', () => {
    const x = tf.tensor2d(H, [n, f]);
    const w = tf.tensor2d([0.5, -1, 2, 0.25, 1.5, -0.75], [f, 2]);
    const l1 = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(linear(a as tf.Tensor2D, b)));
    const l2 = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)));
    const [g1x, g1w] = tf.grads(l1)([x, w]);
    const [g2x, g2w] = tf.grads(l2)([x, w]);
    (g1x!.arraySync() as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo((g2x!.arraySync() as number[][]).flat()[i]!, 3));
    (g1w!.arraySync() as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo((g2w!.arraySync() as number[][]).flat()[i]!, 3));
  });
});
