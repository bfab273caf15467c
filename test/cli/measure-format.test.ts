import { describe, expect, it } from 'vitest';
import { formatMeasureTable } from '../../src/cli/measure.ts';
import type { MeasureResult } from '../../src/measure/ort.ts';

const result = (threads: number): MeasureResult => ({
  file: 'models/a.onnx',
  runtime: 'onnxruntime-node',
  ort_version: '1.30.0',
  threads,
  optimization: 'all',
  cpu: 'Intel(R) Xeon(R) Processor (family 6 model 167; AVX-512)',
  runs: 30,
  median_ms: 4.0012,
  p10_ms: 3.67,
  p90_ms: 4.18,
  cv: 0.048,
  outliers_rejected: 1,
  machine: { cpus: 2, arch: 'x64', platform: 'linux' },
  input_shapes: { input: [1, 3, 224, 224] },
});

describe('formatMeasureTable', () => {
  it('names runtime, threads, optimisation and CPU above one row per file', () => {
    const lines = formatMeasureTable([result(1)]).split('\n');
    expect(lines[0]).toBe('onnxruntime-node 1.30.0 · 1 thread(s) · optimization all · Intel(R) Xeon(R) Processor (family 6 model 167; AVX-512) (2 CPUs, linux-x64)');
    expect(lines[3]).toMatch(/^models\/a\.onnx\s+4\.00\s+3\.67\s+4\.18\s+4\.8%\s+1\s+30$/);
  });
  it('says when the thread pools ran without spin-waiting (more than one thread)', () => {
    expect(formatMeasureTable([result(2)]).split('\n')[0]).toContain('· 2 thread(s) without spin-waiting ·');
  });
  it('prints nothing for no results', () => {
    expect(formatMeasureTable([])).toBe('');
  });
});
