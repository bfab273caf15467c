import { describe, expect, it } from 'vitest';
import { parseOversample } from '../../train/train.ts';

describe('train --oversample', () => {
  const sources = ['nb201', 'fbnet', 'random'];

  it('parses source=repeats pairs', () => {
    expect([...parseOversample('random=2', sources)]).toEqual([['random', 2]]);
    expect([...parseOversample(' random=3 , nb201=1 ', sources)]).toEqual([
      ['random', 3],
      ['nb201', 1],
    ]);
    expect(parseOversample(undefined, sources).size).toBe(0);
  });

  it('names the bad entry', () => {
    expect(() => parseOversample('cifar=2', sources)).toThrow(/unknown source 'cifar' \(known: nb201, fbnet, random\)/);
    expect(() => parseOversample('random=1.5', sources)).toThrow(/'random=1.5' needs an integer/);
    expect(() => parseOversample('random=0', sources)).toThrow(/needs an integer number of repeats >= 1/);
  });
});
