import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { DT, buildModel, constNode, f32 } from '../helpers/onnx-builder.ts';
import type { NodeSpec } from '../helpers/onnx-builder.ts';

const i64 = (name: string, values: number[], dims = [values.length]) => constNode(name, { dtype: DT.INT64, dims, values });

describe('constant folding of shape subgraphs', () => {
  // x [2,3,4,5] → Shape → Gather(0) → Unsqueeze → Concat([n], [-1]) → Reshape(x) = [2, 60]
  const shapeChain = (unsqueezeAxesAsInput: boolean): NodeSpec[] => [
    { op: 'Relu', inputs: ['x'], outputs: ['r'] },
    { op: 'Shape', inputs: ['r'], outputs: ['s'] },
    i64('zero', [0], []),
    { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: { i: 0 } } },
    ...(unsqueezeAxesAsInput
      ? [i64('ax', [0]), { op: 'Unsqueeze', inputs: ['n', 'ax'], outputs: ['n1'] }]
      : [{ op: 'Unsqueeze', inputs: ['n'], outputs: ['n1'], attrs: { axes: { ints: [0] } } }]),
    i64('minus1', [-1]),
    { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['shape'], attrs: { axis: { i: 0 } } },
    { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['y'] },
  ];

  for (const [opset, asInput] of [
    [13, true],
    [11, false],
  ] as const) {
    it(`Shape→Gather→Unsqueeze→Concat folds; only Relu and Reshape execute (opset ${opset})`, () => {
      const a = analyzeModel(
        buildModel({ nodes: shapeChain(asInput), inputs: [f32('x', [2, 3, 4, 5])], outputs: [f32('y', null)] }, { opset }),
        'fold.onnx',
      );
      expect(a.graph.nodes.map((n) => n.op)).toEqual(['Relu', 'Reshape']);
      const reshape = a.graph.nodes[1]!;
      const shape = a.graph.tensors.get(reshape.inputs[1]!)!;
      expect(shape.isConstant).toBe(true);
      expect(shape.data).toEqual([2, -1]);
      expect(a.graph.tensors.get('y')!.shape).toEqual([2, 60]);
      expect(a.warnings).toEqual([]);
    });
  }

  it('a Reshape to the shape it already has disappears (Reshape-free graph)', () => {
    const nodes: NodeSpec[] = [
      { op: 'Relu', inputs: ['x'], outputs: ['r'] },
      { op: 'Shape', inputs: ['r'], outputs: ['s'] },
      { op: 'Reshape', inputs: ['r', 's'], outputs: ['y0'] },
      { op: 'Sigmoid', inputs: ['y0'], outputs: ['y'] },
    ];
    const a = analyzeModel(buildModel({ nodes, inputs: [f32('x', [1, 8])], outputs: [f32('y', null)] }), 'noop.onnx');
    expect(a.graph.nodes.map((n) => n.op)).toEqual(['Relu', 'Sigmoid']);
    expect(a.graph.nodes[1]!.inputs).toEqual(['r']);
  });

  it('folds Cast, Range, Equal/Where, ConstantOfShape, Slice, ReduceProd, Size on small tensors', () => {
    const nodes: NodeSpec[] = [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] }, // [2,3,4]
      { op: 'Size', inputs: ['x'], outputs: ['size'] }, // 24
      i64('st', [1]),
      constNode('en', { dtype: DT.INT64, dims: [1], values: [9223372036854775807], raw: true }), // INT64_MAX
      { op: 'Slice', inputs: ['s', 'st', 'en'], outputs: ['hw'] }, // [3,4]
      { op: 'ReduceProd', inputs: ['hw'], outputs: ['p'], attrs: { keepdims: { i: 0 } } }, // 12
      { op: 'Cast', inputs: ['p'], outputs: ['pf'], attrs: { to: { i: DT.FLOAT } } },
      i64('zero', [0], []),
      i64('one', [1], []),
      { op: 'Range', inputs: ['zero', 'p', 'one'], outputs: ['rng'] }, // 0..11
      i64('five', [5], []),
      { op: 'Equal', inputs: ['rng', 'five'], outputs: ['eq'] },
      { op: 'Where', inputs: ['eq', 'size', 'rng'], outputs: ['w'] },
      { op: 'ConstantOfShape', inputs: ['hw'], outputs: ['cos'], attrs: { value: { t: { dtype: DT.INT64, dims: [1], values: [7] } } } },
      { op: 'ReduceSum', inputs: ['cos'], outputs: ['cs'], attrs: { keepdims: { i: 0 } } },
      { op: 'Add', inputs: ['cs', 'p'], outputs: ['total'] }, // 84 + 12
      { op: 'Unsqueeze', inputs: ['total'], outputs: ['t1'], attrs: { axes: { ints: [0] } } },
      { op: 'Concat', inputs: ['w', 't1'], outputs: ['out'], attrs: { axis: { i: 0 } } },
    ];
    const a = analyzeModel(
      buildModel(
        { nodes, inputs: [f32('x', [2, 3, 4])], outputs: [{ name: 'out', dtype: DT.INT64, shape: null }, f32('pf', null)] },
        { opset: 11 },
      ),
      'f.onnx',
    );
    expect(a.nodes).toBe(0);
    expect(a.graph.tensors.get('out')!.data).toEqual([0, 1, 2, 3, 4, 24, 6, 7, 8, 9, 10, 11, 96]);
    expect(Array.from(a.graph.tensors.get('pf')!.data!)).toEqual([12]);
  });
});

