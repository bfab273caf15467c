/**
 * Measured kernel times onto the GNN's rows: the per-node labels of `edgeperf calibrate` when the
 * measurements carry onnxruntime profiles (`edgeperf measure --profile`, `kernels_ms`).
 *
 * onnxruntime names a kernel after its graph node, or, for a node its graph optimisations created
 * (a conv with its activation fused, `FusedConv`), after the output tensor of the fusion, with
 * `_nchwc` appended when the NCHWc layout pass rewrote it. So a kernel is matched to the graph node
 * of that name, else to the node producing a tensor of that name. Its time labels that node's GNN
 * row; a matched node without a row of its own (a batch norm src/cost/features.ts folds into the
 * conv before it) labels the row of its first input's producer instead, up to 8 steps back, and
 * two kernels on one row add up. A row whose node ran in no kernel of its own (fused into a later
 * one: the conv of a FusedConv named after its Relu) joins the kernel of the first row downstream
 * (first consumers, up to 8 steps) that has one. A kernel is thus the label of a group of rows:
 * the sum of their contributions. Kernels matched to nothing (a layout reorder onnxruntime
 * inserted) label no row: they count only in the measured total.
 */
import type { Graph } from '../graph/ir.ts';

/** Steps along first inputs or first consumers when looking for a row or a kernel. */
const MAX_HOPS = 8;

/** Kernel labels of one graph's GNN rows. */
export interface KernelLabels {
  /** Kernel group of each row ([n]), index into `ms`, or −1 for a row no kernel covers. */
  group: Int32Array;
  /** Measured ms of each group ([G]). */
  ms: Float32Array;
  /** Kernels matched to a row, of `total` in the profile. */
  matched: number;
  total: number;
}

/**
 * Groups the GNN rows of a graph by the kernel they ran in, with the kernel's measured time.
 * @param graph the analysed graph (`ModelAnalysis.graph`)
 * @param nodeIndex graph node of each GNN row ([n], `GraphFeatures.nodeIndex`)
 * @param kernels kernel ms by onnxruntime node name (`MeasureResult.kernels_ms`)
 */
export function kernelLabels(graph: Graph, nodeIndex: readonly number[], kernels: Readonly<Record<string, number>>): KernelLabels {
  const rowOf = new Map<number, number>();
  nodeIndex.forEach((gi, r) => rowOf.has(gi) || rowOf.set(gi, r));
  const byName = new Map<string, number>();
  const producer = new Map<string, number>();
  const consumer = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    byName.set(n.name, i);
    for (const t of n.outputs) if (t) producer.set(t, i);
    for (const t of n.inputs) if (t && !consumer.has(t)) consumer.set(t, i);
  });
  const group = new Int32Array(nodeIndex.length).fill(-1);
  const ms: number[] = [];
  /** Per group: matched by the tensor it outputs (a fusion named after its last node). */
  const byOutput: boolean[] = [];
  /** Graph nodes a kernel was matched to (their rows are not "fused into a later kernel"). */
  const ran = new Set<number>();
  let matched = 0;
  const names = Object.keys(kernels);
  for (const name of names) {
    const t = kernels[name] as number;
    if (!(t >= 0)) continue;
    const key = kernelNodeName(name);
    const named = byName.get(key);
    const start = named ?? producer.get(key);
    let gi = start;
    let row: number | undefined;
    for (let hops = 0; gi !== undefined && hops <= MAX_HOPS; hops++) {
      row = rowOf.get(gi);
      if (row !== undefined) break;
      gi = producer.get(graph.nodes[gi]?.inputs[0] ?? '');
    }
    if (row === undefined || start === undefined) continue;
    matched++;
    ran.add(start);
    const g = group[row] as number;
    if (g >= 0) ms[g] = (ms[g] as number) + t;
    else {
      group[row] = ms.push(t) - 1;
      byOutput.push(named === undefined);
    }
  }
  // Rows whose node ran in no kernel of its own were fused: into the first kernel downstream that
  // is named after its output tensor (the fusion's last node), else into the kernel of the row
  // before them when that kernel is named after its node (the fusion's first node).
  const walk = (start: number | undefined, next: (gi: number) => number | undefined, ok: (g: number) => boolean): number => {
    let j = start;
    for (let hops = 0; j !== undefined && hops < MAX_HOPS; hops++) {
      const row = rowOf.get(j);
      const g = row === undefined ? -1 : (group[row] as number);
      if (g >= 0) return ok(g) ? g : -1;
      j = next(j);
    }
    return -1;
  };
  const down = (gi: number): number | undefined => consumer.get(graph.nodes[gi]?.outputs[0] ?? '');
  const up = (gi: number): number | undefined => producer.get(graph.nodes[gi]?.inputs[0] ?? '');
  nodeIndex.forEach((gi, r) => {
    if ((group[r] as number) >= 0 || ran.has(gi)) return;
    const g = walk(down(gi), down, (x) => byOutput[x] === true);
    group[r] = g >= 0 ? g : walk(up(gi), up, (x) => byOutput[x] === false);
  });
  return { group, ms: Float32Array.from(ms), matched, total: names.length };
}

/**
 * The graph node (or tensor) name a kernel carries: onnxruntime's `_nchwc` suffix, `fused `
 * prefix (GemmActivationFusion) and `/<Name>Fusion` suffixes (MatMulAddFusion, QuickGeluFusion:
 * the fusion is named after its first node) removed.
 */
export function kernelNodeName(kernel: string): string {
  return kernel
    .replace(/_nchwc$/, '')
    .replace(/^fused /, '')
    .replace(/(\/[A-Za-z]*Fusion\/?)+$/, '');
}
