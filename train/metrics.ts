/**
 * Accuracy metrics of latency predictors and the FLOPs-linear baseline.
 * MAPE and ±10% accuracy count only archs measured at ≥ `MIN_MS` (the ~1.5% of NB201 archs
 * below it are networks a converter folded away; a percentage error on 0.01 ms means nothing).
 */

import { accuracy as baseAccuracy, type Accuracy } from '../src/predict/accuracy.ts';

/** Measurements below this (ms) are excluded from MAPE/±10%/Kendall tau. */
export const MIN_MS = 0.5;

export { kendallTau, type Accuracy } from '../src/predict/accuracy.ts';

/** MAPE, median APE, ±10% share and Kendall tau over pairs with measured ≥ MIN_MS. */
export function accuracy(pred: ArrayLike<number>, measured: ArrayLike<number>): Accuracy {
  return baseAccuracy(pred, measured, MIN_MS);
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
