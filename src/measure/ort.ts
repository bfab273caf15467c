/**
 * End-to-end latency of ONNX models with onnxruntime-node on this machine (`edgeperf measure`).
 *
 * onnxruntime-node is an optional dependency, loaded with a dynamic `import()` only when a
 * measurement is asked for; without it, `loadOrt` throws `RuntimeMissingError` saying how to
 * install it. Only the small part of its API used here is typed (`OrtModule`), so the project
 * type-checks without the package.
 *
 * Protocol (robust on a noisy, shared machine):
 * 1. one session per file (intra/inter-op threads = `threads`, graph optimisation `all` or
 *    `disabled`), inputs filled once with seeded random values shaped from the model's inputs;
 * 2. `warmup` untimed runs per file;
 * 3. `runs` rounds; each round times one `session.run` of every file, round-robin, starting at
 *    a different file each round, so drift (thermal, a neighbour's job) hits all files alike;
 * 4. per file: Tukey-fence outlier rejection, median, p10/p90, CV (src/measure/stats.ts).
 *
 * With more than one thread, every session's thread pools are told not to spin-wait
 * (`ortSessionOptions`): each session owns its pools, and the workers of the session that just ran
 * keep spinning on the cores the next session in the round needs.
 *
 * With `profile`, every file gets a second session with onnxruntime's profiler on, warmed up and
 * run in the same rounds right after the timed one (so it sees the same cache state and drift);
 * its kernel times (src/measure/profile.ts) are reported, never its end-to-end times: the
 * profiler adds 4–34% to those (session 20, the optimisation-off Xeon graphs; medians per family).
 */
import os from 'node:os';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgePerfError, ModelFormatError } from '../core/errors.ts';
import { sniffFormat } from '../formats/detect.ts';
import type { ModelFormat } from '../graph/ir.ts';
import { mulberry32 } from '../core/random.ts';
import { kernelTimes } from './profile.ts';
import { summarize, type LatencySummary } from './stats.ts';

/** onnxruntime-node is not installed (or its native binding does not load). */
export class RuntimeMissingError extends EdgePerfError {
  /** @param detail why the import failed (the loader's message) */
  constructor(readonly detail: string) {
    super(`onnxruntime-node is not installed: npm i onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip) (${detail})`);
  }
}

/** An input or output's metadata as onnxruntime-node ≥ 1.22 reports it. */
export interface OrtValueMetadata {
  name: string;
  isTensor: boolean;
  /** Element type, e.g. `float32`, `int64` (tensors only). */
  type?: string;
  /** Dims; a string is a symbolic dim (tensors only). */
  shape?: ReadonlyArray<number | string>;
}

/** The part of an onnxruntime `InferenceSession` used here. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, unknown>): Promise<Record<string, unknown>>;
  release(): Promise<void>;
}

/** The part of the onnxruntime-node module used here. */
export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
  env: { versions?: { node?: string; common?: string } };
}

// A non-literal specifier: type-checks without the package, and bundlers leave it to Node's
// resolver at run time (it is external in scripts/build.mjs as well).
const ORT_PACKAGE = 'onnxruntime-node';
let cached: Promise<OrtModule> | undefined;

/**
 * Loads onnxruntime-node once per process.
 * @throws RuntimeMissingError when the package is missing or its native binding fails to load
 */
export async function loadOrt(): Promise<OrtModule> {
  cached ??= (async () => {
    try {
      const m = (await import(ORT_PACKAGE)) as OrtModule & { default?: OrtModule };
      return m.InferenceSession ? m : (m.default as OrtModule);
    } catch (e) {
      cached = undefined;
      throw new RuntimeMissingError(e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e));
    }
  })();
  return cached;
}

/** The onnxruntime-node version (`env.versions.node`), or `unknown`. */
export function ortVersion(ort: OrtModule): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}

