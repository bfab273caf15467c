/**
 * Per-node static costs (MACs, params, bytes) and their totals, from the op registry over a
 * graph whose shapes are inferred (see ../graph/shapes.ts).
 *
 * Conventions: MACs per the op's docstring in src/graph/ops/ (conv/linear/matmul/RNN only);
 * params = stored weight elements read by executed nodes, each weight counted once in totals
 * even when several nodes read it; bytes use the dtype's element size (../graph/tensor.ts).
 */
import type { Graph, NodeCost, TensorInfo } from '../graph/ir.ts';
import { getOpSpec, type OpContext } from '../graph/registry.ts';
import { tensorBytes, tensorElements } from '../graph/tensor.ts';

/** Totals over a graph's executed nodes. */
export interface CostTotals {
  /** Multiply-accumulates of one inference. */
  macs: number;
  /** Unique stored weight elements read by the nodes. */
  params: number;
  /** Bytes of those unique weights. */
  weightBytes: number;
  /** Sum of per-node elementwise ops. */
  elementwiseOps: number;
}

/**
 * Costs of every node of `graph`, aligned with `graph.nodes`.
 * Unknown ops (not in the registry) get `known: false` and 0 MACs. Nodes with `repeat` (inlined
 * Loop bodies) have MACs and elementwise ops multiplied by it.
 */
export function nodeCosts(graph: Graph): NodeCost[] {
  const get = (id: string): TensorInfo | undefined => (id ? graph.tensors.get(id) : undefined);
  const ctx: OpContext = { opset: graph.format === 'onnx' ? (graph.opsets?.[''] ?? graph.opset) : 0, warn: () => {}, layout: graph.layout };
  return graph.nodes.map((node, index) => {
    const ins = node.inputs.map(get);
    const outs = node.outputs.map((id): TensorInfo => get(id) ?? { id, shape: null, dtype: 'unknown', isConstant: false, isWeight: false });
    const spec = getOpSpec(node.op, node.domain);
    const repeat = node.repeat ?? 1;
    const shapesKnown = outs.every((t) => !t.id || t.shape) && ins.every((t) => !t || t.shape);
    let macs = 0;
    let elementwiseOps = 0;
    if (spec && shapesKnown) {
      macs = spec.macs(node, ins, outs, ctx) * repeat;
      elementwiseOps = (spec.elementwiseOps?.(node, ins, outs, ctx) ?? 0) * repeat;
    }
    let params = 0;
    let weightBytes = 0;
    let inputBytes = 0;
    for (const t of ins) {
      if (!t) continue;
      if (t.isWeight) {
        params += tensorElements(t);
        weightBytes += tensorBytes(t);
      } else if (!t.isConstant) inputBytes += tensorBytes(t);
    }
    let outputBytes = 0;
    for (const t of outs) if (t.id) outputBytes += tensorBytes(t);
    return {
      node: index,
      name: node.name,
      op: node.op,
      macs,
      params,
      weightBytes,
      inputBytes,
      outputBytes,
      known: !!spec,
      elementwiseOps,
    };
  });
}

/** Totals of `costs` over `graph` (weights de-duplicated by tensor id). */
export function costTotals(graph: Graph, costs: readonly NodeCost[]): CostTotals {
  let macs = 0;
  let elementwiseOps = 0;
  for (const c of costs) {
    macs += c.macs;
    elementwiseOps += c.elementwiseOps ?? 0;
  }
  const seen = new Set<string>();
  let params = 0;
  let weightBytes = 0;
  for (const n of graph.nodes) {
    for (const id of n.inputs) {
      if (!id || seen.has(id)) continue;
      const t = graph.tensors.get(id);
      if (!t || !t.isWeight) continue;
      seen.add(id);
      params += tensorElements(t);
      weightBytes += tensorBytes(t);
    }
  }
  return { macs, params, weightBytes, elementwiseOps };
}
