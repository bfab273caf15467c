import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/core/errors.ts';
import type { AttrValue, DType, Node, TensorInfo } from '../../src/graph/ir.ts';
import { getOpSpec, registeredOps } from '../../src/graph/registry.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { DT, buildModel, constNode, f32 } from '../helpers/onnx-builder.ts';

type In = number[] | { shape: number[]; data?: number[]; dtype?: DType } | undefined;

function tensors(inputs: In[]): (TensorInfo | undefined)[] {
  return inputs.map((x, i) => {
    if (!x) return undefined;
    const spec = Array.isArray(x) ? { shape: x } : x;
    const t: TensorInfo = { id: `in${i}`, shape: spec.shape, dtype: spec.dtype ?? (spec.data ? 'int64' : 'float32'), isConstant: !!spec.data, isWeight: false };
    if (spec.data) t.data = spec.data;
    return t;
  });
}

function node(op: string, nIn: number, attrs: Record<string, AttrValue> = {}, nOut = 1): Node {
  return {
    name: op.toLowerCase(),
    op,
    domain: '',
    inputs: Array.from({ length: nIn }, (_v, i) => `in${i}`),
    outputs: Array.from({ length: nOut }, (_v, i) => `out${i}`),
    attrs,
  };
}

/** Output shapes of `op` on inputs, and its MACs. */
function run(op: string, inputs: In[], attrs: Record<string, AttrValue> = {}, opts: { nOut?: number; opset?: number } = {}) {
  const spec = getOpSpec(op);
  if (!spec) throw new Error(`no spec for ${op}`);
  const n = node(op, inputs.length, attrs, opts.nOut ?? 1);
  const ins = tensors(inputs);
  const shapes = spec.inferShapes(n, ins, { opset: opts.opset ?? 0, warn: () => {} });
  const outs: TensorInfo[] = shapes.map((s, i) => ({ id: `out${i}`, shape: s, dtype: 'float32', isConstant: false, isWeight: false }));
  return { shapes, macs: spec.macs(n, ins, outs) };
}

const i64 = (...v: number[]) => ({ shape: [v.length], data: v });
const f = (...v: number[]) => ({ shape: [v.length], data: v, dtype: 'float32' as const });

describe('conv and pooling rules (ONNX Operators.md, Conv/MaxPool)', () => {
  it('Conv with pads, strides, dilations and groups', () => {
    const r = run('Conv', [[1, 32, 56, 56], [64, 16, 3, 3]], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2] });
    // (56 + 2 - 5) / 2 + 1 = 27
    expect(r.shapes).toEqual([[1, 64, 27, 27]]);
    expect(r.macs).toBe(1 * 64 * 27 * 27 * 16 * 9);
  });

  it('Conv auto_pad SAME_UPPER keeps ceil(in / stride); VALID drops the border', () => {
    expect(run('Conv', [[1, 3, 15, 15], [8, 3, 3, 3]], { auto_pad: 'SAME_UPPER', strides: [2, 2] }).shapes).toEqual([[1, 8, 8, 8]]);
    expect(run('Conv', [[1, 3, 15, 15], [8, 3, 3, 3]], { auto_pad: 'VALID', strides: [2, 2] }).shapes).toEqual([[1, 8, 7, 7]]);
  });

  it('Conv rejects mismatched channels with a ShapeError naming the node and the rule', () => {
    expect(() => run('Conv', [[1, 3, 8, 8], [8, 4, 3, 3]])).toThrow(ShapeError);
    expect(() => run('Conv', [[1, 3, 8, 8], [8, 4, 3, 3]])).toThrow("node 'conv' (Conv): input channels 3 ≠ weight channels 4 × group 1");
  });

  it('ConvTranspose with output_padding and with output_shape', () => {
    const r = run('ConvTranspose', [[1, 8, 10, 10], [8, 4, 4, 4]], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] });
    expect(r.shapes).toEqual([[1, 4, 21, 21]]);
    expect(r.macs).toBe(8 * 10 * 10 * 4 * 16);
    expect(run('ConvTranspose', [[1, 8, 10, 10], [8, 2, 3, 3]], { group: 2, output_shape: [20, 20], strides: [2, 2] }).shapes).toEqual([[1, 4, 20, 20]]);
  });

  it('MaxPool ceil_mode and the dropped last window; global pools', () => {
    expect(run('MaxPool', [[1, 1, 112, 112]], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }).shapes).toEqual([[1, 1, 56, 56]]);
    expect(run('MaxPool', [[1, 1, 112, 112]], { kernel_shape: [3, 3], strides: [2, 2] }).shapes).toEqual([[1, 1, 55, 55]]);
    // PyTorch/ORT: a window starting in the end padding is dropped: (5 + 1 - 2) / 2 ceil + 1 = 3 → 3
    expect(run('AveragePool', [[1, 1, 5, 5]], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }).shapes).toEqual([[1, 1, 3, 3]]);
    expect(run('GlobalAveragePool', [[2, 7, 9, 9]]).shapes).toEqual([[2, 7, 1, 1]]);
    expect(() => run('MaxPool', [[1, 1, 1, 1]], { kernel_shape: [2, 2] })).toThrow(/larger than the padded input/);
  });
});

