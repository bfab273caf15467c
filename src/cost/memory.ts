/**
 * Memory of one inference: stored weight bytes plus the peak of the activation arena under a
 * greedy-by-size offset planner.
 *
 * Source: TFLite's `GreedyMemoryPlanner` (tensorflow/lite/micro/memory_planner/
 * greedy_memory_planner.cc, also the "greedy by size" strategy of the TFLite GPU delegate) and
 * Y. Pisarchyk, J. Lee, "Efficient Memory Management for Deep Neural Net Inference", 2020:
 * tensors are sorted by size, largest first, and each is placed at the lowest offset where it
 * does not overlap any already-placed tensor whose lifetime overlaps its own; the arena size is
 * the largest end offset. Lifetimes are in node indices of the topological order: from the
 * producing node (graph inputs: from the start) to the last consuming node (graph outputs: to
 * the end). Constants (weights and folded values) are not in the arena.
 * Not modelled: in-place ops (Reshape aliasing), per-op scratch buffers.
 */
import type { MemoryEstimate } from '../core/types.ts';
import type { Graph } from '../graph/ir.ts';
import { tensorBytes } from '../graph/tensor.ts';

/** One arena buffer: size in bytes and inclusive lifetime [first, last] in node indices. */
export interface BufferLife {
  id: string;
  size: number;
  first: number;
  last: number;
}

/** A placed buffer. */
export interface Placement extends BufferLife {
  offset: number;
}

/**
 * Greedy-by-size placement (largest first; ties by earlier first use, then id).
 * @param alignment offsets are rounded up to a multiple of this many bytes (TFLite: 16 in
 *   TFLite Micro, 64 in the TFLite arena); 1 = none
 * @returns placements (sorted by offset) and the arena size (max end offset), in bytes
 */
export function planArena(buffers: readonly BufferLife[], alignment = 1): { placements: Placement[]; peak: number } {
  const order = [...buffers].filter((b) => b.size > 0).sort((a, b) => b.size - a.size || a.first - b.first || (a.id < b.id ? -1 : 1));
  // `byOffset` stays sorted by offset, so the overlapping buffers come out in offset order.
  const byOffset: Placement[] = [];
  let peak = 0;
  const align = (x: number): number => (alignment > 1 ? Math.ceil(x / alignment) * alignment : x);
  for (const b of order) {
    let offset = 0;
    for (const p of byOffset) {
      if (p.first > b.last || b.first > p.last) continue;
      if (p.offset - offset >= b.size) break;
      offset = Math.max(offset, align(p.offset + p.size));
    }
    const pl: Placement = { ...b, offset };
    let lo = 0;
    let hi = byOffset.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byOffset[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    byOffset.splice(lo, 0, pl);
    peak = Math.max(peak, offset + b.size);
  }
  return { placements: byOffset, peak };
}

/** Lifetimes of the non-constant tensors of `graph` (see module docstring). */
export function bufferLifetimes(graph: Graph): BufferLife[] {
  const end = Math.max(0, graph.nodes.length - 1);
  const life = new Map<string, BufferLife>();
  const touch = (id: string, i: number, produced: boolean): void => {
    if (!id) return;
    const t = graph.tensors.get(id);
    if (!t || t.isConstant) return;
    const cur = life.get(id);
    if (!cur) {
      life.set(id, { id, size: tensorBytes(t), first: produced ? i : 0, last: i });
      return;
    }
    cur.last = Math.max(cur.last, i);
  };
  for (const id of graph.inputs) touch(id, 0, false);
  graph.nodes.forEach((n, i) => {
    for (const id of n.inputs) touch(id, i, false);
    for (const id of n.outputs) touch(id, i, true);
  });
  for (const id of graph.outputs) {
    const b = life.get(id);
    if (b) b.last = end;
  }
  return [...life.values()];
}

/**
 * Weights and peak activation bytes of `graph`.
 * @param weightsBytes bytes of unique stored weights read by executed nodes (from costTotals)
 */
export function estimateMemory(graph: Graph, weightsBytes: number, alignment = 1): MemoryEstimate {
  return { weightsBytes, peakActivationBytes: planArena(bufferLifetimes(graph), alignment).peak };
}
