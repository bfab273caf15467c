import { describe, expect, it } from 'vitest';
import { maxIncreaseRule } from '../../src/config/inputs.ts';
import { applyBudgets, checkRow, summarizeBudgets, type BudgetRule } from '../../src/report/budget.ts';
import { diffModel, diffModels } from '../../src/report/diff.ts';
import { simple } from './helpers.ts';

const pair = (base: number, head: number, file = 'models/det.onnx') => ({
  file,
  base: simple(file, { 'pixel-3': base }),
  head: simple(file, { 'pixel-3': head }),
});
const latency = (d: ReturnType<typeof diffModel>) => d.rows.find((r) => r.metric === 'latency')!;

describe('budgets', () => {
  it('max-increase 5%: 10 ms → 11.4 ms (+14.0%) fails at level error', () => {
    const v = checkRow(latency(diffModel(pair(10, 11.4))), [maxIncreaseRule(0.05)]);
    expect(v.level).toBe('error');
    expect(v.violations).toEqual([{ level: 'error', text: '+14.0% > max +5.0%', source: "input 'max-increase'" }]);
  });

  it('max-increase 5%: 10 ms → 10.4 ms (+4.0%) is ok; a speed-up is ok', () => {
    expect(checkRow(latency(diffModel(pair(10, 10.4))), [maxIncreaseRule(0.05)]).level).toBe('ok');
    expect(checkRow(latency(diffModel(pair(10, 8))), [maxIncreaseRule(0.05)]).level).toBe('ok');
  });

  it('relative limits skip new models; absolute limits apply to them', () => {
    const d = diffModel({ file: 'n.onnx', base: null, head: simple('n.onnx', { 'pixel-3': 20 }) });
    expect(checkRow(latency(d), [maxIncreaseRule(0.05)]).level).toBe('none');
    const abs: BudgetRule = { models: '**', target: 'pixel-3', metric: 'latency', max: 12, level: 'error', source: 'f budgets[0]' };
    expect(checkRow(latency(d), [abs])).toEqual({
      level: 'error',
      violations: [{ level: 'error', text: '20.0 ms > max 12.0 ms', source: 'f budgets[0]' }],
    });
  });

  it('matches model globs, targets and metrics; warn does not make the report exceed', () => {
    const rules: BudgetRule[] = [
      { models: 'models/det*.onnx', target: 'pixel-3', metric: 'latency', maxIncrease: { kind: 'percent', fraction: 0.1 }, level: 'warn', source: 'w' },
      { models: 'other/**', target: '*', metric: '*', maxIncrease: { kind: 'percent', fraction: 0.01 }, level: 'error', source: 'e' },
      { models: '**', target: 'raspberry-pi-4', metric: 'latency', max: 1, level: 'error', source: 'rpi' },
    ];
    const budgeted = applyBudgets(diffModels([pair(10, 11.4)]), rules);
    const row = budgeted[0]!.rows.find((r) => r.metric === 'latency')!;
    expect(row.verdict).toEqual({ level: 'warn', violations: [{ level: 'warn', text: '+14.0% > max +10.0%', source: 'w' }] });
    const s = summarizeBudgets(budgeted);
    expect(s).toMatchObject({ errors: 0, warnings: 1, exceeded: false, reason: '' });
  });

  it('memory budgets apply whatever the target, in bytes', () => {
    const file = 'm.onnx';
    const d = diffModel({
      file,
      base: simple(file, { 'pixel-3': 1 }, { weights: 3e6, peak: 0.5e6 }),
      head: simple(file, { 'pixel-3': 1 }, { weights: 4e6, peak: 0.5e6 }),
    });
    const mem = d.rows.find((r) => r.metric === 'memory')!;
    const rule: BudgetRule = { models: '*.onnx', target: 'pixel-3', metric: 'memory', max: 4e6, level: 'error', source: 's' };
    expect(checkRow(mem, [rule]).violations[0]!.text).toBe('4.50 MB > max 4.00 MB');
    const inc: BudgetRule = { models: '**', target: '*', metric: 'memory', maxIncrease: { kind: 'absolute', amount: 5e5 }, level: 'warn', source: 's' };
    expect(checkRow(mem, [inc]).violations[0]!.text).toBe('+1.00 MB > max +500 kB');
  });

  it('summarizes the failure in one line naming model, metric, target and rule', () => {
    const budgeted = applyBudgets(diffModels([pair(10, 11.4), pair(5, 6, 'b.onnx')]), [maxIncreaseRule(0.05)]);
    const s = summarizeBudgets(budgeted);
    expect(s.exceeded).toBe(true);
    expect(s.errors).toBe(2);
    // The worst change comes first: b.onnx +20 % before det.onnx +14 %.
    expect(s.reason).toBe("EdgePerf budget exceeded: b.onnx latency on pixel-3 +20.0% > max +5.0% (input 'max-increase') and 1 more");
    expect(s.reason).not.toContain('\n');
  });

  it('never checks removed models', () => {
    const d = diffModel({ file: 'r.onnx', base: simple('r.onnx', { 'pixel-3': 1 }), head: null });
    expect(checkRow(latency(d), [maxIncreaseRule(0)]).level).toBe('none');
  });
});
