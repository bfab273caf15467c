import { describe, expect, it } from 'vitest';
import { coefficientOfVariation, geometricMean, mean, median, quantile, summarize, tukeyFences } from '../../src/measure/stats.ts';

describe('quantile (Hyndman & Fan type 7, numpy linear)', () => {
  it('interpolates between order statistics', () => {
    const x = [4, 1, 3, 2, 5]; // sorted 1..5
    expect(quantile(x, 0)).toBe(1);
    expect(quantile(x, 1)).toBe(5);
    expect(quantile(x, 0.5)).toBe(3);
    expect(quantile(x, 0.1)).toBeCloseTo(1.4, 12); // h = 0.4
    expect(quantile(x, 0.9)).toBeCloseTo(4.6, 12); // h = 3.6
    expect(quantile(x, 0.25)).toBe(2);
  });
  it('matches numpy.percentile on an even sample', () => {
    // numpy.percentile([10, 20, 30, 40], [10, 50, 90]) = [13., 25., 37.]
    const x = [40, 10, 30, 20];
    expect(quantile(x, 0.1)).toBeCloseTo(13, 12);
    expect(median(x)).toBe(25);
    expect(quantile(x, 0.9)).toBeCloseTo(37, 12);
  });
  it('throws on empty samples and bad p', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
});

describe('mean and coefficient of variation', () => {
  it('uses the n − 1 standard deviation', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, sum of squares 32, s = √(32/7)
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(x)).toBe(5);
    expect(geometricMean([1, 4, 16])).toBeCloseTo(4, 12);
    expect(() => geometricMean([])).toThrow(RangeError);
    expect(() => geometricMean([2, 0])).toThrow(RangeError);
    expect(coefficientOfVariation(x)).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12);
  });
  it('is 0 for one sample or identical samples', () => {
    expect(coefficientOfVariation([3])).toBe(0);
    expect(coefficientOfVariation([2, 2, 2])).toBe(0);
  });
});

describe('tukeyFences', () => {
  it('rejects values beyond 1.5·IQR from the quartiles', () => {
    // 1..8 and 50: Q1 = 3, Q3 = 7, IQR 4, fences [-3, 13] → 50 is out
    const s = tukeyFences([1, 2, 3, 4, 5, 6, 7, 8, 50]);
    expect(s.fences).toEqual([-3, 13]);
    expect(s.rejected).toEqual([50]);
    expect(s.kept).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it('keeps everything for fewer than 4 samples', () => {
    expect(tukeyFences([1, 2, 100]).rejected).toEqual([]);
  });
});

describe('summarize', () => {
  it('computes statistics on the kept samples', () => {
    const s = summarize([10, 11, 12, 13, 14, 100]);
    // Q1 = 11.25, Q3 = 13.75, IQR 2.5, fences [7.5, 17.5] → 100 rejected
    expect(s.runs).toBe(6);
    expect(s.outliersRejected).toBe(1);
    expect(s.medianMs).toBe(12);
    expect(s.p10Ms).toBeCloseTo(10.4, 12);
    expect(s.p90Ms).toBeCloseTo(13.6, 12);
    expect(s.meanMs).toBe(12);
    expect(s.cv).toBeCloseTo(Math.sqrt(10 / 4) / 12, 12);
    expect(s.p10Ms).toBeLessThanOrEqual(s.medianMs);
    expect(s.medianMs).toBeLessThanOrEqual(s.p90Ms);
  });
});
