/** train/nb360-data.ts against the shared HW-NAS-Bench-360 file (skipped when it is absent). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { buildNb201Onnx } from '../../src/synth/nb201.ts';
import { DEFAULT_DATA_DIR } from '../../train/dataset.ts';
import { loadNb360Data, NB360_DATA_SOURCE, NB360_TARGETS, nb360ArchStrings, nb360RepPosition, nb360Series } from '../../train/nb360-data.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const present = existsSync(join(DEFAULT_DATA_DIR, NB360_DATA_SOURCE.file));
const REASON = `skipped: ${join(DEFAULT_DATA_DIR, NB360_DATA_SOURCE.file)} is absent (public data, not shipped; see train/README.md)`;
const IDX0 = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';

it('a missing file: the loader throws and the script exits 1, naming the source and --data DIR', () => {
  expect(() => loadNb360Data('/nonexistent-edgeperf-data')).toThrow(/No measurements at .*nb201-360\/measurements.csv[\s\S]*roldebijvank\/HW-NAS-Bench-360[\s\S]*--data DIR/);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'train/nb360-data.ts', '--data', '/nonexistent-edgeperf-data'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/No measurements at \/nonexistent-edgeperf-data\/nb201-360\/measurements.csv/);
});

describe.skipIf(!present)(present ? 'HW-NAS-Bench-360 data (shared copy)' : `HW-NAS-Bench-360 data (${REASON})`, () => {
  const data = present ? loadNb360Data(DEFAULT_DATA_DIR) : undefined!;

  it('13,221 indices × 12 (device, framework, task) rows; 5,496 distinct measured representatives', () => {
    expect(data.rows).toBe(158_652);
    expect(data.repOf.size).toBe(13_221);
    expect(data.reps.length).toBe(5_496);
    expect(data.copyMismatches).toBe(0);
    expect(data.series).toHaveLength(12);
    expect(new Set(data.series.map((s) => s.targetId))).toEqual(new Set(NB360_TARGETS.map((t) => t.id)));
    for (const s of data.series) {
      expect([...s.latencyMs].every(Number.isFinite)).toBe(true);
      if (s.device === 'pi5') expect([...s.energyMj!].every(Number.isFinite)).toBe(true);
      else expect(s.energyMj).toBeNull();
    }
  });

  it('spec 3.7 VERIFIED-DATA values for idx 0 / cifar100', () => {
    const i = nb360RepPosition(data, 0);
    expect(data.reps[i]).toBe(0);
    const lat = (id: string) => nb360Series(data, id, 'cifar100').latencyMs[i]!;
    expect(lat('raspberry-pi-5-tflite')).toBeCloseTo(1.4877, 4);
    expect(nb360Series(data, 'raspberry-pi-5-tflite', 'cifar100').energyMj![i]).toBeCloseTo(2.575, 3);
    expect(lat('raspberry-pi-5-onnxruntime')).toBeCloseTo(1.8305, 4);
    expect(lat('raspberry-pi-5-pytorch-mobile')).toBeCloseTo(5.1131, 4);
    expect(lat('pixel-tflite')).toBeCloseTo(1.0141, 4);
    expect(() => nb360Series(data, 'raspberry-pi-4', 'cifar100')).toThrow(/known: raspberry-pi-5-tflite\/cifar100/);
  });

  it('every representative has an arch string; idx 0 builds the spec 3.2 darcy graph', () => {
    const strs = nb360ArchStrings(data, DEFAULT_DATA_DIR);
    expect(strs).toHaveLength(5_496);
    expect(strs[nb360RepPosition(data, 0)]).toBe(IDX0);
    const a = analyzeModel(buildNb201Onnx(strs[nb360RepPosition(data, 0)]!, { task: 'darcy', weights: 'external' }), 'darcy0.onnx');
    expect(a.macs).toBe(116_098_112);
  });
});