describe('matrix products', () => {
  it('MatMul broadcasting and 1-D promotion; MACs = batch·M·N·K', () => {
    expect(run('MatMul', [[2, 1, 4, 8], [3, 8, 5]])).toEqual({ shapes: [[2, 3, 4, 5]], macs: 6 * 4 * 5 * 8 });
    expect(run('MatMul', [[8], [8, 5]])).toEqual({ shapes: [[5]], macs: 40 });
    expect(run('MatMul', [[4, 8], [8]])).toEqual({ shapes: [[4]], macs: 32 });
  });

  it('Gemm with transA/transB', () => {
    expect(run('Gemm', [[10, 4], [6, 10], [6]], { transA: 1, transB: 1 })).toEqual({ shapes: [[4, 6]], macs: 4 * 6 * 10 });
  });

  it('Einsum: explicit, implicit and ellipsis equations', () => {
    expect(run('Einsum', [[2, 3, 4], [2, 4, 5]], { equation: 'bij,bjk->bik' })).toEqual({ shapes: [[2, 3, 5]], macs: 2 * 3 * 4 * 5 });
    expect(run('Einsum', [[3, 4], [4, 5]], { equation: 'ij,jk' }).shapes).toEqual([[3, 5]]);
    expect(run('Einsum', [[7, 2, 3, 4], [4, 5]], { equation: '...ij,jk->...ik' }).shapes).toEqual([[7, 2, 3, 5]]);
  });
});

describe('recurrent layers (MACs = seq·batch·dirs·gates·hidden·(input + hidden))', () => {
  it('LSTM forward and bidirectional, layout 0 and 1', () => {
    const r = run('LSTM', [[10, 2, 32], [1, 256, 32], [1, 256, 64]], { hidden_size: 64 }, { nOut: 3 });
    expect(r.shapes).toEqual([[10, 1, 2, 64], [1, 2, 64], [1, 2, 64]]);
    expect(r.macs).toBe(10 * 2 * 1 * 4 * 64 * (32 + 64));
    const b = run('LSTM', [[2, 10, 32], [2, 256, 32]], { hidden_size: 64, direction: 'bidirectional', layout: 1 }, { nOut: 2 });
    expect(b.shapes).toEqual([[2, 10, 2, 64], [2, 2, 64]]);
    expect(b.macs).toBe(10 * 2 * 2 * 4 * 64 * 96);
  });

  it('GRU has 3 gates', () => {
    expect(run('GRU', [[5, 1, 16], [1, 96, 16]], { hidden_size: 32 }, { nOut: 2 }).macs).toBe(5 * 3 * 32 * (16 + 32));
  });
});

