/**
 * Builds the executed graph at the end of the shape pass: resolves graph outputs through
 * aliases (renaming the producing tensor to the output name where possible), then drops every
 * executed node none of whose outputs reaches a graph output (dead-code elimination, one
 * backward sweep, O(nodes + edges)).
 */
import type { Graph, Node, TensorInfo } from './ir.ts';
import type { Scope } from './scope.ts';

/**
 * @param g the (top-level) input graph: its inputs, outputs, name, format and warnings are kept
 * @param scope the pass state after walking every node of `g`
 * @returns a graph whose nodes are the live executed nodes in topological order
 */
export function finalizeGraph(g: Graph, scope: Scope): Graph {
  const nodes = scope.executed;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o) producer.set(o, i);
  });
  const graphInputs = new Set(g.inputs);
  const graphOutputs = new Set(g.outputs);
  const rename = new Map<string, string>();
  const extra: Node[] = [];
  const tensors = scope.tensors;

  for (const out of g.outputs) {
    const target = scope.resolve(out);
    if (target === out) continue;
    const t = scope.get(target);
    if (!t) continue;
    if (t.isConstant) {
      tensors.set(out, { ...t, id: out });
      continue;
    }
    if (producer.has(target) && !graphInputs.has(target) && !graphOutputs.has(target) && !rename.has(target)) {
      rename.set(target, out);
      tensors.set(out, { ...t, id: out });
      continue;
    }
    // The output is another graph output or a graph input passed through: keep a copy node.
    extra.push({ name: `${out}/identity`, op: 'Identity', domain: '', inputs: [target], outputs: [out], attrs: {} });
    tensors.set(out, { ...t, id: out });
  }

  let all = nodes;
  if (rename.size > 0) {
    const rn = (id: string): string => rename.get(id) ?? id;
    all = nodes.map((n) => ({ ...n, inputs: n.inputs.map(rn), outputs: n.outputs.map(rn) }));
  }
  if (extra.length > 0) all = [...all, ...extra];

  // Backward sweep: keep nodes with an output that is needed.
  const needed = new Set<string>(g.outputs);
  const keep = new Array<boolean>(all.length).fill(false);
  for (let i = all.length - 1; i >= 0; i--) {
    const n = all[i]!;
    if (!n.outputs.some((o) => o && needed.has(o))) continue;
    keep[i] = true;
    for (const id of n.inputs) if (id) needed.add(id);
  }
  const live = all.filter((_n, i) => keep[i]);

  const used = new Map<string, TensorInfo>();
  const take = (id: string): void => {
    if (!id || used.has(id)) return;
    const t = tensors.get(id) ?? scope.get(id);
    if (t) used.set(id, t);
  };
  for (const id of g.inputs) take(id);
  for (const id of g.outputs) take(id);
  for (const n of live) {
    for (const id of n.inputs) take(id);
    for (const id of n.outputs) take(id);
  }

  return {
    name: g.name,
    format: g.format,
    layout: g.layout,
    opset: g.opset,
    ...(g.opsets ? { opsets: g.opsets } : {}),
    nodes: live,
    tensors: used,
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    warnings: [...new Set([...g.warnings, ...scope.warnings])],
  };
}
