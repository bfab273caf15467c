import { describe, expect, it } from 'vitest';
import { CALIBRATION_OP_SHARE, calibrationReasons } from '../../src/predict/ood.ts';
import type { TargetEntry } from '../../src/predict/targets.ts';

/** A custom target's registry entry as `createPredictor` builds it: calibrated on 40 graphs of 0.5–20 ms. */
function entry(calibration: TargetEntry['calibration']): TargetEntry {
  return {
    id: 'my-pi',
    device: 'Raspberry Pi 5',
    runtime: 'onnxruntime-node 1.30.0, 1 thread(s), graph optimization all',
    metrics: ['latency'],
    units: { latency: 'ms' },
    heads: { latency: 'custom:my-pi' },
    source: 'calibrated',
    license: 'your own measurements',
    trainingCount: 40,
    inputSizes: [],
    labelRange: { latency: [0.5, 20] },
    ...(calibration ? { calibration } : {}),
  };
}

// Rows of a small transformer-like graph: Conv 1 ms, two MatMuls 3 ms together, a Softmax 0.1 ms (1.2% of 8.2 ms).
const ops = ['Conv', 'MatMul', 'MatMul', 'Softmax', 'Relu'];
const rowMs = [1, 2, 1, 0.1, 4];
const value = 8.2; // rows 8.1 ms + 0.1 ms overhead

describe('calibrationReasons (custom targets)', () => {
  it('names an op none of the measured graphs had when it holds ≥ 5% of the predicted time, with its node count and share', () => {
    const r = calibrationReasons(entry({ baseTarget: 'cpu-onnxruntime', opsMeasured: ['Conv', 'Relu'] }), ops, rowMs, value);
    expect(r).toEqual([
      "op 'MatMul' (2 nodes, 37% of the predicted time) is in none of the 40 graphs my-pi was calibrated on: its cost is extrapolated from base target cpu-onnxruntime (measure models with it and calibrate again)",
    ]);
    // Softmax at 0.1 of 8.2 ms (1.2%) stays under the 5% threshold; at 0.5 of 8.6 ms (5.8%) it is named too.
    const moreSoftmax = calibrationReasons(entry({ baseTarget: 'cpu-onnxruntime', opsMeasured: ['Conv', 'Relu'] }), ops, [1, 2, 1, 0.5, 4], 8.6);
    expect(moreSoftmax.map((r) => /^op '(\w+)' \((\d+) nodes?, (\d+)%/.exec(r)!.slice(1))).toEqual([
      ['MatMul', '2', '35'],
      ['Softmax', '1', '6'],
    ]);
    expect(CALIBRATION_OP_SHARE).toBe(0.05);
  });

  it('is empty when every op was measured and the prediction lies within ×2 of the measured range', () => {
    const t = entry({ baseTarget: 'cpu-onnxruntime', opsMeasured: ['Conv', 'MatMul', 'Relu'] });
    expect(calibrationReasons(t, ops, rowMs, value)).toEqual([]);
    expect(calibrationReasons(t, ops, rowMs.map((m) => m * 4.8), value * 4.8)).toEqual([]); // 39.4 ms < 2 × 20 ms
  });

  it('flags a prediction more than ×2 above the slowest or below the fastest measured graph', () => {
    const t = entry({ baseTarget: 'cpu-onnxruntime' });
    expect(calibrationReasons(t, ops, rowMs, 50)).toEqual(['predicted 50.0 ms, ×2.5 the slowest of the 40 graphs my-pi was calibrated on (20.0 ms)']);
    expect(calibrationReasons(t, ops, rowMs, 0.2)).toEqual(['predicted 0.200 ms, ×0.40 the fastest of the 40 graphs my-pi was calibrated on (0.500 ms)']);
  });

  it('checks no ops for a file without opsMeasured, and nothing for a bundled target', () => {
    expect(calibrationReasons(entry({ baseTarget: 'cpu-onnxruntime' }), ['LSTM'], [8], 8.2)).toEqual([]);
    expect(calibrationReasons(entry(undefined), ['LSTM'], [100], 100)).toEqual([]);
  });
});
