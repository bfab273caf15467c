/**
 * Accuracy metrics of latency predictors and the FLOPs-linear baseline.
 * MAPE and ±10% accuracy count only archs measured at ≥ `MIN_MS` (the ~1.5% of NB201 archs
 * below it are networks a converter folded away; a percentage error on 0.01 ms means nothing).
 */

/** Measurements below this (ms) are excluded from MAPE/±10%/Kendall tau. */
export const MIN_MS = 0.5;

/** Accuracy on one (target, split). */
export interface Accuracy {
  /** Archs counted (measured ≥ MIN_MS). */
  n: number;
  /** Archs excluded (measured < MIN_MS or missing). */
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

/** MAPE, median APE, ±10% share and Kendall tau over pairs with measured ≥ MIN_MS. */
export function accuracy(pred: ArrayLike<number>, measured: ArrayLike<number>): Accuracy {
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < measured.length; i++) {
    const m = measured[i] as number;
    if (Number.isFinite(m) && m >= MIN_MS) {
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

/** Least-squares fit y = a·x + b. */
export function fitLinear(x: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number } {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
    sx += xi;
    sy += yi;
    sxx += xi * xi;
    sxy += xi * yi;
    n++;
  }
  const a = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return { a, b: (sy - a * sx) / n };
}

/**
 * Least squares y ≈ X·β for row-major X [n, d] (normal equations with a tiny ridge, Gaussian
 * elimination); rows with a non-finite y are skipped.
 */
export function fitLeastSquares(X: number[][], y: ArrayLike<number>, ridge = 1e-6): number[] {
  const d = (X[0] ?? []).length;
  const A = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  X.forEach((row, i) => {
    const yi = y[i] as number;
    if (!Number.isFinite(yi)) return;
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) A[r]![c]! += (row[r] as number) * (row[c] as number);
      A[r]![d]! += (row[r] as number) * yi;
    }
  });
  for (let r = 0; r < d; r++) A[r]![r]! += ridge * (1 + A[r]![r]!);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    const piv = A[c]![c]!;
    if (Math.abs(piv) < 1e-12) continue;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / piv;
      for (let k = c; k <= d; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  return A.map((row, r) => (Math.abs(row[r]!) < 1e-12 ? 0 : row[d]! / row[r]!));
}
