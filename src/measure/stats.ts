/**
 * Robust summary statistics of repeated latency samples (pure functions, no I/O).
 *
 * Sources:
 * - quantiles by linear interpolation between order statistics: Hyndman & Fan (1996), "Sample
 *   Quantiles in Statistical Packages", definition 7 (numpy's default `linear`, R's type 7):
 *   h = (n − 1)·p, q = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]);
 * - outlier rejection by Tukey's fences (Tukey 1977, "Exploratory Data Analysis", §2C): a
 *   sample outside [Q1 − k·IQR, Q3 + k·IQR] with k = 1.5 is an outlier; Q1/Q3 are the type-7
 *   quartiles above. On a shared machine the slow tail (preemption, cache eviction by a
 *   neighbour) is what the fences remove;
 * - coefficient of variation = sample standard deviation (n − 1 denominator) / mean.
 */

/**
 * The `p`-quantile (0 ≤ p ≤ 1) of `samples` by linear interpolation (Hyndman & Fan type 7).
 * @throws RangeError for an empty sample or p outside [0, 1]
 */
export function quantile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p=${p} is outside [0, 1]`);
  const x = [...samples].sort((a, b) => a - b);
  const h = (x.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, x.length - 1);
  return (x[lo] as number) + (h - lo) * ((x[hi] as number) - (x[lo] as number));
}

/**
 * The median (type-7 0.5-quantile: the middle value, or the mean of the two middle values).
 * @throws RangeError for an empty sample
 */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/**
 * Arithmetic mean.
 * @throws RangeError for an empty sample
 */
export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('mean of an empty sample');
  return samples.reduce((s, v) => s + v, 0) / samples.length;
}

/**
 * Geometric mean, exp(mean(log x)): the typical ratio or latency of positive values.
 * @throws RangeError for an empty sample or a value ≤ 0
 */
export function geometricMean(samples: readonly number[]): number {
  if (samples.some((v) => !(v > 0))) throw new RangeError('geometric mean of a non-positive value');
  return Math.exp(mean(samples.map(Math.log)));
}

/**
 * Coefficient of variation: sample standard deviation (n − 1) over the mean; 0 for fewer than 2
 * samples or a zero mean.
 * @throws RangeError for an empty sample
 */
export function coefficientOfVariation(samples: readonly number[]): number {
  const m = mean(samples);
  if (samples.length < 2 || m === 0) return 0;
  const ss = samples.reduce((s, v) => s + (v - m) ** 2, 0);
  return Math.sqrt(ss / (samples.length - 1)) / Math.abs(m);
}

/** Samples split by Tukey's fences. */
export interface OutlierSplit {
  /** Samples inside the fences, in their original order. */
  kept: number[];
  /** Samples outside the fences, in their original order. */
  rejected: number[];
  /** The fences [Q1 − k·IQR, Q3 + k·IQR] used. */
  fences: [number, number];
}

/**
 * Splits `samples` by Tukey's fences [Q1 − k·IQR, Q3 + k·IQR] (type-7 quartiles). Fewer than 4
 * samples are all kept (quartiles of 3 values say nothing about tails).
 * @param k fence multiplier, 1.5 by Tukey's convention (3 for "far out" values only)
 * @throws RangeError for an empty sample
 */
export function tukeyFences(samples: readonly number[], k = 1.5): OutlierSplit {
  if (samples.length === 0) throw new RangeError('outlier rejection of an empty sample');
  if (samples.length < 4) return { kept: [...samples], rejected: [], fences: [-Infinity, Infinity] };
  const q1 = quantile(samples, 0.25);
  const q3 = quantile(samples, 0.75);
  const iqr = q3 - q1;
  const fences: [number, number] = [q1 - k * iqr, q3 + k * iqr];
  const kept: number[] = [];
  const rejected: number[] = [];
  for (const v of samples) (v < fences[0] || v > fences[1] ? rejected : kept).push(v);
  return { kept, rejected, fences };
}

/** Summary of repeated timings of one model, all times in milliseconds. */
export interface LatencySummary {
  /** Timed runs taken (before outlier rejection). */
  runs: number;
  /** Median of the kept samples, ms. */
  medianMs: number;
  /** 10th percentile of the kept samples (type-7), ms. */
  p10Ms: number;
  /** 90th percentile of the kept samples (type-7), ms. */
  p90Ms: number;
  /** Mean of the kept samples, ms. */
  meanMs: number;
  /** Coefficient of variation of the kept samples (dimensionless, 0.05 = 5%). */
  cv: number;
  /** Samples outside Tukey's fences (k = 1.5), excluded from every statistic above. */
  outliersRejected: number;
}

/**
 * Summarises latency samples (ms): Tukey-fence outlier rejection, then median, p10/p90, mean and
 * CV of the kept samples.
 * @throws RangeError for an empty sample
 */
export function summarize(samplesMs: readonly number[]): LatencySummary {
  const { kept, rejected } = tukeyFences(samplesMs);
  return {
    runs: samplesMs.length,
    medianMs: median(kept),
    p10Ms: quantile(kept, 0.1),
    p90Ms: quantile(kept, 0.9),
    meanMs: mean(kept),
    cv: coefficientOfVariation(kept),
    outliersRejected: rejected.length,
  };
}