/** Options of `measureModels`. */
export interface MeasureOptions {
  /** Timed runs per file (default 30). */
  runs?: number;
  /** Untimed warm-up runs per file (default 5). */
  warmup?: number;
  /** intraOpNumThreads and interOpNumThreads (default 1). */
  threads?: number;
  /** Graph optimisation level `all` (default, true) or `disabled` (false). */
  optimize?: boolean;
  /** Shapes of inputs with symbolic dims, by input name; other symbolic dims are 1. */
  inputShapes?: Record<string, number[]>;
  /** Seed of the random input values (default 0). */
  seed?: number;
  /** Also report per-kernel times from a profiled twin session (`MeasureResult.kernels_ms`). */
  profile?: boolean;
  /**
   * Let the thread pools spin-wait between runs as onnxruntime does by default (default false;
   * no effect with 1 thread). See `ortSessionOptions` for why measure turns it off.
   */
  spin?: boolean;
}

/** The machine a measurement ran on. */
export interface MachineInfo {
  /** Logical CPUs (`os.cpus().length`). */
  cpus: number;
  arch: string;
  platform: string;
}

/** One file's measurement; the JSON line of `edgeperf measure --json` (times in ms). */
export interface MeasureResult {
  file: string;
  runtime: 'onnxruntime-node';
  ort_version: string;
  threads: number;
  optimization: 'all' | 'disabled';
  /** `os.cpus()[0].model`. */
  cpu: string;
  /** Timed runs (before outlier rejection). */
  runs: number;
  median_ms: number;
  p10_ms: number;
  p90_ms: number;
  /** Coefficient of variation of the kept samples (0.05 = 5%). */
  cv: number;
  outliers_rejected: number;
  machine: MachineInfo;
  /**
   * Dims fed to every input, by input name (symbolic dims: `MeasureOptions.inputShapes`, else 1);
   * `edgeperf calibrate` analyses the model at these shapes.
   */
  input_shapes: Record<string, number[]>;
  /**
   * With `profile`: median ms per run of every kernel onnxruntime executed, by node name
   * (src/measure/profile.ts); `edgeperf calibrate` uses them to supervise per-node predictions.
   */
  kernels_ms?: Record<string, number>;
}

/** A model to measure: its name in the output and its bytes. */
export interface ModelInput {
  file: string;
  bytes: Uint8Array;
  /** Shapes of this model's inputs by name (overrides `MeasureOptions.inputShapes`). */
  inputShapes?: Record<string, number[]>;
}

/** A file that could not be measured, with the reason. */
export interface MeasureFailure {
  file: string;
  error: string;
}

/** A file measured with a caveat (dynamic input dims measured as 1), with what to do. */
export interface MeasureWarning {
  file: string;
  message: string;
}

/**
 * The microarchitecture part of a CPU description, from the text of Linux `/proc/cpuinfo`:
 * `family F model M; <widest x86 SIMD>` (e.g. `family 26 model 2; AVX-512`), or undefined when
 * the text has no `cpu family` line (not x86, not Linux).
 *
 * A virtual machine often reports only a brand as its model name (`AMD EPYC`), which hides the
 * generation; the family/model pair names it (AMD family 25 = Zen 3/4, 26 = Zen 5; Intel family 6
 * with a model number per generation), and the SIMD width decides which onnxruntime (MLAS)
 * kernels run: two "AMD EPYC" machines of this project's CI measured ResNet-50 at 99 ms and
 * 42.6 ms on one thread (train/README.md, "The machine changed").
 */
export function cpuMicroarchitecture(cpuinfo: string): string | undefined {
  const first = cpuinfo.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim();
  const family = field('cpu family');
  if (family === undefined) return undefined;
  const flags = new Set((field('flags') ?? '').split(/\s+/));
  const simd = flags.has('avx512f') ? 'AVX-512' : flags.has('avx2') ? 'AVX2' : flags.has('avx') ? 'AVX' : flags.has('sse4_2') ? 'SSE4.2' : 'no AVX';
  return `family ${family} model ${field('model') ?? '?'}; ${simd}`;
}

/**
 * Machine description for results: `cpu` is `os.cpus()[0].model`, followed on Linux x86 by the
 * microarchitecture in parentheses (`AMD EPYC (family 26 model 2; AVX-512)`,
 * `cpuMicroarchitecture`), so measurements from two generations behind one brand name are told
 * apart.
 */
