import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allHeads, DEVICE_CSVS, deviceForCpu, loadCorpus, NOOPT_DEVICES, randomCsvPath, readRandomRows } from '../../train/corpus.ts';
import { targetMeta } from '../../train/target-defs.ts';

describe('further device heads (train --devices)', () => {
  it('appends one latency head per device after cpu-onnxruntime', () => {
    const base = allHeads();
    const more = allHeads(['cpu-onnxruntime-zen5']);
    expect(more.length).toBe(base.length + 1);
    expect(more.at(-2)?.name).toBe('cpu-onnxruntime/latency');
    expect(more.at(-1)).toEqual({ name: 'cpu-onnxruntime-zen5/latency', targetId: 'cpu-onnxruntime-zen5', metric: 'latency', unit: 'ms', resolution: 0 });
  });

  it('every device has committed rows on the bench seeds and target metadata', () => {
    for (const [id, files] of Object.entries(DEVICE_CSVS)) {
      for (const f of files) expect(existsSync(randomCsvPath(f)), f).toBe(true);
      const rows = readRandomRows(files.map(randomCsvPath));
      expect(rows.length, id).toBe(NOOPT_DEVICES.has(id) ? 752 : 1128);
      expect(rows.every((r) => r.seed >= 100000 && r.seed <= 100093)).toBe(true);
      expect(targetMeta(id).threads).toBe(1);
    }
  });

  it('finds the device measured on a CPU by its machineInfo() string', () => {
    expect(deviceForCpu('AMD EPYC (family 26 model 2; AVX-512)')).toBe('cpu-onnxruntime-zen5');
    expect(deviceForCpu('Intel(R) Xeon(R) Processor (family 6 model 167; AVX-512)')).toBe('cpu-onnxruntime-xeon');
    expect(deviceForCpu('Apple M3')).toBeUndefined();
    // The labels' CPU has only optimisation-off rows on the bench seeds: not the default protocol.
    expect(deviceForCpu('AMD EPYC')).toBeUndefined();
  });

  it('rejects an unknown device by name', () => {
    expect(() => loadCorpus('', ['random'], { devices: ['cpu-onnxruntime-nope'] })).toThrow(/unknown device 'cpu-onnxruntime-nope'/);
  });
});
