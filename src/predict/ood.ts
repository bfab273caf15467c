/**
 * Out-of-distribution checks: does a graph use ops, or feature values, that training never saw?
 * Ranges come from targets.json (`opsSeen`, `featureRanges`, `graphRanges`).
 */
import type { GraphFeatures } from '../cost/features.ts';
import { FEATURE_NAMES } from '../cost/features.ts';
import type { TargetEntry, TargetsFile } from './targets.ts';

/** What a target was trained on, for the OOD checks: ops, per-feature and per-graph ranges. */
export type TrainingRanges = Pick<TargetsFile, 'opsSeen' | 'featureRanges' | 'graphRanges'>;

/**
 * The training ranges of one target: its own (targets.json records, per target, the ops and
 * ranges of the sources that have its labels) or, for an older registry, the global ones.
 */
export function rangesOf(t: TargetEntry | undefined, all: TargetsFile): TrainingRanges {
  if (t?.opsSeen && t.featureRanges && t.graphRanges) return { opsSeen: t.opsSeen, featureRanges: t.featureRanges, graphRanges: t.graphRanges };
  return all;
}

/** Features whose range is checked, with a readable name and the inverse of their scaling. */
const CHECKED: Array<{ feature: string; label: string; raw: (v: number) => number }> = [
  { feature: 'log1p_macs', label: 'MACs of a node', raw: Math.expm1 },
  { feature: 'log1p_spatial_in', label: 'input spatial size (H×W)', raw: Math.expm1 },
  { feature: 'log1p_spatial_out', label: 'output spatial size (H×W)', raw: Math.expm1 },
  { feature: 'log1p_channels_in', label: 'input channels', raw: Math.expm1 },
  { feature: 'log1p_channels_out', label: 'output channels', raw: Math.expm1 },
  { feature: 'log1p_weight_bytes', label: 'weight bytes of a node', raw: Math.expm1 },
  { feature: 'kernel', label: 'kernel size', raw: (v) => v },
  { feature: 'stride', label: 'stride', raw: (v) => v },
];

/** Relative slack on log-scaled ranges before a value counts as outside (5% of the range width). */
const SLACK = 0.05;

/**
 * Reasons (empty when in distribution) why a graph is outside a target's training distribution.
 * @param f features of the graph
 * @param nodeNames name per GNN node (aligned with `f.nodeIndex`)
 * @param totalMacs total MACs of the graph
 */
export function oodReasons(f: GraphFeatures, nodeNames: string[], totalMacs: number, t: TrainingRanges): string[] {
  const reasons: string[] = [];
  const seen = new Set(t.opsSeen);
  const unseen = new Map<string, number>();
  f.rawOps.forEach((op) => {
    if (!seen.has(op)) unseen.set(op, (unseen.get(op) ?? 0) + 1);
  });
  for (const [op, count] of unseen) reasons.push(`op '${op}' never seen in this target's training (${count} node${count > 1 ? 's' : ''})`);
  const F = FEATURE_NAMES.length;
  const n = f.nodeIndex.length;
  for (const c of CHECKED) {
    const range = t.featureRanges[c.feature];
    const col = FEATURE_NAMES.indexOf(c.feature);
    if (!range || col < 0) continue;
    const [lo, hi] = range;
    const slack = SLACK * Math.max(hi - lo, 1e-9);
    let count = 0;
    let worst = -1;
    let worstDist = 0;
    for (let i = 0; i < n; i++) {
      const v = f.x[i * F + col] as number;
      const d = v < lo - slack ? lo - v : v > hi + slack ? v - hi : 0;
      if (d > 0) {
        count++;
        if (d > worstDist) {
          worstDist = d;
          worst = i;
        }
      }
    }
    if (worst >= 0) {
      const v = f.x[worst * F + col] as number;
      reasons.push(
        `${c.label} ${fmt(c.raw(v))} at node '${nodeNames[worst] ?? worst}' outside the training range ` +
          `[${fmt(c.raw(lo))}, ${fmt(c.raw(hi))}] (${count} node${count > 1 ? 's' : ''})`,
      );
    }
  }
  const [nLo, nHi] = t.graphRanges.nodes;
  if (n > 0 && (n < nLo || n > nHi)) reasons.push(`${n} executed nodes, outside the training range [${nLo}, ${nHi}]`);
  const [mLo, mHi] = t.graphRanges.macs;
  if (n > 0 && (totalMacs < mLo * 0.9 || totalMacs > mHi * 1.1)) {
    reasons.push(`total MACs ${fmt(totalMacs)} outside the training range [${fmt(mLo)}, ${fmt(mHi)}]`);
  }
  return reasons;
}

function fmt(v: number): string {
  const r = Math.round(v);
  if (Math.abs(v - r) < 1e-6 * Math.max(1, Math.abs(v))) return r.toLocaleString('en-US');
  return v.toPrecision(3);
}