describe('opset-dependent attributes vs inputs', () => {
  it('Squeeze/Unsqueeze: axes attribute (< 13) or input (≥ 13)', () => {
    expect(run('Squeeze', [[1, 3, 1, 5]], { axes: [0, 2] }).shapes).toEqual([[3, 5]]);
    expect(run('Squeeze', [[1, 3, 1, 5], i64(-2)]).shapes).toEqual([[1, 3, 5]]);
    expect(run('Squeeze', [[1, 3, 1, 5]]).shapes).toEqual([[3, 5]]);
    expect(run('Unsqueeze', [[3, 5]], { axes: [0, 3] }).shapes).toEqual([[1, 3, 5, 1]]);
    expect(run('Unsqueeze', [[3, 5], i64(-1)]).shapes).toEqual([[3, 5, 1]]);
  });

  it('Slice: starts/ends attributes (< 10) or inputs with axes and negative steps', () => {
    expect(run('Slice', [[10, 20]], { starts: [2], ends: [-2], axes: [1] }).shapes).toEqual([[10, 16]]);
    expect(run('Slice', [[10, 20], i64(-1), i64(-9223372036854775807), i64(0), i64(-2)]).shapes).toEqual([[5, 20]]);
    expect(run('Slice', [[10, 20], i64(0, 5), i64(100, 5), i64(0, 1), i64(3, 1)]).shapes).toEqual([[4, 0]]);
  });

  it('Pad: pads attribute (< 11) or input, with axes (18)', () => {
    expect(run('Pad', [[1, 3, 4, 4]], { pads: [0, 0, 1, 2, 0, 0, 3, 4] }).shapes).toEqual([[1, 3, 8, 10]]);
    expect(run('Pad', [[1, 3, 4, 4], i64(0, 0, 1, 1, 0, 0, 1, 1)]).shapes).toEqual([[1, 3, 6, 6]]);
    expect(run('Pad', [[1, 3, 4, 4], i64(2, 3), undefined, i64(-1)]).shapes).toEqual([[1, 3, 4, 9]]);
  });

  it('Split: split attribute (< 13), input (≥ 13), or equal parts / num_outputs (18)', () => {
    expect(run('Split', [[6, 4]], { split: [2, 4] }, { nOut: 2 }).shapes).toEqual([[2, 4], [4, 4]]);
    expect(run('Split', [[6, 4], i64(1, 5)], {}, { nOut: 2 }).shapes).toEqual([[1, 4], [5, 4]]);
    expect(run('Split', [[6, 9]], { axis: 1 }, { nOut: 3 }).shapes).toEqual([[6, 3], [6, 3], [6, 3]]);
    expect(run('Split', [[7]], { num_outputs: 3 }, { nOut: 3 }).shapes).toEqual([[3], [3], [1]]);
  });

  it('Resize: (X, scales) at opset 10; (X, roi, scales, sizes) from 11; axes + keep_aspect_ratio_policy at 18', () => {
    expect(run('Resize', [[1, 3, 8, 8], f(1, 1, 2, 2)], {}, { opset: 10 }).shapes).toEqual([[1, 3, 16, 16]]);
    expect(run('Resize', [[1, 3, 8, 8], { shape: [0], data: [], dtype: 'float32' }, f(1, 1, 2.5, 0.5)], {}, { opset: 11 }).shapes).toEqual([[1, 3, 20, 4]]);
    expect(run('Resize', [[1, 3, 8, 8], undefined, undefined, i64(1, 3, 5, 6)], {}, { opset: 13 }).shapes).toEqual([[1, 3, 5, 6]]);
    expect(run('Resize', [[1, 3, 8, 16], undefined, undefined, i64(4, 4)], { axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, { opset: 18 }).shapes).toEqual([[1, 3, 2, 4]]);
    expect(run('Upsample', [[1, 3, 8, 8]], { scales: [1, 1, 2, 2] }).shapes).toEqual([[1, 3, 16, 16]]);
  });

  it('Clip: min/max attributes before opset 11 and inputs after (folded values)', () => {
    const model = (opset: number): Uint8Array =>
      buildModel(
        {
          nodes:
            opset < 11
              ? [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attrs: { min: { f: 0 }, max: { f: 6 } } }]
              : [
                  constNode('lo', { dims: [], values: [0] }),
                  constNode('hi', { dims: [], values: [6] }),
                  { op: 'Clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'] },
                ],
          inputs: [],
          outputs: [f32('y', null)],
          initializers: [{ name: 'x', dims: [4], values: [-3, 2, 7, 5] }],
        },
        { opset },
      );
    for (const opset of [6, 11]) {
      const a = analyzeModel(model(opset), 'clip.onnx');
      expect(Array.from(a.graph.tensors.get('y')!.data!)).toEqual([0, 2, 6, 5]);
    }
  });

  it('Reshape: 0 copies a dim, -1 is inferred, allowzero keeps 0', () => {
    expect(run('Reshape', [[2, 3, 4], i64(0, -1)]).shapes).toEqual([[2, 12]]);
    expect(run('Reshape', [[0, 3], i64(0, 3)], { allowzero: 1 }).shapes).toEqual([[0, 3]]);
    expect(() => run('Reshape', [[2, 3, 4], i64(5, -1)])).toThrow(/cannot infer -1/);
  });
});

