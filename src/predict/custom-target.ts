/**
 * Calibrated custom targets (`edgeperf calibrate`): a new per-node head fitted to a user's own
 * measurements on top of the frozen bundled encoder, stored as one JSON file the CLI and the
 * action load next to the bundled targets.
 *
 * Method: the encoder (input layer + SAGE layers of src/predict/perfsage.ts) is frozen, so its
 * output [hᴷ | x̂] is computed once per graph. A new head (w1, b1, w2, b2, overhead; one output)
 * starts from the base target's head, its unit `scale` is set so the base head's geometric-mean
 * measured/predicted ratio on the training graphs is 1, and it is fine-tuned with Adam on the
 * squared log error of the graph totals plus an L2 pull toward the base head ("L2-SP", Li et al.
 * 2018, "Explicit Inductive Bias for Transfer Learning with Convolutional Networks"), whose weight
 * shrinks as 1/n: with 25 graphs the head stays near the base head, with 250 it moves freely.
 * A trust region keeps the fit from extrapolating: on 288 unmeasured generated graphs
 * (`trustRegionGraphs`) no prediction may move more than ×`CALIBRATION_GUARD` from the base head
 * with rescaled rates; a fit that does is redone with a 10× stronger pull.
 *
 * The interval and accuracy stored in the file come from k-fold cross-validation (k = 5): each
 * fold is predicted by a head calibrated on the other folds the same way.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { analyzeModel } from '../core/analyze.ts';
import { ConfigError, UnknownTargetError } from '../core/errors.ts';
import { buildRandomOnnx, FAMILIES } from '../synth/random/index.ts';
import { shuffled } from '../core/random.ts';
import type { ModelAnalysis } from '../core/types.ts';
import { accuracy, type Accuracy } from './accuracy.ts';
import { extractFeatures } from '../cost/features.ts';
import { quantile } from '../measure/stats.ts';
import { makeBatch, type GnnGraph, toGnnGraph } from './batch.ts';
import { emptyReadout, headReadout, OWN_HEAD_PARTS, ownHeadWeight, PerfSageModel, rateReadout, weightShapes, type HeadParams, type OwnHeadPart, type PerfSageEncoding } from './perfsage.ts';
import { sparseMatMulOp, type Csr } from './sparse.ts';
import { kernelLabels, type KernelLabels } from './kernel-labels.ts';

/** Format tag of a custom target file. */
export const CUSTOM_TARGET_FORMAT = 'edgeperf-custom-target-v1';

/** Target ids: letters, digits, `.`, `_`, `-` (same rule as the `targets` input). */
export const CUSTOM_TARGET_ID = /^[a-z0-9][a-z0-9._-]*$/i;

// ---------------------------------------------------------------------------------------------
// File format

/** A float32 tensor as JSON: shape and base64 of the little-endian float32 values. */
const tensorSchema = z
  .strictObject({
    shape: z.array(z.number().int().nonnegative()).min(1).max(2),
    data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  })
  .refine((t) => Buffer.from(t.data, 'base64').length === 4 * t.shape.reduce((a, b) => a * b, 1), {
    message: 'data length does not match shape (float32 values expected)',
  });

const ratio = z.number().positive().finite();

/** zod schema of a custom target file. */
export const customTargetSchema = z.strictObject({
  format: z.literal(CUSTOM_TARGET_FORMAT),
  id: z.string().regex(CUSTOM_TARGET_ID, 'must be letters, digits, ".", "_" or "-", starting with a letter or digit'),
  device: z.string().min(1),
  runtime: z.string().min(1),
  /** Bundled target whose head the calibration started from. */
  baseTarget: z.string().min(1),
  metric: z.literal('latency'),
  unit: z.literal('ms'),
  /** `sha256:<hex>` of the encoder weights and normalisation the head was calibrated on. */
  encoderFingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>'),
  head: z.strictObject({
    /** Unit of the per-node and overhead outputs, ms. */
    scale: ratio,
    w1: tensorSchema,
    b1: tensorSchema,
    w2: tensorSchema,
    b2: tensorSchema,
    overhead: tensorSchema,
  }),
  /** 90% interval: 5th / 95th percentile of measured/predicted over cross-validation folds. */
  interval: z.strictObject({ lo: ratio, hi: ratio, n: z.number().int().positive() }),
  /** Cross-validated accuracy (MAPE percent, within10 a share 0..1). */
  accuracy: z.strictObject({
    n: z.number().int().positive(),
    mape: z.number().nonnegative(),
    within10: z.number().min(0).max(1),
    kendallTau: z.number().min(-1).max(1),
    folds: z.number().int().positive(),
  }),
  trainingCount: z.number().int().positive(),
  /** Measured range [min, max] in ms of the training graphs. */
  labelRange: z.tuple([z.number().nonnegative(), z.number().nonnegative()]),
  measurement: z.strictObject({
    runtime: z.string(),
    ortVersion: z.string(),
    threads: z.number().int().positive(),
    optimization: z.string(),
    cpu: z.string(),
    machine: z.record(z.string(), z.union([z.string(), z.number()])),
    /** The JSONL file the measurements came from, as named on the command line. */
    source: z.string(),
  }),
  /** ISO time of calibration. */
  created: z.string(),
  /**
   * Op names of the measured graphs' executed nodes (as `canonicalOp` spells them, sorted). A
   * prediction that puts a large share of its time in other ops is flagged out of distribution
   * (src/predict/ood.ts `calibrationReasons`). Absent in files written before it existed: no such check.
   */
  opsMeasured: z.array(z.string()).optional(),
});

