import { describe, expect, it } from 'vitest';
import { parseBudgetsFile } from '../../src/config/budgets-file.ts';
import { ConfigError } from '../../src/core/errors.ts';

const FILE = '.github/edgeperf.yml';

describe('parseBudgetsFile', () => {
  it('parses absolute and relative budgets with units and defaults', () => {
    const rules = parseBudgetsFile(
      `
budgets:
  - models: "models/detector*.onnx"
    target: pixel-3
    max: 12 ms
    max_increase: 5%
  - metric: memory
    max: 4 MB
    level: warn
  - metric: macs
    max_increase: 200M
  - metric: "*"
    max_increase: 10%
    target: raspberry-pi-4
`,
      FILE,
    );
    expect(rules).toEqual([
      { models: 'models/detector*.onnx', target: 'pixel-3', metric: 'latency', max: 12, maxIncrease: { kind: 'percent', fraction: 0.05 }, level: 'error', source: `${FILE} budgets[0]` },
      { models: '**', target: '*', metric: 'memory', max: 4e6, level: 'warn', source: `${FILE} budgets[1]` },
      { models: '**', target: '*', metric: 'macs', maxIncrease: { kind: 'absolute', amount: 2e8 }, level: 'error', source: `${FILE} budgets[2]` },
      { models: '**', target: 'raspberry-pi-4', metric: '*', maxIncrease: { kind: 'percent', fraction: 0.1 }, level: 'error', source: `${FILE} budgets[3]` },
    ]);
  });

  it('reads seconds, MiB, and bare numbers for counts only', () => {
    const [a, b, c] = parseBudgetsFile('budgets:\n  - max: 0.5 s\n  - {metric: weights, max: 2 MiB}\n  - {metric: params, max: 7000000}\n', FILE);
    expect(a!.max).toBe(500);
    expect(b!.max).toBe(2 * 1024 * 1024);
    expect(c!.max).toBe(7e6);
    expect(() => parseBudgetsFile('budgets:\n  - max: 7\n', FILE)).toThrow(/budgets\[0\]\.max: '7' needs a unit for metric 'latency', e.g. "12 ms"/);
  });

  it('gives no rules for an empty file', () => {
    expect(parseBudgetsFile('', FILE)).toEqual([]);
    expect(parseBudgetsFile('budgets: []', FILE)).toEqual([]);
  });

  it.each([
    ['budgets:\n  - max_increse: 5%\n', /\.github\/edgeperf\.yml: unknown key 'budgets\[0\]\.max_increse'/],
    ['budget: []\n', /unknown key 'budget'/],
    ['budgets:\n  - max_increase: 5\n', /budgets\[0\]\.max_increase: '5' needs a unit/],
    ['budgets:\n  - max: 4 MB\n', /budgets\[0\]\.max: unit 'MB' does not fit metric 'latency'/],
    ['budgets:\n  - metric: speed\n    max: 1\n', /budgets\[0\]\.metric/],
    ['budgets:\n  - level: fatal\n    max: 1\n', /budgets\[0\]\.level/],
    ['budgets:\n  - target: pixel-3\n', /budgets\[0\]: set 'max'/],
    ['budgets:\n  - metric: "*"\n    max: 3\n', /budgets\[0\]\.max: an absolute limit needs one metric/],
    ['budgets: [\n', /not valid YAML/],
  ])('rejects %j naming the file and key', (text, message) => {
    const run = () => parseBudgetsFile(text, FILE);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
    expect(run).toThrow(/^\.github\/edgeperf\.yml: /);
  });
});