export function machineInfo(): { cpu: string; machine: MachineInfo } {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown';
  let arch: string | undefined;
  try {
    arch = cpuMicroarchitecture(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    arch = undefined; // not Linux, or /proc is not mounted: the model name alone
  }
  return { cpu: arch ? `${model} (${arch})` : model, machine: { cpus: cpus.length, arch: os.arch(), platform: os.platform() } };
}

/** Fills one input tensor with seeded values: floats uniform in [−1, 1), integers and bools 0. */
function randomTensor(ort: OrtModule, type: string, dims: number[], rand: () => number): unknown {
  const n = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case 'float32': {
      const d = new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = 2 * rand() - 1;
      return new ort.Tensor(type, d, dims);
    }
    case 'float64': {
      const d = new Float64Array(n);
      for (let i = 0; i < n; i++) d[i] = 2 * rand() - 1;
      return new ort.Tensor(type, d, dims);
    }
    case 'int64':
    case 'uint64':
      return new ort.Tensor(type, type === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n), dims);
    case 'int32':
      return new ort.Tensor(type, new Int32Array(n), dims);
    case 'int8':
      return new ort.Tensor(type, new Int8Array(n), dims);
    case 'uint8':
    case 'bool':
      return new ort.Tensor(type, new Uint8Array(n), dims);
    case 'float16':
    case 'int16':
    case 'uint16':
      return new ort.Tensor(type, type === 'int16' ? new Int16Array(n) : new Uint16Array(n), dims);
    default:
      throw new Error(`input element type '${type}' is not supported by measure`);
  }
}

/**
 * Concrete dims of one input: `inputShapes[name]` when given, else the model's dims with
 * symbolic ones set to 1 (`defaulted` names those dims, e.g. `['batch', 'height']`), as
 * `analyzeModel` first resolves them (src/graph/shapes.ts), so a measurement and the analysis
 * `calibrate` pairs it with describe the same graph.
 */
function concreteDims(meta: OrtValueMetadata, inputShapes: Record<string, number[]> | undefined): { dims: number[]; defaulted: string[] } {
  const given = inputShapes?.[meta.name];
  if (given) return { dims: given, defaulted: [] };
  const defaulted: string[] = [];
  const dims = (meta.shape ?? []).map((d, i) => {
    if (typeof d === 'number' && d > 0) return d;
    defaulted.push(typeof d === 'string' && d !== '' ? `'${d}'` : `dim ${i}`);
    return 1;
  });
  return { dims, defaulted };
}

/** `x=1x3x224x224;y=1x10`: the `--input-shapes` spelling (`parseInputShapes`) of the shapes of `inputs`. */
function shapesSpec(shapes: Record<string, number[]>, inputs: ReadonlyArray<{ name: string }>): string {
  return inputs.map(({ name }) => `${name}=${(shapes[name] ?? []).join('x')}`).join(';');
}

/** `input 'x' ('batch', 'h'), input 'y' (dim 0)`: the defaulted dims, for messages. */
function dynamicDims(inputs: ReadonlyArray<{ name: string; dims: string[] }>): string {
  return inputs.map((d) => `input '${d.name}' (${d.dims.join(', ')})`).join(', ');
}

/** Session options of `measureModels` (the subset of onnxruntime-common's `SessionOptions` used). */
export type OrtMeasureSessionOptions = {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: 'all' | 'disabled';
  executionMode: 'sequential';
  executionProviders: ['cpu'];
  logSeverityLevel: number;
  /**
   * Session config entries (onnxruntime `session.intra_op.allow_spinning`,
   * `session.inter_op.allow_spinning`; onnxruntime_session_options_config_keys.h), set to '0' with
   * more than one thread.
   */
  extra?: { session: { intra_op: { allow_spinning: '0' }; inter_op: { allow_spinning: '0' } } };
};

/**
 * The options every session of `measureModels` is created with: `threads` intra- and inter-op
 * threads, sequential execution on the CPU provider, onnxruntime's own log at FATAL only (4): its
 * warnings (an opset-6 model, "Removing initializer …") are not about the latency, and its ERROR
 * lines (a kernel that fails at the input shapes fed) repeat the message that reaches the user
 * anyway as a `MeasureFailure` naming the file.
 *
 * With `threads` > 1 the thread pools do not spin-wait (unless `spin`). Each session owns its pools, and after a
 * run their workers keep spinning; in `measure`'s interleaved rounds they hold the cores the next
 * model runs on. Measured (`node --import tsx bench/measure-threads.ts`: six generated graphs
 * interleaved, 30 runs, 2 repeats; Intel Xeon family 6 model 167, 2 logical CPUs, onnxruntime
 * 1.30): with 2 spinning threads the graphs ran ×0.32–0.92 as fast as with 1 thread (a U-Net
 * 13.3 → 35 ms) with CVs of 11–144%; without spinning ×0.78–1.84 (9.2–9.7 ms) with CVs of 2–11%,
 * as steady as 1 thread (2–8%).
 * @param threads intra- and inter-op threads (≥ 1)
 * @param optimization graph optimisation level
 * @param spin keep onnxruntime's spin-waiting (`MeasureOptions.spin`)
 */