/** A parsed custom target file. */
export type CustomTargetFile = z.infer<typeof customTargetSchema>;
/** A float32 tensor of the file. */
export type TensorJson = z.infer<typeof tensorSchema>;

/** A loaded custom target: where it came from and its content. */
export interface CustomTarget {
  /** Path as the user names it (messages). */
  file: string;
  data: CustomTargetFile;
}

function pathOf(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/**
 * Parses and validates a custom target file (JSON text).
 * @param file path shown in messages
 * @throws ConfigError naming the file and the bad field
 */
export function parseCustomTarget(text: string, file: string): CustomTarget {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, `not valid JSON: ${(e as Error).message}`);
  }
  const fmt = (json as { format?: unknown } | null)?.format;
  if (typeof json === 'object' && json !== null && fmt !== CUSTOM_TARGET_FORMAT) {
    throw new ConfigError(file, `format is ${JSON.stringify(fmt)}, expected '${CUSTOM_TARGET_FORMAT}' (a file written by 'edgeperf calibrate')`);
  }
  const parsed = customTargetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = pathOf(issue.path);
    if (issue.code === 'unrecognized_keys') throw new ConfigError(file, `unknown field '${at ? `${at}.` : ''}${issue.keys[0]}'`);
    throw new ConfigError(file, `field '${at || '(top level)'}': ${issue.message}`);
  }
  return { file, data: parsed.data };
}

/**
 * Reads and validates custom target files (the encoder fingerprint is checked when a predictor
 * is created with them, see `checkCustomTarget`). Pass the result to `loadPredictor({ customTargets })`.
 * @param paths files as the user names them (messages use these), relative to `cwd`
 * @throws ConfigError naming the file (missing, not JSON, bad field, duplicate id)
 */
export async function loadCustomTargets(paths: readonly string[], cwd = process.cwd()): Promise<CustomTarget[]> {
  const out: CustomTarget[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, p), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError(p, code === 'ENOENT' ? 'custom target file not found' : `cannot read (${code ?? (e as Error).message})`);
    }
    const t = parseCustomTarget(text, p);
    const dup = out.find((o) => o.data.id === t.data.id);
    if (dup) throw new ConfigError(p, `target id '${t.data.id}' is also defined by ${dup.file}`);
    out.push(t);
  }
  return out;
}

/**
 * Expands globs (or plain paths) relative to `cwd` into custom target files, sorted and unique.
 * Walks from each glob's static prefix, skipping `node_modules` and `.git`.
 * @param source input or option name for messages (e.g. `custom-targets`)
 * @returns paths relative to `cwd` (posix separators)
 * @throws ConfigError naming `source` when a glob or path matches no file
 */
export async function findCustomTargetFiles(globs: readonly string[], cwd: string, source = 'custom-targets'): Promise<string[]> {
  const found = new Set<string>();
  for (const g of globs) {
    const scan = picomatch.scan(g);
    if (!scan.isGlob) {
      if (!existsSync(resolve(cwd, g))) throw new ConfigError(source, `file '${g}' not found`);
      found.add(g);
      continue;
    }
    const isMatch = picomatch(g, { dot: true });
    const root = resolve(cwd, scan.base || '.');
    const before = found.size;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name === 'node_modules' || e.name === '.git') continue;
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else {
          const rel = relative(cwd, full).split(sep).join(posix.sep);
          if (isMatch(rel)) found.add(rel);
        }
      }
    };
    await walk(root);
    if (found.size === before) throw new ConfigError(source, `'${g}' matches no file (globs are relative to ${cwd})`);
  }
  return [...found].sort();
}

const fingerprints = new WeakMap<PerfSageModel, string>();

/**
 * `sha256:<hex>` of everything the encoder output depends on: feature names, normalisation
 * (mean, std, clamp bounds), widths and the input/SAGE layer weights.
 */
