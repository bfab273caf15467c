import { describe, expect, it } from 'vitest';
import { maxIncreaseRule } from '../../src/config/inputs.ts';
import { toJsonReport } from '../../src/report/json.ts';
import { commentMarker, renderMarkdown } from '../../src/report/markdown.ts';
import { buildReport } from '../../src/report/report.ts';
import { compiled, failed, okResult, simple, TARGETS } from './helpers.ts';

const lat = (px: number, rpi: number) => ({ 'pixel-3': px, 'raspberry-pi-4': rpi });

function sampleReport(maxIncrease = 0.05) {
  return buildReport(
    [
      {
        file: 'models/detector.onnx',
        base: okResult('models/detector.onnx', [['conv1', 'Conv', lat(4, 16)], ['fc', 'Gemm', lat(6, 24)]]),
        head: okResult('models/detector.onnx', [['conv1', 'Conv', lat(4, 16)], ['fc', 'Gemm', lat(7.4, 26)]]),
      },
      { file: 'models/new.onnx', base: null, head: simple('models/new.onnx', lat(3, 9)) },
      { file: 'models/old.onnx', base: simple('models/old.onnx', lat(2, 8)), head: null },
      { file: 'models/broken.onnx', base: null, head: failed('models/broken.onnx') },
    ],
    [maxIncreaseRule(maxIncrease)],
    TARGETS,
    { key: 'default', globs: ['**/*.onnx'] },
  );
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('starts with the hidden marker for the comment key', () => {
    expect(md.startsWith('<!-- edgeperf:default -->\n')).toBe(true);
    expect(commentMarker('mobile')).toBe('<!-- edgeperf:mobile -->');
  });

  it('summarizes count, worst change and budget verdict in one line', () => {
    const line = md.split('\n').find((l) => l.startsWith('**4 models**'))!;
    expect(line).toContain('1 changed, 1 new, 1 removed, 1 not analysed');
    expect(line).toContain('`models/detector.onnx` is **14.0% slower** on pixel-3');
    expect(line).toContain('❌ 1 over budget');
  });

  it('renders base → head with units, Δ, Δ%, budget and status per target', () => {
    expect(md).toContain('| `models/detector.onnx` | raspberry-pi-4 | latency | 40.0 ms → 42.0 ms | +2.00 ms | +5.0% | ✅ | changed |');
    expect(md).toContain('| | pixel-3 | latency | 10.0 ms → 11.4 ms | +1.40 ms | +14.0% | ❌ +14.0% > max +5.0% | changed |');
    expect(md).toMatch(/\| `models\/new.onnx` \| raspberry-pi-4 \| latency \| — → 9\.00 ms \| — \| — \| — \| 🆕 new \|/);
    expect(md).toMatch(/\| `models\/old.onnx` \| raspberry-pi-4 \| latency \| 8\.00 ms → — \| — \| — \| — \| 🗑️ removed \|/);
    expect(md).toContain('| | all | memory | 140 kB → 140 kB | 0 B | 0.0% | ✅ | unchanged |');
  });

  it('lists an errored model in the table and its error line, while the others render', () => {
    expect(md).toContain('| `models/broken.onnx` | — | — | — | — | — | — | ❌ not analysed |');
    expect(md).toContain('<details><summary>Errors (1)</summary>');
    expect(md).toContain('- models/broken.onnx: not an ONNX model (bad protobuf)');
  });

  it('has collapsed details: top layers, targets with accuracy, sizes, budgets', () => {
    expect(md).toContain('<details><summary>Top layers by change in predicted contribution</summary>');
    expect(md).toContain('| `fc` | Gemm | changed | +2.00 ms | +1.40 ms |');
    expect(md).toContain('| `conv1` | Conv | added | +9.00 ms | +3.00 ms |');
    expect(md).toContain('| raspberry-pi-4 | Raspberry Pi 4 (Cortex-A72) | TFLite | 8.2% | 71% | 120 |');
    expect(md).toContain('| `models/detector.onnx` | pixel-3 | latency | 11.4 ms | 10.3 ms – 12.5 ms | no |');
    expect(md).toContain('<details><summary>Model size: MACs, params, memory</summary>');
    expect(md).toContain("| `**` | * | * | increase ≤ +5.0% | error | input 'max-increase' |");
  });

  it('says within budget when nothing exceeds', () => {
    const ok = renderMarkdown(sampleReport(10));
    expect(ok).toContain('budget: ✅ within budget');
  });

  it('says so when no model changed', () => {
    const empty = renderMarkdown(buildReport([], [], TARGETS, { globs: ['**/*.onnx'] }));
    expect(empty).toContain('No model files matching `**/*.onnx` changed in this pull request.');
  });

  it('stays under the comment size limit by dropping details, then rows', () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      file: `models/m${i}.onnx`,
      base: simple(`models/m${i}.onnx`, lat(1, 2)),
      head: simple(`models/m${i}.onnx`, lat(1.5, 2)),
    }));
    const text = renderMarkdown(buildReport(many, [], TARGETS), { maxChars: 20_000 });
    expect(text.length).toBeLessThanOrEqual(20_001);
    expect(text).toContain('too long for a comment');
    expect(text.startsWith('<!-- edgeperf:default -->')).toBe(true);
  });
});

