import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { extractFeatures } from '../../src/cost/features.ts';
import { kernelLabels } from '../../src/predict/kernel-labels.ts';
import { buildRandomOnnx } from '../../src/synth/random/index.ts';

describe('kernelLabels', () => {
  // A `batched` graph: its BatchNormalizations fold into the conv before them (one GNN row each).
  const a = analyzeModel(buildRandomOnnx('batched', 3, 'external'), 'batched-3.onnx');
  const f = extractFeatures(a);
  const nodes = a.graph.nodes;
  const rowOf = (i: number): number => f.nodeIndex.indexOf(i);
  const bn = nodes.findIndex((n) => n.op === 'BatchNormalization');
  const conv = nodes.findIndex((n) => n.outputs[0] === nodes[bn]!.inputs[0]);

  it('optimisation off: one kernel per node; a folded batch norm’s kernel adds to its conv’s row; unmatched kernels are skipped', () => {
    expect([nodes.length, f.nodeIndex.length, nodes[conv]!.op]).toEqual([12, 8, 'Conv']);
    const kernels: Record<string, number> = {};
    nodes.forEach((n, i) => (kernels[n.name] = 0.01 * (i + 1)));
    kernels['ReorderOutput_token_7'] = 0.5; // a layout reorder onnxruntime inserted: no node
    const k = kernelLabels(a.graph, f.nodeIndex, kernels);
    expect([k.matched, k.total]).toEqual([12, 13]);
    expect(k.ms.length).toBe(8); // one group per row
    expect(k.ms[k.group[rowOf(conv)]!]).toBeCloseTo(0.01 * (conv + 1) + 0.01 * (bn + 1), 6);
    expect(Array.from(k.ms).reduce((s, v) => s + v, 0)).toBeCloseTo(nodes.reduce((s, _n, i) => s + 0.01 * (i + 1), 0), 5);
  });

  it('optimisation all: a fused kernel named after its last output (with _nchwc) covers the rows fused into it', () => {
    // The conv's time is in a kernel named after the tensor of the node after the batch norm
    // (a FusedConv with its activation), the others in kernels of their own.
    const after = nodes.findIndex((n) => n.inputs[0] === nodes[bn]!.outputs[0]);
    expect(rowOf(after)).toBeGreaterThanOrEqual(0);
    const kernels: Record<string, number> = {};
    nodes.forEach((n, i) => i !== conv && i !== bn && i !== after && rowOf(i) >= 0 && (kernels[n.name] = 0.01));
    kernels[`${nodes[after]!.outputs[0]}_nchwc`] = 0.3;
    const k = kernelLabels(a.graph, f.nodeIndex, kernels);
    const g = k.group[rowOf(after)]!;
    expect(k.ms[g]).toBeCloseTo(0.3, 6);
    expect(k.group[rowOf(conv)]).toBe(g);
    expect(Array.from(k.group).filter((x) => x === g).length).toBe(2);
  });

  it('a fusion named after its first node (MatMulAddFusion style) covers the kernel-less rows after it', () => {
    const after = nodes.findIndex((n) => n.inputs[0] === nodes[bn]!.outputs[0]);
    const kernels: Record<string, number> = {};
    nodes.forEach((n, i) => i !== conv && i !== bn && i !== after && rowOf(i) >= 0 && (kernels[n.name] = 0.01));
    kernels[`fused ${nodes[conv]!.name}/ConvActivationFusion/`] = 0.4;
    const k = kernelLabels(a.graph, f.nodeIndex, kernels);
    const g = k.group[rowOf(conv)]!;
    expect(k.ms[g]).toBeCloseTo(0.4, 6);
    expect(k.group[rowOf(after)]).toBe(g);
  });

  it('leaves every row at −1 when no kernel names a graph node', () => {
    const k = kernelLabels(a.graph, f.nodeIndex, { SkipLayerNormalization_token_5: 0.2, ReorderOutput_token_7: 0.1 });
    expect([k.matched, k.total, k.ms.length]).toEqual([0, 2, 0]);
    expect(Array.from(k.group).every((g) => g === -1)).toBe(true);
  });
});