export function encoderFingerprint(model: PerfSageModel): string {
  const cached = fingerprints.get(model);
  if (cached) return cached;
  const c = model.config;
  const h = createHash('sha256');
  h.update(JSON.stringify([c.featureNames, c.hidden, c.layers, c.featMean, c.featStd, c.featMin, c.featMax]));
  const names = ['in/w', 'in/b'];
  for (let k = 0; k < c.layers; k++) names.push(`sage${k}/w`, `sage${k}/b`);
  for (const n of names) {
    const d = (model.weights[n] as tf.Tensor).dataSync() as Float32Array;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  const fp = `sha256:${h.digest('hex')}`;
  fingerprints.set(model, fp);
  return fp;
}

/**
 * Checks a custom target against the bundled model: same encoder, head shapes that fit.
 * @throws ConfigError naming the file, telling the user to re-run calibrate
 */
export function checkCustomTarget(t: CustomTarget, model: PerfSageModel): void {
  const fp = encoderFingerprint(model);
  if (t.data.encoderFingerprint !== fp) {
    throw new ConfigError(
      t.file,
      `target '${t.data.id}' was calibrated on different model weights (encoder ${t.data.encoderFingerprint.slice(0, 19)}…) ` +
        `than this EdgePerf bundles (${fp.slice(0, 19)}…); re-run 'edgeperf calibrate' with this version on the same measurements`,
    );
  }
  const D = model.config.hidden + model.config.featureNames.length;
  const Hh = model.config.headHidden;
  const want: Record<string, number[]> = { w1: [D, Hh], b1: [Hh], w2: [Hh, 3], b2: [3], overhead: [1] };
  for (const [k, shape] of Object.entries(want)) {
    const got = (t.data.head as unknown as Record<string, TensorJson>)[k]!.shape;
    if (got.join(',') !== shape.join(',')) {
      throw new ConfigError(t.file, `field 'head.${k}' has shape [${got.join(',')}], expected [${shape.join(',')}]; re-run 'edgeperf calibrate'`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Head weights

/** One head (one output) as plain arrays; shapes w1 [H+F, Hh], b1 [Hh], w2 [Hh, 3], b2 [3], overhead [1]. */
export interface HeadWeights {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  overhead: Float32Array;
  /** Unit of the outputs, ms. */
  scale: number;
}

function toB64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromB64(t: TensorJson): Float32Array {
  const b = Buffer.from(t.data, 'base64');
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** Head weights → the file's `head` field (shapes from the model config). */
export function headToJson(h: HeadWeights, model: PerfSageModel): CustomTargetFile['head'] {
  const D = model.config.hidden + model.config.featureNames.length;
  const Hh = model.config.headHidden;
  return {
    scale: h.scale,
    w1: { shape: [D, Hh], data: toB64(h.w1) },
    b1: { shape: [Hh], data: toB64(h.b1) },
    w2: { shape: [Hh, 3], data: toB64(h.w2) },
    b2: { shape: [3], data: toB64(h.b2) },
    overhead: { shape: [1], data: toB64(h.overhead) },
  };
}

/** The file's `head` field → head weights. */
export function headFromJson(j: CustomTargetFile['head']): HeadWeights {
  return { w1: fromB64(j.w1), b1: fromB64(j.b1), w2: fromB64(j.w2), b2: fromB64(j.b2), overhead: fromB64(j.overhead), scale: j.scale };
}

/**
 * The weights of one bundled head as a single-output head, as trained with the encoder
 * (`head/w1`, `head/b1` are shared by all heads; w2, b2, overhead and scale are the head's own
 * columns). Calibration starts here even for a target served by a head of its own
 * (`PerfSageConfig.ownHeads`, see `servingHeadWeights`): on the optimisation-off device of
 * bench/calibrate-curve.ts (two sample draws), starting from the cpu-onnxruntime head of its own
 * gave 16.2–17.3% MAPE at 250 samples, against 14.4–14.6% from the shared head.
 * @throws UnknownTargetError when `headName` (e.g. `raspberry-pi-4/latency`) is not in the model
 */
export function baseHeadWeights(model: PerfSageModel, headName: string): HeadWeights {
  const heads = model.config.heads;
  const t = heads.indexOf(headName);
  if (t < 0) throw new UnknownTargetError(headName.replace(/\/latency$/, ''), heads.filter((h) => h.endsWith('/latency')).map((h) => h.slice(0, -'/latency'.length)));
  const T = heads.length;
  const Hh = model.config.headHidden;
  const p = model.headParams();
  const w2all = p.w2.dataSync();
  const b2all = p.b2.dataSync();
  const w2 = new Float32Array(Hh * 3);
  for (let i = 0; i < Hh; i++) for (let c = 0; c < 3; c++) w2[i * 3 + c] = w2all[i * 3 * T + c * T + t] as number;
  return {
    w1: Float32Array.from(p.w1.dataSync()),
    b1: Float32Array.from(p.b1.dataSync()),
    w2,
    b2: Float32Array.from([0, 1, 2].map((c) => b2all[c * T + t] as number)),
    overhead: Float32Array.from([p.overhead.dataSync()[t] as number]),
    scale: model.config.scale[t] as number,
  };
}

/**
 * The weights of the head that serves `headName` in predictions: its head of its own
 * (`PerfSageConfig.ownHeads`) when it has one, else `baseHeadWeights`.
 * @throws UnknownTargetError when `headName` is not in the model
 */
export function servingHeadWeights(model: PerfSageModel, headName: string): HeadWeights {
  if (!(model.config.ownHeads ?? []).includes(headName)) return baseHeadWeights(model, headName);
  const o = model.ownHeadParams(headName);
  const arr = (x: tf.Tensor): Float32Array => Float32Array.from(x.dataSync());
  return { w1: arr(o.w1), b1: arr(o.b1), w2: arr(o.w2), b2: arr(o.b2), overhead: arr(o.overhead), scale: arr(o.scale as tf.Tensor)[0] as number };
}

/** Head weights as tensors for `headReadout` (call inside `tf.tidy`). */
export function headTensors(h: HeadWeights): HeadParams {
  const Hh = h.b1.length;
  return {
    w1: tf.tensor2d(h.w1, [h.w1.length / Hh, Hh]),
    b1: tf.tensor1d(h.b1),
    w2: tf.tensor2d(h.w2, [Hh, 3]),
    b2: tf.tensor1d(h.b2),
    overhead: tf.tensor1d(h.overhead),
    scale: h.scale,
  };
}

// ---------------------------------------------------------------------------------------------
// Encodings and prediction with a custom head

/** Frozen encoder output of one graph. */
export interface EncodedGraph {
  /** GNN nodes n. */
  n: number;
  /** [hᴷ | x̂] per node, row-major [n, H + F]. */
  hx: Float32Array;
  /** Work per node [n, 2]: MMACs, MB. */
  work: Float32Array;
}

/** GNN input of an analysis (features of src/cost/features.ts). */
export function gnnGraphOf(analysis: ModelAnalysis): GnnGraph {
  return toGnnGraph(extractFeatures(analysis));
}

/**
 * A calibration example from an analysed model and its measurement; with `kernels` (onnxruntime
 * kernel ms by node name, `measure --profile`) also its kernel labels (`CalibrationExample.kernels`).
 * @returns the example, how many of the kernels matched a GNN row (0 of 0 without `kernels`), and
 *   the graph's distinct op names (`GraphFeatures.rawOps`, for the file's `opsMeasured`)
 */
export function calibrationExample(
  analysis: ModelAnalysis,
  ms: number,
  name: string,
  kernels?: Readonly<Record<string, number>>,
): { example: CalibrationExample; matched: number; kernels: number; ops: string[] } {
  const f = extractFeatures(analysis);
  const example: CalibrationExample = { graph: toGnnGraph(f), ms, name };
  const ops = [...new Set(f.rawOps)];
  if (!kernels) return { example, matched: 0, kernels: 0, ops };
  const k = kernelLabels(analysis.graph, f.nodeIndex, kernels);
  if (k.matched > 0) example.kernels = { group: k.group, ms: k.ms };
  return { example, matched: k.matched, kernels: k.total, ops };
}

/** Runs the frozen encoder over graphs, `chunk` graphs per batch. */
export function encodeGraphs(model: PerfSageModel, graphs: readonly GnnGraph[], chunk = 32): EncodedGraph[] {
  const D = model.config.hidden + model.config.featureNames.length;
  const out: EncodedGraph[] = [];
  for (let s = 0; s < graphs.length; s += chunk) {
    const part = graphs.slice(s, s + chunk);
    const batch = makeBatch(part, model.config.featMean, model.config.featStd);
    const hx = batch.numNodes === 0 ? new Float32Array(0) : tf.tidy(() => model.encode(batch).hx.dataSync() as Float32Array);
    part.forEach((g, b) => {
      const o = batch.offsets[b] as number;
      out.push({ n: g.n, hx: hx.slice(o * D, (o + g.n) * D), work: batch.work.slice(o * 2, (o + g.n) * 2) });
    });
  }
  return out;
}

/** Several encoded graphs as one `PerfSageEncoding` (tensors: dispose, or build inside `tf.tidy`). */
export function stackEncoded(encs: readonly EncodedGraph[], D: number): PerfSageEncoding {
  const N = encs.reduce((s, e) => s + e.n, 0);
  const hx = new Float32Array(N * D);
  const work = new Float32Array(N * 2);
  const rowPtr = new Int32Array(encs.length + 1);
  let o = 0;
  encs.forEach((e, b) => {
    hx.set(e.hx, o * D);
    work.set(e.work, o * 2);
    o += e.n;
    rowPtr[b + 1] = o;
  });
  const col = new Int32Array(N);
  for (let i = 0; i < N; i++) col[i] = i;
  const readout: Csr = { rows: encs.length, cols: N, rowPtr, col, val: new Float32Array(N).fill(1) };
  return { hx: tf.tensor2d(hx, [N, D]), work: tf.tensor2d(work, [N, 2]), readout: sparseMatMulOp(readout), numGraphs: encs.length };
}

/** Predicted totals (ms) of encoded graphs under one head. */
export function predictEncoded(encs: readonly EncodedGraph[], head: HeadWeights): Float64Array {
  if (encs.length === 0) return new Float64Array(0);
  const D = head.w1.length / head.b1.length;
  const total = tf.tidy(() => {
    const p = headTensors(head);
    const N = encs.reduce((s, e) => s + e.n, 0);
    const out = N === 0 ? emptyReadout(p, encs.length) : headReadout(stackEncoded(encs, D), p);
    return out.total.dataSync() as Float32Array;
  });
  return Float64Array.from(total);
}

// ---------------------------------------------------------------------------------------------
// Calibration

/** One measured graph. */
export interface CalibrationExample {
  /** GNN input (see `gnnGraphOf`). */
  graph: GnnGraph;
  /** Measured latency, ms (> 0). */
  ms: number;
  /** Name for messages (file). */
  name?: string;
  /** Encoder output, filled by `encodeExamples` (computed on demand otherwise). */
  encoded?: EncodedGraph;
  /**
   * Measured kernels (onnxruntime's profiler, `measure --profile`; src/predict/kernel-labels.ts):
   * the kernel group of each GNN row ([n], −1 for none) and each group's ms ([G]); supervise the
   * head's per-node contributions (`CalibrateOptions.nodeWeight`).
   */
  kernels?: Pick<KernelLabels, 'group' | 'ms'>;
}

/**
 * W ↦ X·W for a constant X [N, I] (the encoder output) and trainable W [I, O]: only the
 * gradient for W is computed, as Xᵀ·dY with Xᵀ transposed once (a transpose per step costs more
 * than the matMul on wasm; see linear.ts).
 */
function frozenInputLinear(x: tf.Tensor2D): (w: tf.Tensor2D) => tf.Tensor2D {
  const xT = tf.transpose(x) as tf.Tensor2D;
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as tf.Tensor2D;
    return { value: tf.matMul(x, w), gradFunc: (dy: tf.Tensor) => [tf.matMul(xT, dy as tf.Tensor2D)] };
  }) as (w: tf.Tensor2D) => tf.Tensor2D;
}

/**
 * Z·W for Z [N, I] and a thin W [I, O] (O = 3): dW = Σ_rows Z ⊙ dY[:, c] per column c, which on
 * wasm is several times faster than a matMul with a transposed [N, I] operand.
 */
const thinLinear = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const z = args[0] as tf.Tensor2D;
  const w = args[1] as tf.Tensor2D;
  (args[2] as tf.GradSaveFunc)([z, w]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [zs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
    const cols = tf.split(dy as tf.Tensor2D, ws.shape[1], 1).map((d) => tf.sum(tf.mul(zs, d), 0));
    return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.stack(cols, 1)];
  };
  return { value: tf.matMul(z, w), gradFunc };
}) as (z: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** Options of `calibrateHead`. */
export interface CalibrateOptions {
  /** Adam steps (full batch), default 300. */
  steps?: number;
  /** Adam learning rate, default 0.02. */
  lr?: number;
  /**
   * Weight of the L2 pull toward the base head: the penalty is (decay / n)·Σ(θ − θ_base)² with n
   * training graphs. Default 0.3.
   */
  decay?: number;
  /** Fine-tune w1/b1 too (default true); false tunes only w2, b2, overhead. */
  tuneFirstLayer?: boolean;
  /**
   * Unmeasured graphs that bound how far the fine-tuned head may move (see `calibrateHead`);
   * default none. `trustRegionGraphs(model)` gives the generator's families.
   */
  trustRegion?: EncodedGraph[];
  /**
   * Weight of the per-node loss over examples with `kernels` (default 0.1): the mean squared log
   * error of the kernels' summed row contributions, added to the graph totals' loss.
   */
  nodeWeight?: number;
  /**
   * Kernels below this many ms are not supervised (default 0.05): the
   * profiler adds about 1–2 µs to every kernel, and on the optimisation-off Xeon graphs the
   * kernel sum of a graph of many small ops (transformer) was 0.8–1.4× its unprofiled total.
   */
  nodeMinMs?: number;
  /**
   * Added to both sides of the per-node log error, in ms (default 0.005): differences of a few µs,
   * the profiler's own cost per kernel, weigh little.
   */
  nodeFloorMs?: number;
}

/**
 * Largest factor by which the fine-tuned head may move a trust-region graph's prediction away from
 * the rescaled base head's (`calibrateHead`). Graph optimisations off moved the random families
 * by ×1.0–3.1 (bench/ort-profile.ts), so ×5 leaves room for a real device change.
 */
export const CALIBRATION_GUARD = 5;

/** Result of `calibrateHead`. */
export interface CalibratedHead {
  head: HeadWeights;
  /** Mean squared log error on the training graphs: of the base head after rescaling, and at the end. */
  loss: { start: number; end: number };
  /** Geometric-mean measured/base-predicted ratio applied to the scale. */
  rescale: number;
  /**
   * Set when the trust region (`CalibrateOptions.trustRegion`) stepped in: the decay used and its
   * ratio to the requested one (both Infinity when no refit stayed inside: stage-1 head kept).
   */
  guard?: { decay: number; factor: number };
  /** The stage-1 head (base head with its three rate biases and overhead refitted): the centre of the trust region. */
  start: HeadWeights;
}

/** Fills `encoded` of every example (one encoder pass per graph); returns the same array. */
export function encodeExamples(model: PerfSageModel, examples: CalibrationExample[]): CalibrationExample[] {
  const todo = examples.filter((e) => !e.encoded);
  const encs = encodeGraphs(model, todo.map((e) => e.graph));
  todo.forEach((e, i) => (e.encoded = encs[i]));
  return examples;
}

const DEFAULTS: Required<Omit<CalibrateOptions, 'trustRegion'>> = { steps: 300, lr: 0.02, decay: 0.3, tuneFirstLayer: true, nodeWeight: 0.1, nodeMinMs: 0.05, nodeFloorMs: 0.005 };

/** Seeds per family of `trustRegionGraphs` (disjoint from the seeds the bundled heads trained on, 0–1874). */
const TRUST_REGION_SEEDS = Array.from({ length: 24 }, (_, i) => 900001 + i);

/**
 * The trust region of `calibrateHead`: 24 graphs of every random-graph family
 * (src/synth/random, seeds 900001–900024), encoded with `model`. Unmeasured: only the calibrated
 * head's predictions on them are compared with the base head's.
 */
export function trustRegionGraphs(model: PerfSageModel): EncodedGraph[] {
  const graphs = FAMILIES.flatMap((f) => TRUST_REGION_SEEDS.map((seed) => gnnGraphOf(analyzeRandom(f, seed))));
  return encodeGraphs(model, graphs);
}

function analyzeRandom(family: string, seed: number): ModelAnalysis {
  return analyzeModel(buildRandomOnnx(family, seed, 'external'), `${family}:${seed}`);
}

/**
 * Fits a single-output head to measurements, starting from a bundled head; the encoder is frozen.
 *
 * With `opts.trustRegion`, the fit is kept inside a trust region: when the fine-tuned head moves a
 * trust-region graph's prediction by more than ×`CALIBRATION_GUARD` from the stage-1 head (base head
 * with rescaled rates), stage 2 is fitted again with a 10× stronger pull toward that head (up to
 * 3 times), and the stage-1 head is kept if none stays inside. Without it, 100 measurements of
 * the optimisation-off device (bench/calibrate-curve.ts, draw 3) gave a head that predicted the
 * 1-D audio nets ×10–42 too slow, while fitting its 14 measured audio nets.
 *
 * Examples with `kernels` (kernel times, `edgeperf measure --profile`) add a per-node term to the
 * loss: `nodeWeight` × the mean, over kernels of at least `nodeMinMs`, of (log(Σ_{i∈kernel} c_i + f) −
 * log(kernel ms + f))², c_i a row's contribution, f = `nodeFloorMs` — the kernel-level supervision of nn-Meter (Zhang et
 * al., MobiSys 2021), here beside the totals. On the optimisation-off Xeon graphs
 * (bench/calibrate-curve.ts `--device cpu-onnxruntime-xeon-noopt --node-labels`) it took the
 * calibration from 250 graphs from 6.4% to 5.4% MAPE, from 25 from 16.1% to 11.2% (train/README.md,
 * "Per-node labels"); with graph optimisation on it did not help.
 * @param examples measured graphs (ms > 0); `encoded` is filled when missing
 * @param baseHeadName e.g. `raspberry-pi-4/latency`
 * @throws UnknownTargetError for an unknown base head; Error for no examples or a non-positive ms
 */
export function calibrateHead(examples: CalibrationExample[], model: PerfSageModel, baseHeadName: string, opts: CalibrateOptions = {}): CalibratedHead {
  if (examples.length === 0) throw new Error('calibrateHead: no examples');
  for (const e of examples) if (!(e.ms > 0 && Number.isFinite(e.ms))) throw new Error(`calibrateHead: ${e.name ?? 'example'} has latency ${e.ms} ms, expected > 0`);
  const o = { ...DEFAULTS, ...opts };
  encodeExamples(model, examples);
  const encs = examples.map((e) => e.encoded as EncodedGraph);
  const base = baseHeadWeights(model, baseHeadName);
  const y = Float32Array.from(examples.map((e) => Math.log(e.ms)));
  // Rescale: geometric-mean ratio measured / base prediction → 1.
  const p0 = predictEncoded(encs, base);
  let logRatio = 0;
  p0.forEach((p, i) => (logRatio += (y[i] as number) - Math.log(Math.max(p, 1e-9))));
  logRatio /= examples.length;
  const rescale = Math.exp(logRatio);
  const start: HeadWeights = { ...base, scale: base.scale * rescale };
  const n = examples.length;
  const D = base.w1.length / base.b1.length;
  const nodeLabels = nodeLabelsOf(examples, o.nodeMinMs, o.nodeFloorMs);

  type Tunable = Array<keyof HeadWeights & keyof HeadParams>;
  /** One fine-tuning stage from `start` (Adam, full batch, L2 pull toward `start`, best iterate kept). */
  const fineTune = (start: HeadWeights, stage: { names: Tunable; steps: number; lr: number; decay: number }): { head: HeadWeights; lossStart: number; lossEnd: number } => {
    let head: HeadWeights = start;
    let lossStart = NaN;
    let lossEnd = NaN;
    tf.tidy(() => {
      const enc = stackEncoded(encs, D);
      const init = headTensors(start);
      const names = stage.names;
      const vars = Object.fromEntries(names.map((k) => [k, tf.variable(init[k] as tf.Tensor, true)])) as Record<string, tf.Variable>;
      const params = (): HeadParams => ({
        w1: (vars.w1 ?? init.w1) as tf.Tensor2D,
        b1: (vars.b1 ?? init.b1) as tf.Tensor1D,
        w2: (vars.w2 ?? init.w2) as tf.Tensor2D,
        b2: (vars.b2 ?? init.b2) as tf.Tensor1D,
        overhead: (vars.overhead ?? init.overhead) as tf.Tensor1D,
        scale: start.scale,
      });
      const scale = tf.tensor1d([start.scale]);
      // With w1, b1 frozen the hidden activations are constant: compute them once.
      const zFixed = names.includes('w1') ? undefined : (tf.relu(tf.add(tf.matMul(enc.hx, init.w1), init.b1)) as tf.Tensor2D);
      const first = names.includes('w1') ? frozenInputLinear(enc.hx) : undefined;
      const yT = tf.tensor2d(y, [n, 1]);
      const nodeT = nodeLabels ? { y: tf.tensor2d(nodeLabels.logY, [nodeLabels.logY.length, 1]), sum: sparseMatMulOp(nodeLabels.rows) } : undefined;
      const fitLoss = (withNodes = true): tf.Scalar => {
        const p = params();
        const z = zFixed ?? (tf.relu(tf.add(first!(p.w1), p.b1)) as tf.Tensor2D);
        const out = rateReadout(z, enc, p, tf.mul(tf.softplus(p.overhead), scale) as tf.Tensor1D, scale, thinLinear);
        const graphLoss = tf.mean(tf.square(tf.sub(tf.log(tf.maximum(out.total, 1e-9)), yT))) as tf.Scalar;
        if (!withNodes || !nodeT) return graphLoss;
        const r = tf.sub(tf.log(tf.add(nodeT.sum(out.node), o.nodeFloorMs)), nodeT.y);
        return tf.add(graphLoss, tf.mul(o.nodeWeight, tf.mean(tf.square(r)))) as tf.Scalar;
      };
      lossStart = fitLoss(false).dataSync()[0] as number;
      const lambda = stage.decay / n;
      const opt = tf.train.adam(stage.lr);
      // Keep the iterate with the lowest objective (Adam's first steps move every weight by ~lr
      // even when the start is already right). `minimize` returns the objective of the weights
      // before its update, so those are the ones kept.
      const objective = (): tf.Scalar => {
        let loss = fitLoss();
        for (const k of names) loss = tf.add(loss, tf.mul(lambda, tf.sum(tf.square(tf.sub(vars[k] as tf.Variable, init[k] as tf.Tensor))))) as tf.Scalar;
        return loss;
      };
      let best = Infinity;
      let bestVals: tf.Tensor[] = [];
      const consider = (cost: number, vals: tf.Tensor[]): void => {
        if (cost < best) {
          best = cost;
          tf.dispose(bestVals);
          bestVals = vals;
        } else tf.dispose(vals);
      };
      for (let s = 0; s < stage.steps; s++) {
        const before = tf.tidy(() => names.map((k) => tf.clone(vars[k] as tf.Variable)));
        const cost = opt.minimize(objective, true, Object.values(vars)) as tf.Scalar;
        consider(cost.dataSync()[0] as number, before);
        cost.dispose();
      }
      consider(tf.tidy(() => objective().dataSync()[0] as number), tf.tidy(() => names.map((k) => tf.clone(vars[k] as tf.Variable))));
      names.forEach((k, i) => (vars[k] as tf.Variable).assign(bestVals[i] as tf.Tensor));
      tf.dispose(bestVals);
      lossEnd = fitLoss(false).dataSync()[0] as number;
      const p = params();
      head = {
        w1: Float32Array.from(p.w1.dataSync()),
        b1: Float32Array.from(p.b1.dataSync()),
        w2: Float32Array.from(p.w2.dataSync()),
        b2: Float32Array.from(p.b2.dataSync()),
        overhead: Float32Array.from(p.overhead.dataSync()),
        scale: start.scale,
      };
      opt.dispose();
      for (const v of Object.values(vars)) v.dispose();
    });
    return { head, lossStart, lossEnd };
  };
  // Stage 1: the three log-rate biases and the overhead only (a per-MAC, per-byte and per-node
  // rescale of the base head: 4 parameters, safe with 10 measurements); stage 2: the whole head.
  const s1 = fineTune(start, { names: ['b2', 'overhead'], steps: 150, lr: 0.05, decay: 0 });
  const names: Tunable = o.tuneFirstLayer ? ['w1', 'b1', 'w2', 'b2', 'overhead'] : ['w2', 'b2', 'overhead'];
  const ref = opts.trustRegion ?? [];
  const refStart = ref.length ? predictEncoded(ref, s1.head) : new Float64Array(0);
  const inside = (h: HeadWeights): boolean => predictEncoded(ref, h).every((p, i) => Math.abs(Math.log(p / (refStart[i] as number))) <= Math.log(CALIBRATION_GUARD));
  let decay = o.decay;
  let s2 = fineTune(s1.head, { names, steps: o.steps, lr: o.lr, decay });
  let guard: CalibratedHead['guard'];
  for (let tries = 0; ref.length && !inside(s2.head); tries++) {
    if (tries === 3) {
      [s2, guard] = [s1, { decay: Infinity, factor: Infinity }];
      break;
    }
    decay *= 10;
    s2 = fineTune(s1.head, { names, steps: o.steps, lr: o.lr, decay });
    guard = { decay, factor: decay / o.decay };
  }
  return { head: s2.head, start: s1.head, loss: { start: s1.lossStart, end: s2.lossEnd }, rescale, ...(guard ? { guard } : {}) };
}

/**
 * The kernel labels of the examples over their `stackEncoded` rows: a 0/1 matrix [K, N] summing
 * each kernel's rows, and log(ms + floor) [K] of the K kernels of at least `minMs`; undefined when none.
 */
function nodeLabelsOf(examples: readonly CalibrationExample[], minMs: number, floor: number): { rows: Csr; logY: Float32Array } | undefined {
  const members: number[][] = [];
  const logY: number[] = [];
  let o = 0;
  for (const e of examples) {
    const k = e.kernels;
    const n = (e.encoded as EncodedGraph).n;
    if (k) {
      const rowsOf = Array.from(k.ms, (): number[] => []);
      k.group.forEach((g, r) => g >= 0 && r < n && rowsOf[g]?.push(o + r));
      k.ms.forEach((ms, g) => {
        if (ms >= minMs && ms > 0 && rowsOf[g]!.length > 0) {
          members.push(rowsOf[g]!);
          logY.push(Math.log(ms + floor));
        }
      });
    }
    o += n;
  }
  if (members.length === 0) return undefined;
  const rowPtr = new Int32Array(members.length + 1);
  members.forEach((m, i) => (rowPtr[i + 1] = (rowPtr[i] as number) + m.length));
  const col = Int32Array.from(members.flat());
  return { rows: { rows: members.length, cols: o, rowPtr, col, val: new Float32Array(col.length).fill(1) }, logY: Float32Array.from(logY) };
}

// ---------------------------------------------------------------------------------------------
// Accuracy and cross-validation

/** Accuracy of predictions against measurements (every pair counts). */
/** Accuracy of a calibrated head (every measurement counted). */
export type CalibrationAccuracy = Pick<Accuracy, 'n' | 'mape' | 'within10' | 'kendallTau'>;

/** MAPE, ±10% share and Kendall tau of `pred` against `measured` (ms). */
export function calibrationAccuracy(pred: ArrayLike<number>, measured: ArrayLike<number>): CalibrationAccuracy {
  const { n, mape, within10, kendallTau } = accuracy(pred, measured);
  return { n, mape, within10, kendallTau };
}

/** Result of `calibrateTarget`: the head fitted on everything plus cross-validated figures. */
export interface CalibratedTarget extends CalibratedHead {
  /** Held-out prediction (ms) of every example from the fold that left it out. */
  cvPredictions: Float64Array;
  accuracy: CalibrationAccuracy & { folds: number };
  /** 5% / 95% quantiles of measured / cross-validated prediction. */
  interval: { lo: number; hi: number; n: number };
}

/**
 * `calibrateHead` on all examples, plus k-fold cross-validation (k = min(folds, n), seeded
 * shuffle) for the stored accuracy and interval. The trust region is on by default
 * (`opts.trustRegion` defaults to `trustRegionGraphs(model)`; pass `[]` to turn it off).
 */
export function calibrateTarget(
  examples: CalibrationExample[],
  model: PerfSageModel,
  baseHeadName: string,
  opts: CalibrateOptions & { folds?: number; seed?: number } = {},
): CalibratedTarget {
  encodeExamples(model, examples);
  opts = { ...opts, trustRegion: opts.trustRegion ?? trustRegionGraphs(model) };
  const n = examples.length;
  const k = Math.max(2, Math.min(opts.folds ?? 5, n));
  const order = shuffled(Array.from({ length: n }, (_, i) => i), opts.seed ?? 1);
  const cv = new Float64Array(n);
  for (let f = 0; f < k; f++) {
    const test = order.filter((_, i) => i % k === f);
    const testSet = new Set(test);
    const train = examples.filter((_, i) => !testSet.has(i));
    const fit = calibrateHead(train, model, baseHeadName, opts);
    const p = predictEncoded(test.map((i) => examples[i]!.encoded as EncodedGraph), fit.head);
    test.forEach((i, j) => (cv[i] = p[j] as number));
  }
  const measured = examples.map((e) => e.ms);
  const ratios = measured.map((m, i) => m / (cv[i] as number));
  const full = calibrateHead(examples, model, baseHeadName, opts);
  return {
    ...full,
    cvPredictions: cv,
    accuracy: { ...calibrationAccuracy(cv, measured), folds: k },
    interval: { lo: quantile(ratios, 0.05), hi: quantile(ratios, 0.95), n },
  };
}

/**
 * A copy of `model` whose head `headName` is served by `head` (a head of its own, see
 * `PerfSageConfig.ownHeads`); the encoder and every other head are shared with `model`, so the
 * encoder fingerprint and calibrated custom targets stay valid. Used by train/fit-head.ts.
 * @throws UnknownTargetError when `headName` is not in the model; Error when a shape does not fit
 */
export function withOwnHead(model: PerfSageModel, headName: string, head: HeadWeights): PerfSageModel {
  if (!model.config.heads.includes(headName)) throw new UnknownTargetError(headName, model.config.heads);
  const config = { ...model.config, ownHeads: [...new Set([...(model.config.ownHeads ?? []), headName])] };
  const shapes = weightShapes(config);
  const values: Record<OwnHeadPart, ArrayLike<number>> = { ...head, scale: [head.scale] };
  const weights: Record<string, tf.Tensor> = { ...model.weights };
  for (const part of OWN_HEAD_PARTS) {
    const name = ownHeadWeight(headName, part);
    weights[name] = tf.tensor(Array.from(values[part]), shapes[name]);
  }
  return new PerfSageModel(config, weights);
}
