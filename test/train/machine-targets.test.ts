import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { machineInfo } from '../../src/measure/ort.ts';
import { initBackend } from '../../src/predict/backend.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { baseHeadWeights, parseCustomTarget } from '../../src/predict/custom-target.ts';
import type { PerfSageModel } from '../../src/predict/perfsage.ts';
import { createPredictor, loadBundledModel } from '../../src/predict/predictor.ts';
import { bundledTargets } from '../../src/predict/targets.ts';
import { MACHINE_TARGETS_DIR, machineTargets } from '../../train/machine-targets.ts';
import { targetFile } from '../helpers/custom-target-file.ts';

let model: PerfSageModel;
beforeAll(async () => {
  await initBackend();
  model = loadBundledModel();
});

describe('machineTargets', () => {
  it('keeps the targets measured on this CPU with 1 thread and optimisation all, and says why it skips the others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeperf-machine-targets-'));
    const head = baseHeadWeights(model, 'cpu-onnxruntime/latency');
    const { cpu } = machineInfo();
    const put = (name: string, body: unknown): void => writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
    put('a-here.json', targetFile('here', head, model, { cpu, optimization: 'all' }));
    put('b-other-cpu.json', targetFile('other-cpu', head, model, { cpu: 'Cortex-A76', optimization: 'all' }));
    put('c-two-threads.json', targetFile('two-threads', head, model, { cpu, threads: 2, optimization: 'all' }));
    put('d-stale.json', { ...targetFile('stale', head, model, { cpu, optimization: 'all' }), encoderFingerprint: `sha256:${'0'.repeat(64)}` });
    put('e-broken.json', '{');
    put('notes.txt', 'not a target');
    const r = machineTargets(model, dir);
    expect(r.cpu).toBe(cpu);
    expect(r.matching.map((t) => t.data.id)).toEqual(['here']);
    expect(r.notes).toHaveLength(4);
    expect(r.notes[0]).toBe(`\`${join(dir, 'b-other-cpu.json')}\`: measured on Cortex-A76 (1 thread(s), optimisation all); this machine is ${cpu}`);
    expect(r.notes[1]).toContain('c-two-threads.json`: measured on');
    expect(r.notes[1]).toContain('(2 thread(s), optimisation all)');
    expect(r.notes[2]).toMatch(/d-stale\.json`: not used \(.*calibrated on different model weights/);
    expect(r.notes[3]).toMatch(/e-broken\.json`: not used \(.*not valid JSON/);
  });

  it('is empty when the folder does not exist', () => {
    const r = machineTargets(model, join(tmpdir(), 'edgeperf-no-such-dir-4711'));
    expect(r.matching).toEqual([]);
    expect(r.notes).toEqual([]);
  });
});

describe('the committed calibrated targets (models/perfsage/custom-targets)', () => {
  it('load on the shipped weights and predict a real model (re-run the calibration of train/README.md after a retrain)', async () => {
    const files = readdirSync(MACHINE_TARGETS_DIR).filter((f) => f.endsWith('.json'));
    expect(files).toContain('cpu-onnxruntime-epyc-zen5.json');
    const targets = files.map((f) => parseCustomTarget(readFileSync(join(MACHINE_TARGETS_DIR, f), 'utf8'), f));
    const predictor = createPredictor(model, bundledTargets(), targets);
    const a = analyzeModel(readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'backbone-swap', 'base.onnx')), 'base.onnx');
    const [zen5] = await predictor.predict(a, ['cpu-onnxruntime-epyc-zen5']);
    const [bundled] = await predictor.predict(a, ['cpu-onnxruntime']);
    // The Zen 5 runs the random graphs ×0.62 as long as the CPU of the bundled rows (the rescale of its calibration).
    expect(zen5!.value / bundled!.value).toBeGreaterThan(0.3);
    expect(zen5!.value / bundled!.value).toBeLessThan(0.9);
  });
});
