/** A valid custom target file for tests (the shape `edgeperf calibrate` writes). */
import { CUSTOM_TARGET_FORMAT, encoderFingerprint, headToJson, type CustomTargetFile, type HeadWeights } from '../../src/predict/custom-target.ts';
import type { PerfSageModel } from '../../src/predict/perfsage.ts';

/**
 * A custom target `id` around `head` on `m`'s encoder; `measurement` fields override the
 * defaults (onnxruntime-node 1.30.0, 1 thread, optimisation disabled, CPU "Test CPU").
 */
export function targetFile(id: string, head: HeadWeights, m: PerfSageModel, measurement: Partial<CustomTargetFile['measurement']> = {}): CustomTargetFile {
  const meas = { runtime: 'onnxruntime-node', ortVersion: '1.30.0', threads: 1, optimization: 'disabled', cpu: 'Test CPU', machine: { cpus: 4 }, source: 'm.jsonl', ...measurement };
  return {
    format: CUSTOM_TARGET_FORMAT,
    id,
    device: 'Test board',
    runtime: `onnxruntime-node 1.30.0, ${meas.threads} thread(s), graph optimization ${meas.optimization}`,
    baseTarget: 'raspberry-pi-4',
    metric: 'latency',
    unit: 'ms',
    encoderFingerprint: encoderFingerprint(m),
    head: headToJson(head, m),
    interval: { lo: 0.9, hi: 1.1, n: 30 },
    accuracy: { n: 30, mape: 4.2, within10: 0.9, kendallTau: 0.95, folds: 5 },
    trainingCount: 30,
    labelRange: [0.5, 40],
    measurement: meas,
    created: '2025-01-01T00:00:00.000Z',
  };
}
