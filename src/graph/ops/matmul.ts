/**
 * Matrix products: MatMul, Gemm, MatMulInteger, QLinearMatMul, Einsum.
 *
 * Source: ONNX Operators.md, MatMul (numpy.matmul semantics incl. 1-D promotion and batch
 * broadcasting), Gemm (transA/transB), Einsum.
 * Gemm also carries fully-connected layers of TFLite/TF.js (FULLY_CONNECTED, `_FusedMatMul`): when
 * the node has a `keep_num_dims` attribute, A may have any rank and is read as
 * [∏(A dims)/K, K] (TFLite FullyConnected semantics); the output is [rows, N], or A's leading dims
 * plus N when keep_num_dims is true.
 * MACs: Gemm = M·N·K (bias not counted); MatMul = ∏(broadcast batch dims)·M·N·K;
 * Einsum with ≥ 2 operands = ∏ of the sizes of all distinct indices (one multiply-add per term).
 */
import type { DType, Node } from '../ir.ts';
import { broadcastShapes, numel } from '../tensor.ts';
import type { Inputs, OpSpec } from './types.ts';
import { attrInt, attrStr, fail, hasAttr, isZero, shapeOf, zeroAny } from './types.ts';

interface MatMulDims {
  batch: number[];
  m: number;
  k: number;
  n: number;
  out: number[];
}

/** numpy.matmul shape rule. */
function matmulDims(node: Node, a: number[], b: number[]): MatMulDims {
  if (a.length === 0 || b.length === 0) fail(node, 'matmul of a scalar');
  const aa = a.length === 1 ? [1, a[0] as number] : a;
  const bb = b.length === 1 ? [b[0] as number, 1] : b;
  const m = aa[aa.length - 2] as number;
  const k = aa[aa.length - 1] as number;
  const k2 = bb[bb.length - 2] as number;
  const n = bb[bb.length - 1] as number;
  if (k !== k2) fail(node, `inner dims differ: [${a.join(',')}] × [${b.join(',')}]`);
  const batch = broadcastShapes([aa.slice(0, -2), bb.slice(0, -2)]);
  if (!batch) fail(node, `batch dims not broadcastable: [${a.join(',')}] × [${b.join(',')}]`);
  const out = [...batch];
  if (a.length > 1) out.push(m);
  if (b.length > 1) out.push(n);
  return { batch, m, k, n, out };
}

function matmulSpec(op: string, ai: number, bi: number, dtype?: (inputs: Inputs) => DType, domain = ''): OpSpec {
  const spec: OpSpec = {
    op,
    domain,
    inferShapes: (node, inputs) => [matmulDims(node, shapeOf(node, inputs, ai), shapeOf(node, inputs, bi)).out],
    macs: (node, inputs) => {
      const a = inputs[ai]?.shape as number[] | undefined;
      const b = inputs[bi]?.shape as number[] | undefined;
      if (!a || !b) return 0;
      const d = matmulDims(node, a, b);
      return numel(d.batch) * d.m * d.n * d.k;
    },
  };
  if (dtype) spec.inferTypes = (_n, inputs) => [dtype(inputs)];
  if (op === 'MatMul') spec.zero = zeroAny;
  return spec;
}

/** Gemm(A, B, C?): Y = alpha·A'·B' + beta·C, A' = transA ? Aᵀ : A. */
const gemm: OpSpec = {
  op: 'Gemm',
  inferShapes: (node, inputs) => {
    const { m, n, k, k2 } = gemmDims(node, inputs);
    if (k !== k2) fail(node, `inner dims differ: K=${k} vs ${k2} (transA=${attrInt(node, 'transA', 0)}, transB=${attrInt(node, 'transB', 0)})`);
    if (hasAttr(node, 'keep_num_dims') && attrInt(node, 'keep_num_dims', 0) === 1) {
      return [[...shapeOf(node, inputs, 0).slice(0, -1), n]];
    }
    return [[m, n]];
  },
  macs: (node, inputs) => {
    if (!inputs[0]?.shape || !inputs[1]?.shape) return 0;
    const { m, n, k } = gemmDims(node, inputs);
    return m * n * k;
  },
  zero: (_node, inputs) => (isZero(inputs[0]) || isZero(inputs[1])) && (!inputs[2] || isZero(inputs[2])),
};

