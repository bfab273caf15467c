import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrateCommand, measuredShapes } from '../../src/cli/calibrate.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ConfigError, UnknownTargetError } from '../../src/core/errors.ts';
import { findCustomTargetFiles, loadCustomTargets, parseCustomTarget } from '../../src/predict/custom-target.ts';
import { loadPredictor } from '../../src/predict/predictor.ts';
import { buildRandomOnnx, FAMILIES } from '../../src/synth/random/index.ts';
import { buildModel, f32 } from '../helpers/onnx-builder.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
const models: Array<{ file: string; macs: number; ms: number }> = [];
/** A made-up device: 0.3 ms launch + 1 ms per 50 MMACs. */
const deviceMs = (macs: number): number => 0.3 + macs / 5e7;

function line(file: string, ms: number): string {
  return JSON.stringify({
    file,
    runtime: 'onnxruntime-node',
    ort_version: '1.30.0',
    threads: 1,
    optimization: 'disabled',
    cpu: 'Test CPU @ 1 GHz',
    runs: 30,
    median_ms: ms,
    p10_ms: ms * 0.98,
    p90_ms: ms * 1.02,
    cv: 0.01,
    outliers_rejected: 0,
    machine: { cpus: 4, arch: 'arm64', platform: 'linux' },
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgeperf-calibrate-'));
  mkdirSync(join(dir, 'models'));
  mkdirSync(join(dir, 'meas'));
  mkdirSync(join(dir, 'extra'));
  for (let s = 0; s < 2; s++) {
    for (const f of FAMILIES.slice(0, 6)) {
      const bytes = buildRandomOnnx(f, 40 + s);
      const file = `${f}-${s}.onnx`;
      const macs = analyzeModel(bytes, file).macs;
      // Half under models/ (named relative to the working directory or the JSONL's folder), half under extra/ (--models-dir).
      writeFileSync(join(dir, s === 0 ? 'models' : 'extra', file), bytes);
      models.push({ file, macs, ms: deviceMs(macs) });
    }
  }
  writeFileSync(join(dir, 'models', 'broken.onnx'), 'not a model');
  writeFileSync(join(dir, 'models', 'vela.tflite'), readFileSync(join(ROOT, 'test/fixtures/tflite/person_detect_vela.tflite')));
  const lines = models.map((m, i) =>
    line(i < 6 ? (i % 2 === 0 ? `models/${m.file}` : `../models/${m.file}`) : m.file, m.ms),
  );
  lines.splice(2, 0, '{"file": "models/x.onnx"', line('models/missing.onnx', 3), line('models/broken.onnx', 3), JSON.stringify({ file: 'models/a.onnx', median_ms: -1 }));
  const badShapes = JSON.stringify({ ...(JSON.parse(line(`models/${models[0]!.file}`, 2)) as object), input_shapes: { input: [0, 3] } });
  writeFileSync(join(dir, 'meas', 'm.jsonl'), [...lines, line('models/vela.tflite', 2), badShapes].join('\n') + '\n');
  writeFileSync(join(dir, 'meas', 'few.jsonl'), lines.slice(0, 8).join('\n') + '\n');
});

describe('edgeperf calibrate', () => {
  it('calibrates from measure --json lines, warns about bad lines, writes a target the predictor loads', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await calibrateCommand({
      target: 'my-dev',
      measurements: 'meas/m.jsonl',
      baseTarget: 'raspberry-pi-4',
      modelsDir: 'extra',
      cwd: dir,
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    expect(code).toBe(0);
    const warnings = err.join('');
    expect(warnings).toMatch(/meas\/m\.jsonl:3: not a JSON object, skipped/);
    expect(warnings).toMatch(/meas\/m\.jsonl:4: model file 'models\/missing\.onnx' not found/);
    expect(warnings).toMatch(/meas\/m\.jsonl:5: 'models\/broken\.onnx' cannot be analysed/);
    expect(warnings).toMatch(/meas\/m\.jsonl:6: needs "file" and a positive "median_ms"/);
    expect(warnings).toMatch(/meas\/m\.jsonl:17: 'models\/vela\.tflite' is compiled for ethos-u \(one opaque op: no graph to predict\), skipped/);
    expect(warnings).toMatch(/meas\/m\.jsonl:18: "input_shapes" must map input names to lists of positive integers \(as 'edgeperf measure --json' writes them\), skipped/);
    const text = out.join('');
    expect(text).toMatch(/from 12 measurements, base target raspberry-pi-4/);
    expect(text).toMatch(/cross-validated \(5-fold, 12 models\): MAPE [0-9.]+%/);
    expect(text).toMatch(/wrote edgeperf-targets\/my-dev\.json/);
    expect(text).toMatch(/op types measured \(\d+\): Add, Clip, Concat, Conv, .*; measured [0-9.]+–[0-9.]+ ms\. Predictions that spend ≥ 5% of their time in other ops, or fall ×2 outside that range, are flagged out of distribution/);

    const path = join(dir, 'edgeperf-targets', 'my-dev.json');
    expect(existsSync(path)).toBe(true);
    const t = parseCustomTarget(readFileSync(path, 'utf8'), path).data;
    expect(t).toMatchObject({ id: 'my-dev', baseTarget: 'raspberry-pi-4', device: 'Test CPU @ 1 GHz', trainingCount: 12, metric: 'latency', unit: 'ms' });
    expect(t.measurement).toMatchObject({ ortVersion: '1.30.0', threads: 1, optimization: 'disabled', cpu: 'Test CPU @ 1 GHz', source: 'meas/m.jsonl' });
    expect(t.runtime).toBe('onnxruntime-node 1.30.0, 1 thread(s), graph optimization disabled');
    expect(t.interval.lo).toBeLessThan(t.interval.hi);
    expect(t.accuracy.n).toBe(12);
    expect(t.labelRange[0]).toBeCloseTo(Math.min(...models.map((m) => m.ms)), 6);
    // The op names of the six measured families (plain-conv … mlp), sorted: no transformer ops.
    expect(t.opsMeasured).toEqual([...t.opsMeasured!].sort());
    expect(t.opsMeasured).toEqual(expect.arrayContaining(['Concat', 'Conv', 'Gemm', 'MatMul', 'Resize']));
    for (const op of ['Softmax', 'LayerNormalization', 'Transpose', 'LRN']) expect(t.opsMeasured).not.toContain(op);

    const files = await findCustomTargetFiles(['edgeperf-targets/*.json'], dir);
    expect(files).toEqual(['edgeperf-targets/my-dev.json']);
    const predictor = await loadPredictor({ customTargets: await loadCustomTargets(files, dir) });
    expect(predictor.targets().map((x) => x.id)).toContain('my-dev');
    // In-sample: the calibrated target predicts the made-up device far better than the Pi 4 head.
    let errMine = 0;
    let errPi = 0;
    for (const m of models) {
      const a = analyzeModel(readFileSync(join(dir, existsSync(join(dir, 'models', m.file)) ? 'models' : 'extra', m.file)), m.file);
      const [mine, pi] = await predictor.predict(a, ['my-dev', 'raspberry-pi-4']);
      errMine += Math.abs(mine!.value / m.ms - 1);
      errPi += Math.abs(pi!.value / m.ms - 1);
      expect(mine!.interval).toBeDefined();
      expect(mine!.oodReasons!.filter((r) => r.includes('my-dev was calibrated on'))).toEqual([]);
    }
    expect(errMine / models.length).toBeLessThan(0.25);
    expect(errMine).toBeLessThan(errPi / 2);
    // An AlexNet-style `classic` graph puts 9% of its predicted time in LRNs, an op none of the 12
    // measured graphs had: flagged, naming it (its other unmeasured ops are under 5% of the time).
    const [c] = await predictor.predict(analyzeModel(buildRandomOnnx('classic', 3), 'c.onnx'), ['my-dev']);
    const flagged = c!.oodReasons!.filter((r) => r.includes('my-dev was calibrated on'));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toMatch(/^op 'LRN' \(2 nodes, \d+% of the predicted time\) is in none of the 12 graphs my-dev was calibrated on: its cost is extrapolated from base target raspberry-pi-4/);
    expect(c!.ood).toBe(true);
  }, 300_000);

  it('the CLI predicts with the calibrated target (--custom-targets on predict and targets)', () => {
    // Runs after the test above, which wrote edgeperf-targets/my-dev.json under `dir`.
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: dir });
    const file = `models/${models[0]!.file}`;
    const p = cli('predict', file, '--custom-targets', 'edgeperf-targets/*.json', '-t', 'my-dev,raspberry-pi-4', '--json');
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const line = JSON.parse(p.stdout.trim()) as { predictions: Array<{ target: string; unit: string; value: number; interval: [number, number] }> };
    expect(line.predictions.map((x) => x.target)).toEqual(['my-dev', 'raspberry-pi-4']);
    const mine = line.predictions[0]!;
    expect(mine.unit).toBe('ms');
    // The made-up device: within 25% of its true time, inside a non-empty interval.
    expect(Math.abs(mine.value / models[0]!.ms - 1)).toBeLessThan(0.25);
    expect(mine.interval[0]).toBeLessThan(mine.value);
    expect(mine.interval[1]).toBeGreaterThan(mine.value);
    const t = cli('targets', '--custom-targets', 'edgeperf-targets/my-dev.json', '--json');
    expect(t.status).toBe(0);
    expect((JSON.parse(t.stdout) as Array<{ id: string }>).map((x) => x.id)).toContain('my-dev');
    const bad = cli('predict', file, '--custom-targets', 'nowhere/*.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--custom-targets: 'nowhere\/\*\.json' matches no file/);
  }, 120_000);

  it('uses the kernel times of measure --profile lines as per-node labels', async () => {
    // The made-up device per kernel: 1 ms per 50 MMACs of its node (+ 0.3 ms per run outside them).
    let kernelCount = 0;
    const lines = models.map((m) => {
      const folder = existsSync(join(dir, 'models', m.file)) ? 'models' : 'extra';
      const a = analyzeModel(readFileSync(join(dir, folder, m.file)), m.file);
      const kernels_ms = Object.fromEntries(a.graph.nodes.map((n, i) => [n.name, (a.costs[i]?.macs ?? 0) / 5e7 + 0.002]));
      kernelCount += a.graph.nodes.length;
      return JSON.stringify({ ...JSON.parse(line(`../${folder}/${m.file}`, m.ms)), kernels_ms });
    });
    writeFileSync(join(dir, 'meas', 'k.jsonl'), lines.join('\n') + '\n');
    const out: string[] = [];
    const code = await calibrateCommand({ target: 'my-dev-k', measurements: 'meas/k.jsonl', baseTarget: 'raspberry-pi-4', cwd: dir, out: (x) => out.push(x), err: () => {} });
    expect(code).toBe(0);
    expect(out.join('')).toContain(`per-node labels: 12 of 12 measurements carry kernel times (measure --profile); ${kernelCount} of ${kernelCount} kernels matched a graph node; used\n`);
    expect(existsSync(join(dir, 'edgeperf-targets', 'my-dev-k.json'))).toBe(true);
    // Measured with graph optimisation on: not used unless asked for.
    writeFileSync(join(dir, 'meas', 'k-all.jsonl'), lines.map((l) => l.replace('"optimization":"disabled"', '"optimization":"all"')).join('\n') + '\n');
    const out2: string[] = [];
    await calibrateCommand({ target: 'my-dev-k2', measurements: 'meas/k-all.jsonl', baseTarget: 'raspberry-pi-4', cwd: dir, out: (x) => out2.push(x), err: () => {} });
    expect(out2.join('')).toContain('kernels matched a graph node; not used: 12 measured with graph optimisation on, where they did not help (--node-labels on to use them)');
  }, 300_000);

  it('analyses each model at the input_shapes its measurement fed (dynamic dims)', () => {
    // x [batch, 8] · W [8, 4]: 32 MACs at batch 1, 512 at the measured batch 16.
    const bytes = buildModel({
      nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
      inputs: [f32('x', ['batch', 8])],
      outputs: [f32('y', ['batch', 4])],
      initializers: [{ name: 'W', dims: [8, 4], values: new Array(32).fill(0.5) }],
    });
    expect(measuredShapes({})).toEqual({});
    expect(measuredShapes({ input_shapes: { x: [16, 8] } })).toEqual({ inputShapes: { x: [16, 8] } });
    expect(analyzeModel(bytes, 'dyn.onnx', measuredShapes({})!).macs).toBe(32);
    expect(analyzeModel(bytes, 'dyn.onnx', measuredShapes({ input_shapes: { x: [16, 8] } })!).macs).toBe(512);
    for (const bad of [{ x: [0, 8] }, { x: [1.5] }, [16, 8], 'x=16x8', { x: 'x' }]) {
      expect(measuredShapes({ input_shapes: bad as unknown as Record<string, number[]> })).toBeUndefined();
    }
  });

  it('needs at least 10 usable measurements', async () => {
    const run = calibrateCommand({ target: 'my-dev', measurements: 'meas/few.jsonl', cwd: dir, out: () => {}, err: () => {} });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(calibrateCommand({ target: 'my-dev', measurements: 'meas/few.jsonl', cwd: dir, out: () => {}, err: () => {} })).rejects.toThrow(
      /meas\/few\.jsonl: 4 usable measurement\(s\), calibrate needs at least 10/,
    );
  });

  it('rejects a bundled id, a bad id, an unknown base target and a missing JSONL', async () => {
    const q = { measurements: 'meas/m.jsonl', cwd: dir, out: () => {}, err: () => {} };
    await expect(calibrateCommand({ ...q, target: 'pixel-3' })).rejects.toThrow(/--target: 'pixel-3' is a bundled target/);
    await expect(calibrateCommand({ ...q, target: 'my dev' })).rejects.toThrow(/--target: 'my dev' is not a target id/);
    await expect(calibrateCommand({ ...q, target: 'x', baseTarget: 'nope' })).rejects.toThrow(UnknownTargetError);
    await expect(calibrateCommand({ ...q, target: 'x', measurements: 'meas/none.jsonl' })).rejects.toThrow(/meas\/none\.jsonl: no such file/);
  });

  it('findCustomTargetFiles names the input when a glob matches nothing', async () => {
    await expect(findCustomTargetFiles(['nothing/*.json'], dir)).rejects.toThrow(/custom-targets: 'nothing\/\*\.json' matches no file/);
    await expect(findCustomTargetFiles(['nothing.json'], dir)).rejects.toThrow(/custom-targets: file 'nothing\.json' not found/);
  });
});
