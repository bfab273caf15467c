import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMicroarchitecture, loadOrt, measureFiles, measureModels, ortSessionOptions, RuntimeMissingError } from '../../src/measure/ort.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { buildRandomOnnx } from '../../src/synth/random/index.ts';
import { buildModel, f32 } from '../helpers/onnx-builder.ts';

const ortMissing = await loadOrt().then(
  () => '',
  (e: Error) => e.message,
);

describe('cpuMicroarchitecture', () => {
  // Abridged /proc/cpuinfo of two vCPUs of this project's CI machines (both report "AMD EPYC").
  const zen5 = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse4_2 avx avx2 avx512f avx512bw\n\nprocessor\t: 1\ncpu family\t: 99\n';
  it('names family, model and the widest SIMD of the first processor', () => {
    expect(cpuMicroarchitecture(zen5)).toBe('family 26 model 2; AVX-512');
    expect(cpuMicroarchitecture(zen5.replace(' avx512f avx512bw', '').replace('26', '23').replace('\t: 2\n', '\t: 49\n'))).toBe('family 23 model 49; AVX2');
    expect(cpuMicroarchitecture('cpu family\t: 6\nmodel\t: 85\nflags\t: fpu sse4_2\n')).toBe('family 6 model 85; SSE4.2');
  });
  it('is undefined without a cpu family line (Arm, or not Linux)', () => {
    expect(cpuMicroarchitecture('processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n')).toBeUndefined();
    expect(cpuMicroarchitecture('')).toBeUndefined();
  });
});

describe('ortSessionOptions', () => {
  it('turns spin-waiting off only with more than one thread (interleaved sessions would fight for the cores)', () => {
    const one = ortSessionOptions(1, 'all');
    expect(one).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', executionProviders: ['cpu'], logSeverityLevel: 4 });
    const two = ortSessionOptions(2, 'disabled');
    expect(two.intraOpNumThreads).toBe(2);
    expect(two.graphOptimizationLevel).toBe('disabled');
    expect(two.extra).toEqual({ session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });
    expect(ortSessionOptions(4, 'all', true).extra).toBeUndefined();
  });
});

