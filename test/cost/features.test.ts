import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { extractFeatures, FEATURE_NAMES, OP_VOCAB, opToken } from '../../src/cost/features.ts';
import { OnnxWriter } from '../../src/synth/onnx-writer.ts';

/** A residual block x → Conv → Relu → (join with x) written with `join` ('Add' or 'Sum'). */
function residual(join: 'Add' | 'Sum', extra = false): Uint8Array {
  const w = new OnnxWriter('random', 1);
  const wt = w.init('w', [8, 8, 3, 3], 0.1);
  const [c] = w.node('Conv', 'conv', ['x', wt], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }) as [string];
  const [r] = w.node('Relu', 'relu', [c]) as [string];
  const [y] = w.node(join, 'join', extra ? ['x', r, c] : ['x', r]) as [string];
  return w.encode('res', [['x', [1, 8, 16, 16]]], [[y, [1, 8, 16, 16]]]);
}

describe('GNN features: exporter spellings', () => {
  it('a two-input Sum (Caffe2 residual adds) gives the same rows as Add', () => {
    const add = extractFeatures(analyzeModel(residual('Add'), 'add.onnx'));
    const a = analyzeModel(residual('Sum'), 'sum.onnx');
    expect(Array.from(extractFeatures(a).x)).toEqual(Array.from(add.x));
    const node = a.graph.nodes.find((n) => n.op === 'Sum');
    expect(node && opToken(node, a.graph)).toBe('Add');
  });

  it('a three-input Sum reads as one Add row over all its inputs', () => {
    const a = analyzeModel(residual('Sum', true), 'sum3.onnx');
    const f = extractFeatures(a);
    const F = FEATURE_NAMES.length;
    const row = a.graph.nodes.findIndex((n) => n.op === 'Sum');
    const sumRow = Array.from(f.x.slice(row * F, (row + 1) * F));
    expect(sumRow[OP_VOCAB.indexOf('Add')]).toBe(1);
    expect(sumRow[OP_VOCAB.indexOf('other')]).toBe(0);
    // three fp32 inputs of 1·8·16·16 elements
    expect(sumRow[FEATURE_NAMES.indexOf('log1p_input_bytes')]).toBeCloseTo(Math.log1p(3 * 8 * 16 * 16 * 4), 5);
  });
});
