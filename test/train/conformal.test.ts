import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/ir.ts';
import { graphBatch, intervalFor } from '../../src/predict/targets.ts';
import { conformalByBatch, conformalRatios, MIN_GROUP } from '../../train/train.ts';

/** n ratios spread evenly over [lo, hi]. */
const spread = (n: number, lo: number, hi: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

describe('conformalRatios', () => {
  it('takes the finite-sample 5% / 95% order statistics', () => {
    // n = 199: ⌊0.05·200⌋ = 10th and ⌈0.95·200⌉ = 190th smallest (1-based).
    const r = spread(199, 0.8, 1.2);
    const c = conformalRatios(r);
    expect(c).toEqual({ lo: r[9], hi: r[189], n: 199 });
  });
});

describe('conformalByBatch (Mondrian by batch)', () => {
  const one = spread(300, 0.9, 1.1);
  const many = spread(150, 0.6, 1.6);
  const ratios = [...one, ...many];
  const batched = [...one.map(() => false), ...many.map(() => true)];

  it('gives each batch group the quantiles of its own ratios', () => {
    const c = conformalByBatch(ratios, batched);
    expect({ lo: c.lo, hi: c.hi, n: c.n }).toEqual(conformalRatios(one));
    expect(c.batched).toEqual(conformalRatios(many));
    expect(c.batched!.hi - c.batched!.lo).toBeGreaterThan(c.hi - c.lo);
  });

  it('falls back to one interval over all ratios when a group is smaller than MIN_GROUP', () => {
    const few = many.slice(0, MIN_GROUP - 1);
    const c = conformalByBatch([...one, ...few], [...one.map(() => false), ...few.map(() => true)]);
    expect(c).toEqual(conformalRatios([...one, ...few]));
    expect(c.batched).toBeUndefined();
  });

  it('rejects batch flags that do not match the ratios', () => {
    expect(() => conformalByBatch([1, 1], [true])).toThrow(/2 ratios but 1 batch flags/);
  });

  it('is what intervalFor serves: the batched group above batch 1 only', () => {
    const c = conformalByBatch(ratios, batched);
    expect(intervalFor(c, 1)).toBe(c);
    expect(intervalFor(c, 16)).toBe(c.batched);
    expect(intervalFor(conformalRatios(one), 16)).toEqual(conformalRatios(one));
  });
});

describe('graphBatch', () => {
  const withInput = (shape: Array<number | string>): Graph => ({ inputs: ['x'], tensors: new Map([['x', { id: 'x', shape }]]) }) as unknown as Graph;

  it('reads dim 0 of the first input of rank ≥ 2', () => {
    expect(graphBatch(withInput([8, 3, 32, 32]))).toBe(8);
    expect(graphBatch(withInput([20, 128]))).toBe(20);
  });

  it('is 1 for a rank-1 input, a symbolic batch or no input', () => {
    expect(graphBatch(withInput([16000]))).toBe(1);
    expect(graphBatch(withInput(['N', 3, 224, 224]))).toBe(1);
    expect(graphBatch({ inputs: [], tensors: new Map() } as unknown as Graph)).toBe(1);
  });
});