describe('measure with onnxruntime-node', () => {
  it('explains how to install onnxruntime-node', () => {
    const e = new RuntimeMissingError('Cannot find package');
    expect(e.message).toContain('onnxruntime-node is not installed: npm i onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip)');
  });

  it.skipIf(ortMissing !== '')(`measures tiny real models, interleaved${ortMissing ? ` (skipped: ${ortMissing})` : ''}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgeperf-measure-'));
    const a = join(dir, 'mlp-0.onnx');
    const b = join(dir, 'plain-conv-0.onnx');
    await writeFile(a, buildRandomOnnx('mlp', 0));
    await writeFile(b, buildRandomOnnx('plain-conv', 0));
    const tfl = join(import.meta.dirname, '../fixtures/tflite/conv10.tflite');
    const lfs = join(dir, 'lfs.onnx');
    await writeFile(lfs, 'version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 9\n');
    const { results, failures } = await measureFiles([a, tfl, b, join(dir, 'missing.onnx'), lfs], { runs: 8, warmup: 1, threads: 1 });
    expect(failures.map((f) => f.file)).toEqual([tfl, join(dir, 'missing.onnx'), lfs]);
    // A TFLite model is not handed to onnxruntime (whose error would be "protobuf parsing failed"): the failure says how to measure it.
    expect(failures[0]!.error).toBe(
      `${tfl}: is a TFLite model; 'edgeperf measure' runs ONNX models with onnxruntime-node. Time it on the device with TFLite's benchmark_model and give calibrate one JSON line per model, {"file": "<path>", "median_ms": <ms>}`,
    );
    expect(failures[1]!.error).toBe(`${join(dir, 'missing.onnx')}: no such file`);
    expect(failures[2]!.error).toMatch(/lfs\.onnx: is a Git LFS pointer, not the model/);
    expect(results.map((r) => r.file)).toEqual([a, b]);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(
        ['cpu', 'cv', 'file', 'input_shapes', 'machine', 'median_ms', 'optimization', 'ort_version', 'outliers_rejected', 'p10_ms', 'p90_ms', 'runs', 'runtime', 'threads'].sort(),
      );
      // Fixed-shape graphs: the dims fed are the graph's own.
      const g = analyzeModel(await readFile(r.file), r.file).graph;
      expect(Object.keys(r.input_shapes)).toEqual(g.inputs);
      for (const name of g.inputs) expect(r.input_shapes[name]).toEqual(g.tensors.get(name)!.shape);
      expect(r.runtime).toBe('onnxruntime-node');
      expect(r.ort_version).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.threads).toBe(1);
      expect(r.optimization).toBe('all');
      expect(r.runs).toBe(8);
      expect(r.median_ms).toBeGreaterThan(0);
      expect(r.p10_ms).toBeLessThanOrEqual(r.median_ms);
      expect(r.median_ms).toBeLessThanOrEqual(r.p90_ms);
      expect(r.cv).toBeGreaterThanOrEqual(0);
      expect(r.machine.cpus).toBeGreaterThan(0);
      expect(typeof r.cpu).toBe('string');
    }
    const off = await measureFiles([a], { runs: 3, warmup: 0, optimize: false });
    expect(off.results[0]?.optimization).toBe('disabled');
    // Two threads, with the no-spinning session config (its effect: bench/measure-threads.ts).
    const two = await measureFiles([a, b], { runs: 3, warmup: 0, threads: 2 });
    expect(two.failures).toEqual([]);
    expect(two.results.map((r) => r.threads)).toEqual([2, 2]);
  });

  it.skipIf(ortMissing !== '')(`times every kernel with --profile (a profiled twin session)${ortMissing ? ` (skipped: ${ortMissing})` : ''}`, async () => {
    const bytes = buildRandomOnnx('plain-conv', 0);
    const names = analyzeModel(bytes, 'plain-conv-0.onnx').graph.nodes.map((n) => n.name);
    const { results } = await measureModels([{ file: 'plain-conv-0.onnx', bytes }], { runs: 5, warmup: 2, optimize: false, profile: true });
    const r = results[0]!;
    // Graph optimisation off: one kernel per graph node, named after it.
    expect(Object.keys(r.kernels_ms ?? {}).sort()).toEqual([...names].sort());
    const times = Object.values(r.kernels_ms ?? {});
    expect(Math.min(...times)).toBeGreaterThan(0);
    // The kernels are inside the end-to-end run (the profiled session is not the timed one).
    expect(times.reduce((x, y) => x + y, 0)).toBeLessThan(3 * r.p90_ms);
  });

  it.skipIf(ortMissing !== '')('applies a model\'s own inputShapes to that model only', async () => {
    const mlp = buildRandomOnnx('mlp', 0);
    const { results, failures } = await measureModels(
      [
        { file: 'wrong-shape.onnx', bytes: mlp, inputShapes: { input: [1, 3] } },
        { file: 'as-declared.onnx', bytes: mlp },
      ],
      { runs: 2, warmup: 1 },
    );
    expect(results.map((r) => r.file)).toEqual(['as-declared.onnx']);
    expect(failures.map((f) => f.file)).toEqual(['wrong-shape.onnx']);
    expect(failures[0]?.error).toMatch(/wrong-shape\.onnx: onnxruntime could not run it: .*(dimension|shape)/i);
  });

  it.skipIf(ortMissing !== '')('measures dynamic dims as 1 with a warning naming them, records the shapes fed, and takes --input-shapes', async () => {
    // x [batch, 8] · W [8, 4]: a symbolic batch dim.
    const bytes = buildModel({
      nodes: [{ op: 'MatMul', inputs: ['x', 'W'], outputs: ['y'] }],
      inputs: [f32('x', ['batch', 8])],
      outputs: [f32('y', ['batch', 4])],
      initializers: [{ name: 'W', dims: [8, 4], values: Array.from({ length: 32 }, (_, i) => i / 32) }],
    });
    const dflt = await measureModels([{ file: 'dyn.onnx', bytes }], { runs: 2, warmup: 1 });
    expect(dflt.results[0]!.input_shapes).toEqual({ x: [1, 8] });
    expect(dflt.warnings).toEqual([
      { file: 'dyn.onnx', message: `dyn.onnx: dynamic dims of input 'x' ('batch') measured as 1, at x=1x8; measure the size you run with --input-shapes "x=<dims>"` },
    ]);
    const given = await measureModels([{ file: 'dyn.onnx', bytes }], { runs: 2, warmup: 1, inputShapes: { x: [16, 8] } });
    expect(given.results[0]!.input_shapes).toEqual({ x: [16, 8] });
    expect(given.warnings).toEqual([]);
    // A graph that cannot run at the defaulted dims says so, and how to give real ones.
    const pool = buildModel({
      nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] } } }],
      inputs: [f32('x', [1, 3, 'h', 'w'])],
      outputs: [f32('y', null)],
    });
    const small = await measureModels([{ file: 'pool.onnx', bytes: pool }], { runs: 2, warmup: 1 });
    expect(small.results).toEqual([]);
    expect(small.failures[0]!.error).toMatch(/^pool\.onnx: onnxruntime could not run it \(at x=1x3x1x1: dynamic dims of input 'x' \('h', 'w'\) set to 1; give real sizes with --input-shapes\): /);
  });
});
