import { describe, expect, it } from 'vitest';
import { kernelTimes } from '../../src/measure/profile.ts';

/** A profile in onnxruntime's trace-event format: per run, one `_kernel_time` event per kernel (µs). */
function profileText(runs: Array<Record<string, number | number[]>>): string {
  const events: unknown[] = [{ cat: 'Session', name: 'model_loading_array', dur: 900 }];
  for (const run of runs) {
    for (const [node, dur] of Object.entries(run)) {
      for (const d of Array.isArray(dur) ? dur : [dur]) {
        events.push({ cat: 'Node', name: `${node}_fence_before`, dur: 0 });
        events.push({ cat: 'Node', name: `${node}_kernel_time`, dur: d, args: { op_name: 'Conv' } });
      }
    }
    events.push({ cat: 'Session', name: 'SequentialExecutor::Execute', dur: 5000 });
  }
  return JSON.stringify(events);
}

describe('kernelTimes', () => {
  it('gives the median ms per timed run of every kernel, skipping the warm-up runs', () => {
    // 2 warm-up runs (slow: 1 ms) then 3 timed runs.
    const text = profileText([{ '/Conv': 1000, '/Relu': 1000 }, { '/Conv': 1000, '/Relu': 1000 }, { '/Conv': 120, '/Relu': 4 }, { '/Conv': 100, '/Relu': 6 }, { '/Conv': 140, '/Relu': 5 }]);
    expect(kernelTimes(text, 2, 3)).toEqual({ '/Conv': 0.12, '/Relu': 0.005 });
  });

  it('counts a kernel that runs k times per run (a loop body) k times', () => {
    const text = profileText([{ '/Loop/body/MatMul': [10, 10] }, { '/Loop/body/MatMul': [20, 30] }, { '/Loop/body/MatMul': [20, 30] }]);
    // 2 occurrences per run; median of the timed occurrences (20, 30, 20, 30) is 25 µs → 2 × 0.025 ms.
    expect(kernelTimes(text, 1, 2)).toEqual({ '/Loop/body/MatMul': 0.05 });
  });

  it('rejects a profile that is not an array of events', () => {
    expect(() => kernelTimes('{"traceEvents": []}', 0, 1)).toThrow(/not a JSON array/);
    expect(() => kernelTimes('not json', 0, 1)).toThrow();
  });
});
