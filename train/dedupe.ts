/**
 * Groups architectures whose graphs the GNN cannot tell apart, by a Weisfeiler-Lehman hash over
 * node feature rows with in- and out-neighbour colours (more rounds than the GNN has layers).
 * A mean-aggregation GNN gives identical outputs for WL-equivalent graphs, so training on one
 * representative per group with the mean log label and the summed weight has exactly the same
 * squared-log loss (up to a constant) as training on every member, at a fraction of the cost.
 * NB201 has many isomorphic cells (skip/none permutations), so this roughly halves an epoch.
 */
import { createHash } from 'node:crypto';
import type { GraphStore } from './graph-store.ts';

/**
 * WL hash of arch `a` after `rounds` refinements: a node's first colour is its feature row id
 * (`rowIds`, equal ids ⇔ equal feature rows), each round's colour is a hash of (own colour, sorted
 * in-neighbour colours, sorted out-neighbour colours), and the key is the node count with the
 * sorted multiset of final colours. Colours are content hashes, not per-graph ranks, so two
 * graphs share a key only if their node rows (and neighbourhoods) match, whatever the node order.
 */
export function wlKey(ds: GraphStore, a: number, rounds = 5): string {
  const n0 = ds.nodeOffset[a] as number;
  const n = (ds.nodeOffset[a + 1] as number) - n0;
  const e0 = ds.edgeOffset[a] as number;
  const e1 = ds.edgeOffset[a + 1] as number;
  const ins: number[][] = Array.from({ length: n }, () => []);
  const outs: number[][] = Array.from({ length: n }, () => []);
  for (let e = e0; e < e1; e++) {
    ins[ds.edgeDst[e] as number]!.push(ds.edgeSrc[e] as number);
    outs[ds.edgeSrc[e] as number]!.push(ds.edgeDst[e] as number);
  }
  let colors: string[] = Array.from({ length: n }, (_, i) => String(ds.rowIds[n0 + i]));
  for (let r = 0; r < rounds; r++) {
    const memo = new Map<string, string>();
    colors = colors.map((c, i) => {
      const sig = `${c}|${ins[i]!.map((j) => colors[j]).sort().join(',')}|${outs[i]!.map((j) => colors[j]).sort().join(',')}`;
      let h = memo.get(sig);
      if (h === undefined) {
        h = createHash('sha1').update(sig).digest('base64');
        memo.set(sig, h);
      }
      return h;
    });
  }
  return `${n}#${[...colors].sort().join(';')}`;
}

/** One training sample: a representative arch and its members. */
export interface ArchGroup {
  rep: number;
  members: number[];
}

/** Groups `archs` by `wlKey`, in first-seen order. */
export function groupArchs(ds: GraphStore, archs: readonly number[]): ArchGroup[] {
  const groups = new Map<string, ArchGroup>();
  for (const a of archs) {
    const k = wlKey(ds, a);
    const g = groups.get(k);
    if (g) g.members.push(a);
    else groups.set(k, { rep: a, members: [a] });
  }
  return [...groups.values()];
}
