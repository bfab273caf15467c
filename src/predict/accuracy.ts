/**
 * Accuracy metrics of a latency/energy predictor against measurements: MAPE, median APE, ±10%
 * accuracy and Kendall tau-b (Kendall 1945, "The treatment of ties in ranking problems").
 * Used by `edgeperf calibrate` (cross-validated accuracy) and by training and evaluation.
 */

/** Accuracy over the pairs whose measurement is finite and ≥ the threshold. */
export interface Accuracy {
  /** Pairs counted. */
  n: number;
  /** Pairs excluded (measurement missing or below the threshold). */
  excluded: number;
  /** Mean absolute percentage error, percent. */
  mape: number;
  /** Median absolute percentage error, percent. */
  medape: number;
  /** Share (0..1) of predictions within ±10% of the measurement. */
  within10: number;
  /** Kendall tau-b between predictions and measurements. */
  kendallTau: number;
}

/** Kendall tau-b of two equal-length series (O(n²); fine for a few thousand points). */
export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let conc = 0;
  let disc = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign((a[i] as number) - (a[j] as number));
      const db = Math.sign((b[i] as number) - (b[j] as number));
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) conc++;
      else disc++;
    }
  }
  const denom = Math.sqrt((conc + disc + tiesA) * (conc + disc + tiesB));
  return denom > 0 ? (conc - disc) / denom : 0;
}

/**
 * MAPE, median APE, ±10% share and Kendall tau of `pred` against `measured` (same units), over
 * pairs with a finite measurement ≥ `minMeasured`.
 * @param minMeasured threshold below which a measurement is excluded (0: count every positive one)
 */
export function accuracy(pred: ArrayLike<number>, measured: ArrayLike<number>, minMeasured = 0): Accuracy {
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < measured.length; i++) {
    const m = measured[i] as number;
    if (Number.isFinite(m) && m > 0 && m >= minMeasured) {
      p.push(pred[i] as number);
      y.push(m);
    }
  }
  const ape = p.map((v, i) => Math.abs(v - (y[i] as number)) / (y[i] as number));
  const sorted = [...ape].sort((u, v) => u - v);
  const n = ape.length;
  return {
    n,
    excluded: measured.length - n,
    mape: n ? (100 * ape.reduce((s, v) => s + v, 0)) / n : NaN,
    medape: n ? 100 * (sorted[Math.floor((n - 1) / 2)] as number) : NaN,
    within10: n ? ape.filter((v) => v <= 0.1).length / n : NaN,
    kendallTau: kendallTau(p, y),
  };
}