function gemmDims(node: Node, inputs: Inputs): { m: number; n: number; k: number; k2: number } {
  const a = shapeOf(node, inputs, 0);
  const b = shapeOf(node, inputs, 1);
  if (hasAttr(node, 'keep_num_dims')) {
    // Fully connected: weights [N, K] (transB) or [K, N]; A is read as [elements / K, K].
    if (b.length !== 2 || a.length === 0) fail(node, `fully connected needs 2-D weights and a non-scalar input, got [${a.join(',')}] and [${b.join(',')}]`);
    const tb = attrInt(node, 'transB', 0) === 1;
    const k = (tb ? b[1] : b[0]) as number;
    const n = (tb ? b[0] : b[1]) as number;
    const total = numel(a);
    if (k === 0 || total % k !== 0) fail(node, `input [${a.join(',')}] does not split into rows of ${k}`);
    return { m: total / k, n, k, k2: k };
  }
  if (a.length !== 2 || b.length !== 2) fail(node, `Gemm needs 2-D inputs, got [${a.join(',')}] and [${b.join(',')}]`);
  const ta = attrInt(node, 'transA', 0) === 1;
  const tb = attrInt(node, 'transB', 0) === 1;
  const m = (ta ? a[1] : a[0]) as number;
  const k = (ta ? a[0] : a[1]) as number;
  const k2 = (tb ? b[1] : b[0]) as number;
  const n = (tb ? b[0] : b[1]) as number;
  return { m, n, k, k2 };
}

/** Parses an einsum equation into per-operand index lists and the output index list. */
function parseEinsum(node: Node, eq: string, ranks: number[]): { terms: string[][]; out: string[] } {
  const clean = eq.replace(/\s+/g, '');
  const [lhs, rhs] = clean.split('->') as [string, string | undefined];
  const parts = lhs.split(',');
  if (parts.length !== ranks.length) fail(node, `equation '${eq}' has ${parts.length} operands, node has ${ranks.length}`);
  let ellRank = 0;
  const expand = (p: string, rank: number | undefined): string[] => {
    const letters = p.replace('...', '').split('');
    if (!p.includes('...')) return letters;
    const e = rank === undefined ? ellRank : rank - letters.length;
    ellRank = Math.max(ellRank, e);
    const ell = Array.from({ length: e }, (_v, i) => `…${i + (ellRank - e)}`);
    const [pre, post] = p.split('...') as [string, string];
    return [...pre.split('').filter(Boolean), ...ell, ...post.split('').filter(Boolean)];
  };
  const terms = parts.map((p, i) => expand(p, ranks[i]));
  let out: string[];
  if (rhs !== undefined) out = expand(rhs, undefined);
  else {
    const count = new Map<string, number>();
    for (const t of terms) for (const c of t) count.set(c, (count.get(c) ?? 0) + 1);
    const ell = [...count.keys()].filter((c) => c.startsWith('…')).sort();
    out = [...ell, ...[...count.keys()].filter((c) => !c.startsWith('…') && count.get(c) === 1).sort()];
  }
  return { terms, out };
}

function einsumSizes(node: Node, inputs: Inputs): { sizes: Map<string, number>; out: string[] } {
  const shapes = node.inputs.map((_id, i) => shapeOf(node, inputs, i));
  const { terms, out } = parseEinsum(node, attrStr(node, 'equation', ''), shapes.map((s) => s.length));
  const sizes = new Map<string, number>();
  terms.forEach((t, i) => {
    const s = shapes[i]!;
    if (t.length !== s.length) fail(node, `operand ${i} rank ${s.length} does not match '${t.join('')}'`);
    t.forEach((c, j) => {
      const d = s[j] as number;
      const prev = sizes.get(c);
      if (prev === undefined || prev === 1) sizes.set(c, d);
      else if (d !== 1 && d !== prev) fail(node, `index '${c}' has sizes ${prev} and ${d}`);
    });
  });
  return { sizes, out };
}

/** Einsum(inputs...): output dims from the equation. */
const einsum: OpSpec = {
  op: 'Einsum',
  inferShapes: (node, inputs) => {
    const { sizes, out } = einsumSizes(node, inputs);
    return [out.map((c) => sizes.get(c) ?? fail(node, `output index '${c}' not in any operand`))];
  },
  macs: (node, inputs) => {
    if (node.inputs.length < 2) return 0;
    const { sizes } = einsumSizes(node, inputs);
    let p = 1;
    for (const v of sizes.values()) p *= v;
    return p;
  },
  zero: zeroAny,
};

/** Every matrix-product op spec. */
export const MATMUL_OPS: OpSpec[] = [
  matmulSpec('MatMul', 0, 1),
  matmulSpec('MatMulInteger', 0, 1, () => 'int32'),
  matmulSpec('QLinearMatMul', 0, 3, (inputs) => inputs[7]?.dtype ?? 'uint8'),
  gemm,
  einsum,
];
