/**
 * Groups architectures whose graphs the GNN cannot tell apart, by a Weisfeiler-Lehman hash over
 * node feature rows with in- and out-neighbour colours (more rounds than the GNN has layers).
 * A mean-aggregation GNN gives identical outputs for WL-equivalent graphs, so training on one
 * representative per group with the mean log label and the summed weight has exactly the same
 * squared-log loss (up to a constant) as training on every member, at a fraction of the cost.
 * NB201 has many isomorphic cells (skip/none permutations), so this roughly halves an epoch.
 */
import type { GraphStore } from './graph-store.ts';

/** WL hash of arch `a` after `rounds` refinements. */
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
    const dict = new Map<string, string>();
    colors = colors.map((c, i) => {
      const sig = `${c}|${ins[i]!.map((j) => colors[j]).sort().join(',')}|${outs[i]!.map((j) => colors[j]).sort().join(',')}`;
      let id = dict.get(sig);
      if (id === undefined) {
        id = String(dict.size);
        dict.set(sig, id);
      }
      return id;
    });
    // Canonical relabel per round: the dict ids depend on node order, so re-key them by signature.
    const bySig = [...dict.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    const canon = new Map<string, string>(bySig.map(([sig], k) => [dict.get(sig) as string, `${r}:${k}:${sig.length}`]));
    colors = colors.map((c) => canon.get(c) as string);
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
