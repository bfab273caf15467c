import { describe, expect, it } from 'vitest';
import { analyzeGraph, analyzeModel } from '../../src/core/analyze.ts';
import type { Graph, TensorInfo } from '../../src/graph/ir.ts';
import { DT, buildModel, constNode, f32 } from '../helpers/onnx-builder.ts';
import type { GraphSpec, NodeSpec } from '../helpers/onnx-builder.ts';

/** then: MatMul x·W (4·8·16 = 512 MACs); else: Relu (0 MACs). Both read outer-scope x and W. */
const thenBranch: GraphSpec = {
  name: 'then',
  nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['t_out'], name: 'mm' }],
  outputs: [f32('t_out', null)],
};
const elseBranch: GraphSpec = {
  name: 'else',
  nodes: [
    constNode('k', { dims: [1, 16], values: new Array(16).fill(0.5) }),
    { op: 'MatMul', inputs: ['x', 'W'], outputs: ['m'], name: 'mm' },
    { op: 'Add', inputs: ['m', 'k'], outputs: ['e_out'], name: 'add' },
  ],
  outputs: [f32('e_out', null)],
};

function ifModel(cond: NodeSpec | undefined, swap = false): Uint8Array {
  const nodes: NodeSpec[] = [
    ...(cond ? [cond] : []),
    {
      op: 'If',
      name: 'branch',
      inputs: ['c'],
      outputs: ['y'],
      attrs: swap ? { then_branch: { g: elseBranch }, else_branch: { g: thenBranch } } : { then_branch: { g: thenBranch }, else_branch: { g: elseBranch } },
    },
    { op: 'Relu', inputs: ['y'], outputs: ['out'] },
  ];
  return buildModel({
    nodes,
    inputs: [f32('x', [4, 8]), ...(cond ? [] : [{ name: 'c', dtype: DT.BOOL, shape: [] }])],
    outputs: [f32('out', null)],
    initializers: [{ name: 'W', dims: [8, 16], values: new Array(128).fill(1) }],
  });
}

describe('If', () => {
  it('constant condition: the taken branch is inlined with prefixed ids', () => {
    const a = analyzeModel(ifModel(constNode('c', { dtype: DT.BOOL, dims: [], values: [0] })), 'if.onnx');
    expect(a.graph.nodes.map((n) => n.name)).toEqual(['branch/mm', 'branch/add', 'op_2']);
    expect(a.graph.nodes[0]!.outputs).toEqual(['branch/m']);
    expect(a.graph.nodes[2]!.inputs).toEqual(['branch/e_out']);
    expect(a.macs).toBe(4 * 8 * 16);
    expect(a.params).toBe(128 + 16);
    expect(a.warnings).toEqual([]);
  });

  it('condition folded from shapes (Shape→Gather→Equal) picks the right branch', () => {
    const cond: NodeSpec[] = [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      constNode('i0', { dtype: DT.INT64, dims: [], values: [0] }),
      { op: 'Gather', inputs: ['s', 'i0'], outputs: ['n'] },
      constNode('four', { dtype: DT.INT64, dims: [], values: [4] }),
      { op: 'Equal', inputs: ['n', 'four'], outputs: ['c'] },
    ];
    const bytes = buildModel({
      nodes: [...cond, { op: 'If', name: 'b', inputs: ['c'], outputs: ['y'], attrs: { then_branch: { g: thenBranch }, else_branch: { g: elseBranch } } }],
      inputs: [f32('x', [4, 8])],
      outputs: [f32('y', null)],
      initializers: [{ name: 'W', dims: [8, 16], values: new Array(128).fill(1) }],
    });
    const a = analyzeModel(bytes, 'if.onnx');
    expect(a.graph.nodes.map((n) => n.name)).toEqual(['b/mm']);
    // the branch output is renamed to the graph output
    expect(a.graph.nodes[0]!.outputs).toEqual(['y']);
  });

  it('runtime condition: the costlier branch is counted, with a warning', () => {
    for (const swap of [false, true]) {
      const a = analyzeModel(ifModel(undefined, swap), 'if.onnx');
      expect(a.macs).toBe(512);
      expect(a.graph.nodes.map((n) => n.op)).toEqual(['MatMul', 'Add', 'Relu']);
      expect(a.warnings).toEqual([
        `If 'branch': condition not constant, counted the costlier branch (${swap ? 'then' : 'else'}_branch)`,
      ]);
    }
  });
});

