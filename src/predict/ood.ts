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

/**
 * Share of a custom target's predicted time that may sit in ops none of its measured graphs had
 * before the prediction is flagged (`calibrationReasons`). A choice, not a measurement: an op
 * below 5% of the time moves the total by under 5% even if its calibrated cost is off ×2.
 */
export const CALIBRATION_OP_SHARE = 0.05;

/**
 * How far beyond its calibration's measured range [fastest, slowest] a custom target's prediction
 * may fall before it is flagged (`calibrationReasons`): the cross-validated accuracy and interval
 * were estimated on graphs inside that range.
 */
export const CALIBRATION_RANGE_FACTOR = 2;

/**
 * Reasons (empty when none) why a prediction of a calibrated custom target (`t.calibration` set)
 * leaves what its calibration measured: ops with at least `CALIBRATION_OP_SHARE` of the predicted
 * time that none of the measured graphs had (only when the file lists `opsMeasured`), and a
 * predicted latency more than `CALIBRATION_RANGE_FACTOR`× outside the measured range
 * (`t.labelRange.latency`). Returns [] for bundled targets.
 * @param rawOps op name per GNN row ([n], `GraphFeatures.rawOps`)
 * @param rowMs predicted ms per GNN row ([n], the head's per-node contributions)
 * @param value predicted latency in ms (rows plus overhead)
 */
export function calibrationReasons(t: TargetEntry, rawOps: readonly string[], rowMs: ArrayLike<number>, value: number): string[] {
  const c = t.calibration;
  if (!c) return [];
  const reasons: string[] = [];
  const graphs = `${t.trainingCount} graph${t.trainingCount === 1 ? '' : 's'}`;
  if (c.opsMeasured && value > 0) {
    const measured = new Set(c.opsMeasured);
    const unmeasured = new Map<string, { nodes: number; ms: number }>();
    rawOps.forEach((op, i) => {
      if (measured.has(op)) return;
      const u = unmeasured.get(op) ?? { nodes: 0, ms: 0 };
      u.nodes++;
      u.ms += rowMs[i] as number;
      unmeasured.set(op, u);
    });
    for (const [op, u] of [...unmeasured].sort((a, b) => b[1].ms - a[1].ms)) {
      const share = u.ms / value;
      if (share < CALIBRATION_OP_SHARE) continue;
      reasons.push(
        `op '${op}' (${u.nodes} node${u.nodes > 1 ? 's' : ''}, ${Math.round(100 * share)}% of the predicted time) is in none of the ${graphs} ` +
          `${t.id} was calibrated on: its cost is extrapolated from base target ${c.baseTarget} (measure models with it and calibrate again)`,
      );
    }
  }
  const range = t.labelRange.latency;
  if (range && value > 0) {
    const [lo, hi] = range;
    if (value > hi * CALIBRATION_RANGE_FACTOR) reasons.push(`predicted ${value.toPrecision(3)} ms, ×${(value / hi).toFixed(1)} the slowest of the ${graphs} ${t.id} was calibrated on (${hi.toPrecision(3)} ms)`);
    else if (value < lo / CALIBRATION_RANGE_FACTOR) reasons.push(`predicted ${value.toPrecision(3)} ms, ×${(value / lo).toFixed(2)} the fastest of the ${graphs} ${t.id} was calibrated on (${lo.toPrecision(3)} ms)`);
  }
  return reasons;
}