describe('other shape rules', () => {
  it('Gather, Concat, Transpose, Flatten, Expand, Tile, DepthToSpace, TopK, reductions', () => {
    expect(run('Gather', [[5, 6, 7], { shape: [2, 3], data: [0, 1, 2, 3, 4, 0] }], { axis: 1 }).shapes).toEqual([[5, 2, 3, 7]]);
    expect(run('Concat', [[1, 2, 4], [1, 3, 4]], { axis: -2 }).shapes).toEqual([[1, 5, 4]]);
    expect(run('Transpose', [[1, 2, 3]]).shapes).toEqual([[3, 2, 1]]);
    expect(run('Flatten', [[2, 3, 4, 5]], { axis: 2 }).shapes).toEqual([[6, 20]]);
    expect(run('Expand', [[3, 1], i64(2, 1, 6)]).shapes).toEqual([[2, 3, 6]]);
    expect(run('Tile', [[2, 3], i64(2, 2)]).shapes).toEqual([[4, 6]]);
    expect(run('DepthToSpace', [[1, 16, 5, 5]], { blocksize: 2 }).shapes).toEqual([[1, 4, 10, 10]]);
    expect(run('TopK', [[4, 10], i64(3)], {}, { nOut: 2 }).shapes).toEqual([[4, 3], [4, 3]]);
    expect(run('ReduceMean', [[2, 3, 4]], { axes: [1], keepdims: 0 }).shapes).toEqual([[2, 4]]);
    expect(run('ReduceSum', [[2, 3, 4], i64(-1)]).shapes).toEqual([[2, 3, 1]]);
    expect(run('ArgMax', [[2, 3, 4]], { axis: 1, keepdims: 0 }).shapes).toEqual([[2, 4]]);
    expect(run('LayerNormalization', [[2, 5, 8], [8]], { axis: -1 }, { nOut: 3 }).shapes).toEqual([[2, 5, 8], [2, 5, 1], [2, 5, 1]]);
  });

  it('covers every op of the shared ONNX models and the common ones', () => {
    const ops = new Set(registeredOps());
    const needed = [
      'Constant', 'Conv', 'BatchNormalization', 'Mul', 'Add', 'Sub', 'Clip', 'Div', 'GlobalAveragePool', 'Relu',
      'HardSigmoid', 'HardSwish', 'Resize', 'Concat', 'ConvTranspose', 'Sigmoid', 'MaxPool', 'Shape', 'Cast', 'Slice',
      'Reshape', 'MatMul', 'Softmax', 'Equal', 'ConstantOfShape', 'Transpose', 'Pad', 'Unsqueeze', 'Pow', 'Sqrt',
      'Gather', 'Squeeze', 'Identity', 'Size', 'Not', 'LSTM', 'ReduceMean', 'Gemm', 'LRN', 'Dropout', 'Sum',
      'AveragePool', 'Flatten', 'Tanh', 'Erf', 'LayerNormalization', 'Split', 'DepthToSpace', 'Upsample', 'Expand',
      'Where', 'Min', 'Max', 'ReduceSum', 'GRU', 'Einsum', 'QuantizeLinear', 'DequantizeLinear', 'QLinearConv',
      'Range', 'ReduceProd', 'Gelu', 'Range',
    ];
    expect(needed.filter((op) => !ops.has(op))).toEqual([]);
  });
});

describe('quantized ops', () => {
  it('QLinearConv: Conv geometry and MACs, dtype of y_zero_point; DequantizeLinear of int8 weights is not folded', () => {
    const bytes = buildModel({
      nodes: [
        constNode('xs', { dims: [], values: [0.1] }),
        constNode('xz', { dtype: DT.UINT8, dims: [], values: [128] }),
        { op: 'QuantizeLinear', inputs: ['x', 'xs', 'xz'], outputs: ['xq'] },
        { op: 'QLinearConv', inputs: ['xq', 'xs', 'xz', 'w', 'xs', 'wz', 'xs', 'xz'], outputs: ['yq'], attrs: { kernel_shape: { ints: [3, 3] } } },
        { op: 'DequantizeLinear', inputs: ['w', 'xs', 'wz'], outputs: ['wf'] },
        { op: 'DequantizeLinear', inputs: ['yq', 'xs', 'xz'], outputs: ['y'] },
      ],
      inputs: [f32('x', [1, 2, 5, 5])],
      outputs: [f32('y', null), f32('wf', null)],
      initializers: [
        { name: 'w', dtype: DT.INT8, dims: [4, 2, 3, 3], values: new Array(72).fill(1) },
        { name: 'wz', dtype: DT.INT8, dims: [], values: [0] },
      ],
    });
    const a = analyzeModel(bytes, 'q.onnx');
    expect(a.graph.tensors.get('yq')!.dtype).toBe('uint8');
    expect(a.graph.tensors.get('yq')!.shape).toEqual([1, 4, 3, 3]);
    expect(a.macs).toBe(4 * 3 * 3 * 2 * 9);
    expect(a.graph.nodes.map((n) => n.op)).toEqual(['QuantizeLinear', 'QLinearConv', 'DequantizeLinear', 'DequantizeLinear']);
    // stored quantized tensors: w (72 int8), wz (int8), xz (uint8), and the float scale xs
    expect(a.params).toBe(72 + 1 + 1 + 1);
    expect(a.memory.weightsBytes).toBe(72 + 1 + 1 + 4);
  });
});
