/**
 * Human-readable, stable layer names for reports ("which layers got slower").
 *
 * Exporters often leave node names empty or numbered (`n12`, `op_7`, `node_3`, `Conv_0`), and
 * such names shift whenever a layer is inserted, so they neither tell a user which layer it is nor
 * match the same layer between base and head. The stored weight a node reads is named by the
 * training framework (`fire2/squeeze1x1_w_0`, `layer1.0.conv1.weight`) and survives such edits.
 */
import type { Graph, Node } from './ir.ts';

/** Names that carry no information: empty, bare numbers, `n12`, `r3`, `op_7`, `node_3`. */
const NUMBERED = /^(?:[A-Za-z]?\d+|op_\d+|node_?\d+)?$/;

/** True when `name` tells nothing beyond the op: numbered, or the op's own name (`Conv_12`). */
function isGeneric(name: string, op: string): boolean {
  if (NUMBERED.test(name)) return true;
  const bare = name.replace(/^\//, '').replace(/_\d+$/, '');
  return bare === op;
}

/** Suffixes naming the weight role rather than the layer. */
const WEIGHT_SUFFIX = /(?:[._/](?:weight|bias|kernel|w|b|W|B)(?:_\d+)?|_w_0|_b_0)$/;

/**
 * One display name per node of `graph.nodes` (same order), unique within the graph: the node's
 * own name when it is informative, else the name of the first stored weight it reads with the
 * weight-role suffix removed, else its first output tensor's name when informative, else
 * `<op>#<k>` (k-th node of that op). Duplicates get `#2`, `#3`, ... appended.
 */
export function layerNames(graph: Graph): string[] {
  const seen = new Map<string, number>();
  const perOp = new Map<string, number>();
  return graph.nodes.map((node) => {
    const k = (perOp.get(node.op) ?? 0) + 1;
    perOp.set(node.op, k);
    const base = informativeName(node, graph) ?? `${node.op}#${k}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

function informativeName(node: Node, graph: Graph): string | undefined {
  if (!isGeneric(node.name, node.op)) return node.name;
  for (const id of node.inputs) {
    const t = graph.tensors.get(id);
    if (t?.isWeight && !isGeneric(id, node.op)) return id.replace(WEIGHT_SUFFIX, '') || id;
  }
  const out = node.outputs.find((id) => id !== '');
  return out !== undefined && !isGeneric(out, node.op) ? out : undefined;
}
