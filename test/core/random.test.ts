import { describe, expect, it } from 'vitest';
import { mulberry32, shuffled } from '../../src/core/random.ts';

describe('shuffled', () => {
  const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

  it('is a seeded permutation that leaves its input alone', () => {
    const a = shuffled(xs, 1);
    expect(a).toEqual([7, 8, 3, 2, 1, 5, 9, 4, 0, 6]);
    expect(shuffled(xs, 1)).toEqual(a);
    expect(shuffled(xs, 2)).toEqual([0, 9, 4, 1, 6, 5, 3, 8, 2, 7]);
    expect([...a].sort((p, q) => p - q)).toEqual(xs);
    expect(xs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is the in-place Fisher–Yates loop over mulberry32 it replaced (calibration folds keep their order)', () => {
    const r = mulberry32(5);
    const order = [...xs];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    expect(shuffled(xs, 5)).toEqual(order);
    expect(shuffled([], 3)).toEqual([]);
  });
});
