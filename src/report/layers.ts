/**
 * Per-layer view of one prediction: each graph node's predicted contribution under its report
 * name (`layerNames`), used by the diff ("which layers got slower") and by `predict --breakdown`
 * ("which layers cost the most"). Pure.
 */
import type { ModelAnalysis, Prediction } from '../core/types.ts';
import { layerNames } from '../graph/naming.ts';

/** One layer (graph node) and its predicted contribution to one (target, metric). */
export interface LayerContribution {
  /** Display name (`layerNames`: unique within the graph). */
  name: string;
  op: string;
  /** MACs of the node (0 when the analysis carries no costs for it). */
  macs: number;
  /** Contribution in the prediction's unit. */
  value: number;
}

/**
 * The contribution of every node of `analysis.graph` to `p`, by layer name, in graph order.
 * Empty when the prediction carries no contributions.
 */
export function layerContributions(analysis: ModelAnalysis, p: Prediction): Map<string, LayerContribution> {
  const out = new Map<string, LayerContribution>();
  if (!p.contributions) return out;
  const nodes = analysis.graph.nodes;
  const names = layerNames(analysis.graph);
  p.contributions.forEach((value, i) => {
    const node = nodes[i];
    if (!node) return;
    const name = names[i]!;
    const prev = out.get(name);
    // Names are unique, so this only merges if a caller passes a graph with duplicated names.
    if (prev) prev.value += value;
    else out.set(name, { name, op: node.op, macs: analysis.costs[i]?.macs ?? 0, value });
  });
  return out;
}

/** One row of a breakdown: a layer, its contribution and its share of the prediction's value. */
export interface BreakdownLayer extends LayerContribution {
  /** `value / total` (0.25 = 25 %). */
  share: number;
}

/** The most expensive layers of one (target, metric) prediction. */
export interface Breakdown {
  target: string;
  metric: Prediction['metric'];
  unit: Prediction['unit'];
  /** The predicted value: sum of all contributions plus `overhead`. */
  value: number;
  /** The top layers by contribution, largest first (ties by name). */
  layers: BreakdownLayer[];
  /** Per-graph constant part of `value`, and its share. */
  overhead: { value: number; share: number };
  /** Everything not in `layers` and not overhead: how many layers, their sum and share. */
  rest: { layers: number; value: number; share: number };
}

/**
 * The top `top` layers of prediction `p` of `analysis` by contribution, with the overhead and
 * the remainder, so `layers` + `overhead` + `rest` add up to `value`.
 * @returns null when the prediction carries no per-node contributions
 */
export function breakdown(analysis: ModelAnalysis, p: Prediction, top = 10): Breakdown | null {
  if (!p.contributions) return null;
  const all = [...layerContributions(analysis, p).values()].sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  const share = (v: number) => (p.value !== 0 ? v / p.value : 0);
  const shown = all.slice(0, Math.max(0, top));
  const restValue = all.slice(shown.length).reduce((s, l) => s + l.value, 0);
  const overhead = p.overhead ?? 0;
  return {
    target: p.target,
    metric: p.metric,
    unit: p.unit,
    value: p.value,
    layers: shown.map((l) => ({ ...l, share: share(l.value) })),
    overhead: { value: overhead, share: share(overhead) },
    rest: { layers: all.length - shown.length, value: restValue, share: share(restValue) },
  };
}
