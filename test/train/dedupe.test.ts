import { describe, expect, it } from 'vitest';
import { groupArchs, wlKey } from '../../train/dedupe.ts';
import type { GraphStore } from '../../train/graph-store.ts';

/** A store of graphs given as (row id per node, edges [src, dst] in local node indices). */
function storeOf(graphs: Array<{ rows: number[]; edges: Array<[number, number]> }>): GraphStore {
  const nodeOffset = [0];
  const edgeOffset = [0];
  const rowIds: number[] = [];
  const src: number[] = [];
  const dst: number[] = [];
  for (const g of graphs) {
    rowIds.push(...g.rows);
    for (const [s, d] of g.edges) {
      src.push(s);
      dst.push(d);
    }
    nodeOffset.push(rowIds.length);
    edgeOffset.push(src.length);
  }
  const U = Math.max(...rowIds) + 1;
  return {
    featureNames: ['f'],
    dict: Float32Array.from({ length: U }, (_, i) => i),
    nodeOffset: Int32Array.from(nodeOffset),
    rowIds: Uint32Array.from(rowIds),
    edgeOffset: Int32Array.from(edgeOffset),
    edgeSrc: Uint16Array.from(src),
    edgeDst: Uint16Array.from(dst),
    macs: new Float64Array(graphs.length),
    ops: [],
  };
}

const chain = (rows: number[]): { rows: number[]; edges: Array<[number, number]> } => ({ rows, edges: rows.slice(1).map((_, i) => [i, i + 1] as [number, number]) });

describe('wlKey / groupArchs', () => {
  const store = storeOf([
    chain([0, 1, 2]), // 0
    chain([3, 4, 5]), // 1: same shape, other feature rows (e.g. a conv stack at another batch size)
    { rows: [2, 0, 1], edges: [[1, 2], [2, 0]] }, // 2: graph 0 with its nodes listed in another order
    { rows: [0, 1, 2], edges: [[0, 2], [1, 2]] }, // 3: graph 0's rows wired as a join
    chain([0, 1, 2]), // 4: graph 0 again
  ]);

  it('gives graphs with the same rows and edges the same key, whatever the node order', () => {
    expect(wlKey(store, 2)).toBe(wlKey(store, 0));
    expect(wlKey(store, 4)).toBe(wlKey(store, 0));
  });

  it('keeps graphs apart whose rows differ even when their structure is the same', () => {
    // The key once used per-graph colour ranks and merged graphs 0 and 1 (1,480 `batched`
    // training graphs fell into 118 groups with averaged labels).
    expect(wlKey(store, 1)).not.toBe(wlKey(store, 0));
    expect(wlKey(store, 3)).not.toBe(wlKey(store, 0));
  });

  it('groups only the equivalent graphs, in first-seen order', () => {
    const groups = groupArchs(store, [0, 1, 2, 3, 4]);
    expect(groups.map((g) => g.members)).toEqual([[0, 2, 4], [1], [3]]);
    expect(groups.map((g) => g.rep)).toEqual([0, 1, 3]);
  });
});