describe('Loop', () => {
  const body: GraphSpec = {
    name: 'body',
    nodes: [
      { op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] },
      { op: 'MatMul', inputs: ['h', 'W'], outputs: ['h2'], name: 'step' },
      { op: 'Relu', inputs: ['h2'], outputs: ['h_out'], name: 'act' },
      { op: 'Identity', inputs: ['h_out'], outputs: ['scan'] },
    ],
    inputs: [{ name: 'i', dtype: DT.INT64, shape: [] }, { name: 'cond_in', dtype: DT.BOOL, shape: [] }, f32('h', null)],
    outputs: [{ name: 'cond_out', dtype: DT.BOOL, shape: [] }, f32('h_out', null), f32('scan', null)],
  };
  const model = (trips: NodeSpec | undefined): Uint8Array =>
    buildModel({
      nodes: [
        ...(trips ? [trips] : []),
        constNode('yes', { dtype: DT.BOOL, dims: [], values: [1] }),
        { op: 'Loop', name: 'rnn', inputs: ['M', 'yes', 'h0'], outputs: ['h_final', 'all'], attrs: { body: { g: body } } },
      ],
      inputs: [f32('h0', [1, 8]), ...(trips ? [] : [{ name: 'M', dtype: DT.INT64, shape: [] }])],
      outputs: [f32('h_final', null), f32('all', null)],
      initializers: [{ name: 'W', dims: [8, 8], values: new Array(64).fill(0.1) }],
    });

  it('constant trip count: the body is inlined once with repeat = M', () => {
    const a = analyzeModel(model(constNode('M', { dtype: DT.INT64, dims: [], values: [5] })), 'loop.onnx');
    expect(a.macs).toBe(5 * 8 * 8);
    const step = a.graph.nodes.find((n) => n.name === 'rnn/step')!;
    expect(step.repeat).toBe(5);
    expect(a.graph.tensors.get('all')!.shape).toEqual([5, 1, 8]);
    expect(a.graph.tensors.get('h_final')!.shape).toEqual([1, 8]);
    expect(a.warnings).toEqual([]);
  });

  it('runtime trip count: counted once, with a warning', () => {
    const a = analyzeModel(model(undefined), 'loop.onnx');
    expect(a.macs).toBe(64);
    expect(a.warnings).toEqual(["Loop 'rnn': trip count not constant, counted the body once"]);
  });
});

describe('unknown ops', () => {
  it('keep the declared shapes, count 0 MACs, are listed as unsupported, and shapes flow on', () => {
    const bytes = buildModel(
      {
        nodes: [
          { op: 'FancyNorm', domain: 'com.example', inputs: ['x'], outputs: ['n'], name: 'fancy' },
          { op: 'Conv', inputs: ['n', 'w'], outputs: ['y'], attrs: { kernel_shape: { ints: [1, 1] } } },
        ],
        inputs: [f32('x', [1, 3, 4, 4])],
        outputs: [f32('y', null)],
        valueInfo: [f32('n', [1, 3, 2, 2])],
        initializers: [{ name: 'w', dims: [5, 3, 1, 1], values: new Array(15).fill(1) }],
      },
      { domains: { 'com.example': 1 } },
    );
    const a = analyzeModel(bytes, 'u.onnx');
    expect(a.unsupportedOps).toEqual(['FancyNorm']);
    expect(a.costs[0]).toMatchObject({ op: 'FancyNorm', known: false, macs: 0 });
    expect(a.graph.tensors.get('n')!.shape).toEqual([1, 3, 2, 2]);
    expect(a.graph.tensors.get('y')!.shape).toEqual([1, 5, 2, 2]);
    expect(a.macs).toBe(5 * 2 * 2 * 3);
  });

  it('with no declared shape the output shape is unknown and later nodes say so (no crash)', () => {
    const bytes = buildModel({
      nodes: [
        { op: 'Mystery', inputs: ['x'], outputs: ['n'] },
        { op: 'Relu', inputs: ['n'], outputs: ['y'] },
      ],
      inputs: [f32('x', [2, 2])],
      outputs: [f32('y', null)],
    });
    const a = analyzeModel(bytes, 'u.onnx');
    expect(a.unsupportedOps).toEqual(['Mystery']);
    expect(a.graph.tensors.get('y')!.shape).toBeNull();
    expect(a.warnings).toEqual(["node 'op_1' (Relu): input 0 'n' has unknown shape; output shape unknown"]);
  });
});

describe('analyzeGraph on an in-memory graph', () => {
  it('handles Constant nodes, symbolic input dims and ShapeErrors', () => {
    const t = (id: string, shape: (number | string)[] | null, extra: Partial<TensorInfo> = {}): TensorInfo => ({
      id,
      shape,
      dtype: 'float32',
      isConstant: false,
      isWeight: false,
      ...extra,
    });
    const g: Graph = {
      name: 'mem',
      format: 'onnx',
      layout: 'NCHW',
      opset: 17,
      nodes: [
        { name: 'c', op: 'Constant', domain: '', inputs: [], outputs: ['k'], attrs: { value_floats: [1, 2, 3] } },
        { name: 'add', op: 'Add', domain: '', inputs: ['x', 'k'], outputs: ['y'], attrs: {} },
      ],
      tensors: new Map([
        ['x', t('x', ['n', 3])],
        ['k', t('k', null)],
        ['y', t('y', null)],
      ]),
      inputs: ['x'],
      outputs: ['y'],
      warnings: [],
    };
    const a = analyzeGraph(g, 'mem');
    expect(a.graph.tensors.get('y')!.shape).toEqual([1, 3]);
    expect(a.warnings).toEqual(["input 'x': dim 0 ('n') is dynamic; assumed 1 (set inputShapes['x'] to override)"]);
    expect(a.params).toBe(3);

    const bad: Graph = { ...g, tensors: new Map(g.tensors).set('x', t('x', [2, 4])) };
    expect(() => analyzeGraph(bad, 'mem.onnx')).toThrow(
      "mem.onnx: node 'add' (Add): inputs [2,4] and [3] are not broadcastable",
    );
  });
});