describe('renderMarkdown: a model compiled for an accelerator', () => {
  const report = buildReport(
    [
      { file: 'models/new.onnx', base: null, head: simple('models/new.onnx', lat(3, 9)) },
      { file: 'models/person_detect_vela.tflite', base: null, head: compiled('models/person_detect_vela.tflite') },
    ],
    [maxIncreaseRule(0.05)],
    TARGETS,
  );
  const md = renderMarkdown(report);

  it('renders the row as compiled for the delegate, not as an error', () => {
    expect(md).toContain('| `models/person_detect_vela.tflite` | — | — | — | — | — | — | ⏭️ compiled for ethos-u |');
    expect(md).not.toContain('❌ not analysed');
  });

  it('lists it under "Not predictable", not "Errors", and counts it apart', () => {
    expect(md).toContain('<details><summary>Not predictable (1)</summary>');
    expect(md).toContain('- models/person_detect_vela.tflite: compiled for ethos-u: cost not predictable from the graph (analyse the model before compilation instead)');
    expect(md).not.toContain('Errors (');
    expect(md).toContain('**2 models** (1 new, 1 not predictable)');
  });

  it('is never a failure: no budget error, JSON has it under not_predictable', () => {
    expect(report.budget.errors).toBe(0);
    expect(report.budget.exceeded).toBe(false);
    const m = toJsonReport(report).models.find((x) => x.file === 'models/person_detect_vela.tflite')!;
    expect(m.status).toBe('compiled');
    expect(m.errors).toEqual([]);
    expect(m.compiled_for).toBe('ethos-u');
    expect(m.not_predictable).toHaveLength(1);
  });
});

describe('toJsonReport', () => {
  it('has a version and one entry per model × target × metric with budget verdicts', () => {
    const j = toJsonReport(sampleReport());
    expect(j.version).toBe(1);
    expect(j.exceeded).toBe(true);
    const det = j.models.find((m) => m.file === 'models/detector.onnx')!;
    const px = det.entries.find((e) => e.target === 'pixel-3' && e.metric === 'latency')!;
    expect(px).toMatchObject({ unit: 'ms', base: 10, head: 11.4, status: 'changed', budget: { level: 'error' } });
    expect(px.delta_pct).toBeCloseTo(0.14);
    // The prediction shape of `edgeperf predict --json`, for the head version.
    const { target, metric, unit, value, interval, ood, ood_reasons } = px;
    expect({ target, metric, unit, value, interval, ood, ood_reasons }).toEqual({
      target: 'pixel-3',
      metric: 'latency',
      unit: 'ms',
      value: 11.4,
      interval: [expect.closeTo(11.4 * 0.9, 9), expect.closeTo(11.4 * 1.1, 9)],
      ood: false,
      ood_reasons: [],
    });
    expect(j.models.find((m) => m.file === 'models/broken.onnx')!.errors).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});