export function ortSessionOptions(threads: number, optimization: 'all' | 'disabled', spin = false): OrtMeasureSessionOptions {
  const o: OrtMeasureSessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: threads,
    graphOptimizationLevel: optimization,
    executionMode: 'sequential',
    executionProviders: ['cpu'],
    logSeverityLevel: 4,
  };
  if (threads > 1 && !spin) o.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  return o;
}

interface Loaded {
  file: string;
  session: OrtSession;
  feeds: Record<string, unknown>;
  samples: number[];
  /** The profiled twin session and its profile file prefix (`MeasureOptions.profile`). */
  profiled?: { session: OrtSession; tag: string };
  /** Dims fed to every input, by input name. */
  inputShapes: Record<string, number[]>;
}

/**
 * Measures end-to-end `session.run` latency of every model with the protocol in the module doc.
 * Files whose session cannot be created or run are returned as failures; the others are
 * measured together.
 * @returns results (times in ms) in input order, failures, and warnings (models whose dynamic
 *   input dims were measured as 1: say which, and how to give the real size)
 * @throws RuntimeMissingError when onnxruntime-node is not installed
 */
export async function measureModels(models: ModelInput[], opts: MeasureOptions = {}): Promise<{ results: MeasureResult[]; failures: MeasureFailure[]; warnings: MeasureWarning[] }> {
  const ort = await loadOrt();
  const runs = opts.runs ?? 30;
  const warmup = opts.warmup ?? 5;
  const threads = opts.threads ?? 1;
  const optimization = opts.optimize === false ? 'disabled' : 'all';
  const rand = mulberry32(opts.seed ?? 0);
  const loaded: Loaded[] = [];
  const failures: MeasureFailure[] = [];
  const warnings: MeasureWarning[] = [];
  const sessionOptions = ortSessionOptions(threads, optimization, opts.spin ?? false);
  const profileDir = opts.profile ? mkdtempSync(join(os.tmpdir(), 'edgeperf-profile-')) : undefined;
  for (const [index, m] of models.entries()) {
    let session: OrtSession | undefined;
    let profiled: Loaded['profiled'];
    const inputShapes: Record<string, number[]> = {};
    /** Inputs with dims defaulted to 1, and those dims (`'batch'`, `dim 0`). */
    const defaulted: Array<{ name: string; dims: string[] }> = [];
    try {
      session = await ort.InferenceSession.create(m.bytes, sessionOptions);
      const feeds: Record<string, unknown> = {};
      const metas = session.inputMetadata ?? session.inputNames.map((name) => ({ name, isTensor: true }) as OrtValueMetadata);
      for (const meta of metas) {
        if (!meta.isTensor || !meta.type) throw new Error(`input '${meta.name}' is not a tensor with a known type`);
        const c = concreteDims(meta, m.inputShapes ?? opts.inputShapes);
        inputShapes[meta.name] = c.dims;
        if (c.defaulted.length > 0) defaulted.push({ name: meta.name, dims: c.defaulted });
        feeds[meta.name] = randomTensor(ort, meta.type, c.dims, rand);
      }
      for (let i = 0; i < warmup; i++) await session.run(feeds);
      if (profileDir) {
        const tag = `m${index}`;
        profiled = { session: await ort.InferenceSession.create(m.bytes, { ...sessionOptions, enableProfiling: true, profileFilePrefix: join(profileDir, tag) }), tag };
        for (let i = 0; i < warmup; i++) await profiled.session.run(feeds);
      }
      loaded.push({ file: m.file, session, feeds, samples: [], inputShapes, ...(profiled ? { profiled } : {}) });
      if (defaulted.length > 0) {
        warnings.push({
          file: m.file,
          message: `${m.file}: dynamic dims of ${dynamicDims(defaulted)} measured as 1, at ${shapesSpec(inputShapes, defaulted)}; measure the size you run with --input-shapes "${defaulted.map((d) => `${d.name}=<dims>`).join(';')}"`,
        });
      }
    } catch (e) {
      await Promise.all([session?.release(), profiled?.session.release()]);
      const hint = defaulted.length > 0 ? ` (at ${shapesSpec(inputShapes, defaulted)}: dynamic dims of ${dynamicDims(defaulted)} set to 1; give real sizes with --input-shapes)` : '';
      failures.push({ file: m.file, error: new ModelFormatError(m.file, `onnxruntime could not run it${hint}: ${(e as Error).message}`).message });
    }
  }
  let timed = false;
  try {
    for (let r = 0; r < runs; r++) {
      for (let j = 0; j < loaded.length; j++) {
        const l = loaded[(r + j) % loaded.length] as Loaded;
        const t0 = process.hrtime.bigint();
        await l.session.run(l.feeds);
        l.samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
        await l.profiled?.session.run(l.feeds);
      }
    }
    timed = true;
  } finally {
    for (const l of loaded) await Promise.all([l.session.release(), l.profiled?.session.release()]);
    // Sessions write their profiles on release; a failed run leaves nothing to read.
    if (profileDir && !timed) rmSync(profileDir, { recursive: true, force: true });
  }
  const kernels = new Map<Loaded, Record<string, number>>();
  if (profileDir) {
    try {
      const files = readdirSync(profileDir);
      for (const l of loaded) {
        const name = files.find((f) => f.startsWith(`${l.profiled?.tag}_`));
        try {
          if (name) kernels.set(l, kernelTimes(readFileSync(join(profileDir, name), 'utf8'), warmup, runs));
        } catch {
          // An unreadable profile leaves that file without kernels_ms; its latency stands.
        }
      }
    } finally {
      rmSync(profileDir, { recursive: true, force: true });
    }
  }
  const { cpu, machine } = machineInfo();
  const version = ortVersion(ort);
  const results = loaded.map((l): MeasureResult => {
    const s: LatencySummary = summarize(l.samples);
    return {
      file: l.file,
      runtime: 'onnxruntime-node',
      ort_version: version,
      threads,
      optimization,
      cpu,
      runs: s.runs,
      median_ms: s.medianMs,
      p10_ms: s.p10Ms,
      p90_ms: s.p90Ms,
      cv: s.cv,
      outliers_rejected: s.outliersRejected,
      machine,
      input_shapes: l.inputShapes,
      ...(kernels.has(l) ? { kernels_ms: kernels.get(l) } : {}),
    };
  });
  return { results, failures, warnings };
}

