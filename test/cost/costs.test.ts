import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { perOpTable } from '../../src/graph/summary.ts';
import { buildModel, f32 } from '../helpers/onnx-builder.ts';

const shared = buildModel({
  nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['a'], attrs: { kernel_shape: { ints: [1, 1] } } },
    { op: 'Relu', inputs: ['a'], outputs: ['r'] },
    { op: 'Conv', inputs: ['r', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: { ints: [1, 1] } } },
    { op: 'MaxPool', inputs: ['c'], outputs: ['y'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } },
  ],
  inputs: [f32('x', [1, 4, 8, 8])],
  outputs: [f32('y', null)],
  initializers: [
    { name: 'w', dims: [4, 4, 1, 1], values: new Array(16).fill(1) },
    { name: 'b', dims: [4], values: [0, 0, 0, 0] },
  ],
});

describe('node costs and totals', () => {
  it('a weight read by two nodes counts in both nodes but once in the totals', () => {
    const a = analyzeModel(shared, 'shared.onnx');
    expect(a.costs.map((c) => [c.op, c.macs, c.params, c.weightBytes, c.inputBytes, c.outputBytes])).toEqual([
      ['Conv', 4 * 64 * 4, 16, 64, 1024, 1024],
      ['Relu', 0, 0, 0, 1024, 1024],
      ['Conv', 4 * 64 * 4, 20, 80, 1024, 1024],
      ['MaxPool', 0, 0, 0, 1024, 256],
    ]);
    expect(a.params).toBe(20);
    expect(a.memory.weightsBytes).toBe(80);
    expect(a.macs).toBe(2 * 1024);
    // elementwise ops: Relu one per element, MaxPool output elements × window
    expect(a.costs[1]!.elementwiseOps).toBe(256);
    expect(a.costs[3]!.elementwiseOps).toBe(64 * 4);
  });

  it('perOpTable aggregates per op, sorted by MACs', () => {
    expect(perOpTable(analyzeModel(shared, 'shared.onnx'))).toEqual([
      { op: 'Conv', count: 2, macs: 2048, params: 36, outputBytes: 2048 },
      { op: 'MaxPool', count: 1, macs: 0, params: 0, outputBytes: 256 },
      { op: 'Relu', count: 1, macs: 0, params: 0, outputBytes: 1024 },
    ]);
  });
});
