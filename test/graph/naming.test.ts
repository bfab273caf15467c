import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzeModel } from '../../src/core/analyze.ts';
import { layerNames } from '../../src/graph/naming.ts';

describe('layerNames', () => {
  it('names numbered nodes of a zoo model after the weights they read', () => {
    const a = analyzeModel(new Uint8Array(readFileSync('examples/backbone-swap/base.onnx')), 'base.onnx');
    const names = layerNames(a.graph);
    expect(names.length).toBe(a.graph.nodes.length);
    expect(new Set(names).size).toBe(names.length);
    // SqueezeNet 1.1: node n0 is the first conv reading conv1_w_0; n3 is fire2's squeeze conv.
    expect(names[0]).toBe('conv1');
    expect(names).toContain('fire2/squeeze1x1');
    // Relu nodes read no weight and have numbered outputs: op-based names, counted per op.
    expect(names[1]).toBe('Relu#1');
  });
});