/** Why `measure` does not run a model of another format, and how to measure it instead. */
function notOnnx(format: Exclude<ModelFormat, 'onnx'>): string {
  const [name, how] = format === 'tflite' ? ['TFLite', "on the device with TFLite's benchmark_model"] : ['TF.js', 'with TensorFlow.js on the device'];
  return `is a ${name} model; 'edgeperf measure' runs ONNX models with onnxruntime-node. Time it ${how} and give calibrate one JSON line per model, {"file": "<path>", "median_ms": <ms>}`;
}

/**
 * Reads and measures model files (see `measureModels`); unreadable files, Git LFS pointers and
 * TFLite / TF.js models (which onnxruntime cannot run: the failure says how to measure them) become failures.
 * @throws RuntimeMissingError when onnxruntime-node is not installed
 */
export async function measureFiles(files: string[], opts: MeasureOptions = {}): Promise<{ results: MeasureResult[]; failures: MeasureFailure[]; warnings: MeasureWarning[] }> {
  const models: ModelInput[] = [];
  const failures: MeasureFailure[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      failures.push({ file, error: `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`}` });
      continue;
    }
    try {
      const format = sniffFormat(bytes, file);
      if (format && format !== 'onnx') throw new ModelFormatError(file, notOnnx(format));
      models.push({ file, bytes });
    } catch (e) {
      failures.push({ file, error: (e as Error).message });
    }
  }
  const measured = await measureModels(models, opts);
  return { results: measured.results, failures: [...failures, ...measured.failures], warnings: measured.warnings };
}