describe('zero propagation (NAS-Bench-201 none edges)', () => {
  const zero = constNode('zero', { dims: [], values: [0] });

  it('x*0 + y → y (the Relu producing y now writes the graph output)', () => {
    const nodes: NodeSpec[] = [
      zero,
      { op: 'Relu', inputs: ['y0'], outputs: ['y'] },
      { op: 'Mul', inputs: ['x', 'zero'], outputs: ['xz'] },
      { op: 'Add', inputs: ['xz', 'y'], outputs: ['out'] },
    ];
    const a = analyzeModel(
      buildModel({ nodes, inputs: [f32('x', [1, 4, 8, 8]), f32('y0', [1, 4, 8, 8])], outputs: [f32('out', null)] }),
      'z.onnx',
    );
    expect(a.graph.nodes.map((n) => `${n.op}(${n.inputs.join(',')})->${n.outputs.join(',')}`)).toEqual(['Relu(y0)->out']);
    expect(a.macs).toBe(0);
  });

  it('x*0 + y with y a graph input keeps one Identity copy', () => {
    const nodes: NodeSpec[] = [zero, { op: 'Mul', inputs: ['x', 'zero'], outputs: ['xz'] }, { op: 'Add', inputs: ['y', 'xz'], outputs: ['out'] }];
    const a = analyzeModel(buildModel({ nodes, inputs: [f32('x', [2, 3]), f32('y', [2, 3])], outputs: [f32('out', null)] }), 'z.onnx');
    expect(a.graph.nodes.map((n) => n.op)).toEqual(['Identity']);
    expect(a.graph.nodes[0]!.inputs).toEqual(['y']);
  });

  it('does not rewrite Add(x, 0) when the zero broadcasts x to a larger shape', () => {
    const nodes: NodeSpec[] = [
      constNode('z', { dims: [2, 3], values: [0, 0, 0, 0, 0, 0] }),
      { op: 'Add', inputs: ['x', 'z'], outputs: ['out'] },
    ];
    const a = analyzeModel(buildModel({ nodes, inputs: [f32('x', [1, 3])], outputs: [f32('out', null)] }), 'z.onnx');
    expect(a.graph.nodes.map((n) => n.op)).toEqual(['Add']);
    expect(a.graph.tensors.get('out')!.shape).toEqual([2, 3]);
  });

  /**
   * A NAS-Bench-201-like network: stem conv → cell (4 nodes, 6 edges) → conv → BN → ReLU → GAP →
   * Gemm. In this cell every edge into the output node is `none` (Mul by 0), so the cell output
   * is zero and everything after it folds to a constant, as the TFLite converter did.
   */
  function nb201(noneIntoOutput: boolean): Uint8Array {
    const C = 4;
    const w = (name: string, dims: number[]) => ({ name, dims, values: new Array(dims.reduce((x, y) => x * y, 1)).fill(0.1) });
    const conv = (x: string, wname: string, y: string): NodeSpec => ({
      op: 'Conv',
      inputs: [x, wname],
      outputs: [y],
      attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } },
    });
    const edge = (from: string, to: string, op: 'none' | 'conv' | 'skip', k: number): NodeSpec[] =>
      op === 'none'
        ? [{ op: 'Mul', inputs: [from, 'zero'], outputs: [`e${k}`] }]
        : op === 'skip'
          ? [{ op: 'Identity', inputs: [from], outputs: [`e${k}`] }]
          : [{ op: 'Relu', inputs: [from], outputs: [`r${k}`] }, conv(`r${k}`, `w${k}`, `e${k}`)];
    const outEdges = noneIntoOutput ? (['none', 'none', 'none'] as const) : (['conv', 'none', 'skip'] as const);
    const nodes: NodeSpec[] = [
      zero,
      conv('x', 'stem_w', 'n0'),
      ...edge('n0', 'n1', 'conv', 1),
      { op: 'Identity', inputs: ['e1'], outputs: ['n1'] },
      ...edge('n0', 'n2', 'skip', 2),
      ...edge('n1', 'n2', 'conv', 3),
      { op: 'Sum', inputs: ['e2', 'e3'], outputs: ['n2'] },
      ...edge('n0', 'n3', outEdges[0], 4),
      ...edge('n1', 'n3', outEdges[1], 5),
      ...edge('n2', 'n3', outEdges[2], 6),
      { op: 'Sum', inputs: ['e4', 'e5', 'e6'], outputs: ['n3'] },
      conv('n3', 'head_w', 'h'),
      { op: 'BatchNormalization', inputs: ['h', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], outputs: ['hb'] },
      { op: 'Relu', inputs: ['hb'], outputs: ['hr'] },
      { op: 'GlobalAveragePool', inputs: ['hr'], outputs: ['gp'] },
      { op: 'Flatten', inputs: ['gp'], outputs: ['fl'] },
      { op: 'Gemm', inputs: ['fl', 'fc_w', 'fc_b'], outputs: ['logits'], attrs: { transB: { i: 1 } } },
    ];
    const initializers = [
      w('stem_w', [C, 3, 3, 3]),
      ...[1, 3, 4, 5, 6].map((k) => w(`w${k}`, [C, C, 3, 3])),
      w('head_w', [C, C, 3, 3]),
      ...['bn_s', 'bn_b', 'bn_m', 'bn_v'].map((n) => w(n, [C])),
      w('fc_w', [10, C]),
      w('fc_b', [10]),
    ];
    return buildModel({ nodes, inputs: [f32('x', [1, 3, 8, 8])], outputs: [f32('logits', [1, 10])], initializers });
  }

  it('a cell whose output node receives only none edges folds the rest of the network away', () => {
    const a = analyzeModel(nb201(true), 'nb201_none.onnx');
    expect(a.nodes).toBe(0);
    expect(a.macs).toBe(0);
    expect(a.params).toBe(0);
    const out = a.graph.tensors.get('logits')!;
    expect(out.isConstant).toBe(true);
    expect(out.shape).toEqual([1, 10]);
    // only the graph input buffer remains (1·3·8·8 float32)
    expect(a.memory.peakActivationBytes).toBe(768);
  });

  it('with a live path into the output node the network is costed normally', () => {
    const a = analyzeModel(nb201(false), 'nb201.onnx');
    // stem 4·8·8·3·9, edges 1, 3, 4 (conv) 4·8·8·4·9 each, head 4·8·8·4·9, fc 10·4
    const conv44 = 4 * 8 * 8 * 4 * 9;
    expect(a.macs).toBe(4 * 8 * 8 * 3 * 9 + 3 * conv44 + conv44 + 40);
    expect(a.graph.nodes.map((n) => n.op)).toEqual([
      'Conv', 'Relu', 'Conv', 'Relu', 'Conv', 'Sum', 'Relu', 'Conv', 'Sum', 'Conv', 'BatchNormalization', 'Relu',
      'GlobalAveragePool', 'Flatten', 'Gemm',
    ]);
    // edge 5 is none: its zero operand is dropped from Sum(e4, 0, n2)
    const sum = a.graph.nodes[8]!;
    expect(sum.inputs).toEqual(['e4', 'n2']);
  });
});
