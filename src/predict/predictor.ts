/**
 * The bundled PerfSAGE predictor: implements the `Predictor` contract of src/core/types.ts from
 * models/perfsage/weights.json and targets.json (both bundled by static JSON imports).
 */
import * as tf from '@tensorflow/tfjs';
import weightsJson from '../../models/perfsage/weights.json' with { type: 'json' };
import { ConfigError, UnknownTargetError } from '../core/errors.ts';
import type { Metric, ModelAnalysis, Prediction, Predictor, TargetInfo } from '../core/types.ts';
import { extractFeatures } from '../cost/features.ts';
import { initBackend } from './backend.ts';
import { makeBatch, toGnnGraph } from './batch.ts';
import { checkCustomTarget, headFromJson, headTensors, type CustomTarget, type HeadWeights } from './custom-target.ts';
import { calibrationReasons, oodReasons, rangesOf } from './ood.ts';
import { emptyReadout, headReadout, type PerfSageModel } from './perfsage.ts';
import { bundledTargets, graphBatch, intervalFor, toTargetInfo, type TargetEntry, type TargetsFile } from './targets.ts';
import { decodeModel, type WeightsFile } from './weights-io.ts';
import { layerNames } from '../graph/naming.ts';

/** Raw GNN output for one graph: per-node and overhead values (ms) per head. */
export interface GnnResult {
  /** For each GNN node, its index into `analysis.graph.nodes`. */
  nodeIndex: number[];
  /** Per-node contributions [n][T] in ms. */
  node: Float32Array;
  /** Overhead per head [T] in ms. */
  overhead: Float32Array;
  /** OOD reasons for a target (ops, feature ranges its training never saw); memoised per target. */
  oodReasons: (t: TargetEntry) => string[];
  /** Outputs of the custom heads asked for, by key: per-node [n] and overhead [1], ms. */
  custom: Record<string, { node: Float32Array; overhead: Float32Array }>;
  /** Batch the graph runs at (`graphBatch`), which picks the interval group (`intervalFor`). */
  batch: number;
  /** Op name per GNN node ([n], `GraphFeatures.rawOps`), for `calibrationReasons`. */
  rawOps: string[];
}

/**
 * Runs the GNN on one analysis (all bundled heads at once, plus the custom heads given, on the
 * same encoder output). A graph with no executed nodes gets zero contributions and the overhead only.
 * @param customHeads single-output heads by key (calibrated custom targets)
 */
export function runGnn(model: PerfSageModel, analysis: ModelAnalysis, targets: TargetsFile, customHeads: Record<string, HeadWeights> = {}): GnnResult {
  const f = extractFeatures(analysis);
  const layers = layerNames(analysis.graph);
  const names = f.nodeIndex.map((i) => layers[i] ?? `#${i}`);
  const memo = new Map<TargetEntry, string[]>();
  const reasons = (t: TargetEntry): string[] => {
    let r = memo.get(t);
    if (!r) {
      r = oodReasons(f, names, analysis.macs, rangesOf(t, targets));
      memo.set(t, r);
    }
    return r;
  };
  const batch = makeBatch([toGnnGraph(f)], model.config.featMean, model.config.featStd);
  let node = new Float32Array(0);
  let overhead = new Float32Array(0);
  const custom: GnnResult['custom'] = {};
  tf.tidy(() => {
    const enc = batch.numNodes === 0 ? undefined : model.encode(batch);
    const out = enc ? model.readout(enc) : model.forward(batch);
    node = Float32Array.from(out.node.dataSync());
    overhead = Float32Array.from(out.overhead.dataSync());
    for (const [key, h] of Object.entries(customHeads)) {
      const p = headTensors(h);
      const c = enc ? headReadout(enc, p) : emptyReadout(p, 1);
      custom[key] = { node: Float32Array.from(c.node.dataSync()), overhead: Float32Array.from(c.overhead.dataSync()) };
    }
  });
  return { nodeIndex: f.nodeIndex, node, overhead, oodReasons: reasons, custom, batch: graphBatch(analysis.graph), rawOps: f.rawOps };
}

/** Builds the `Prediction` of one (target, metric) from a GNN result. */
export function toPrediction(t: TargetEntry, metric: Metric, head: number, heads: number, r: GnnResult, nodeCount: number): Prediction {
  const contributions = new Array<number>(nodeCount).fill(0);
  const rowMs = new Float64Array(r.nodeIndex.length);
  let sum = 0;
  r.nodeIndex.forEach((gi, i) => {
    const c = r.node[i * heads + head] as number;
    // A node with an expanded fused activation has two GNN rows (see extractFeatures).
    contributions[gi] = (contributions[gi] as number) + c;
    rowMs[i] = c;
    sum += c;
  });
  const overhead = r.overhead[head] as number;
  const value = sum + overhead;
  const cal = t.interval?.[metric];
  const reasons = [...r.oodReasons(t), ...calibrationReasons(t, r.rawOps, rowMs, value)];
  const p: Prediction = {
    target: t.id,
    metric,
    unit: t.units[metric] ?? (metric === 'latency' ? 'ms' : 'mJ'),
    value,
    contributions,
    overhead,
    ood: reasons.length > 0,
    oodReasons: reasons,
  };
  if (cal) {
    const { lo, hi } = intervalFor(cal, r.batch);
    p.interval = [value * lo, value * hi];
  }
  return p;
}

/** A calibrated custom target as a registry entry (its one head is `custom:<id>`). */
function customEntry(t: CustomTarget): TargetEntry {
  const d = t.data;
  return {
    id: d.id,
    device: d.device,
    runtime: d.runtime,
    metrics: ['latency'],
    units: { latency: 'ms' },
    heads: { latency: `custom:${d.id}` },
    source: `calibrated with 'edgeperf calibrate' from ${d.trainingCount} measurements (${d.measurement.source}), base target ${d.baseTarget}`,
    license: 'your own measurements',
    trainingCount: d.trainingCount,
    inputSizes: [],
    labelRange: { latency: d.labelRange },
    accuracy: { latency: { n: d.accuracy.n, mape: d.accuracy.mape, within10: d.accuracy.within10, kendallTau: d.accuracy.kendallTau } },
    interval: { latency: d.interval },
    calibration: { baseTarget: d.baseTarget, ...(d.opsMeasured ? { opsMeasured: d.opsMeasured } : {}) },
  };
}

function customInfo(t: CustomTarget, e: TargetEntry): TargetInfo {
  return { ...toTargetInfo(e), data: `${e.source}; calibrated ${t.data.created.slice(0, 10)} from ${t.file}; accuracy ${t.data.accuracy.folds}-fold cross-validated` };
}

/**
 * A `Predictor` over a decoded model and a targets registry (used by `loadPredictor` and tests),
 * plus calibrated custom targets (listed after the bundled ones, predicted on the same encoder
 * output, with their cross-validated interval; OOD reasons as for bundled targets).
 * @throws ConfigError naming a custom target file calibrated on other weights, or whose id is taken
 */
export function createPredictor(model: PerfSageModel, targets: TargetsFile, customTargets: readonly CustomTarget[] = []): Predictor {
  const custom = new Map<string, { entry: TargetEntry; head: HeadWeights; info: TargetInfo }>();
  for (const t of customTargets) {
    checkCustomTarget(t, model);
    if (targets.targets.some((e) => e.id === t.data.id)) {
      throw new ConfigError(t.file, `target id '${t.data.id}' is a bundled target; calibrate under another id`);
    }
    if (custom.has(t.data.id)) throw new ConfigError(t.file, `target id '${t.data.id}' is defined by two custom target files`);
    // OOD checks against what the frozen encoder and the base head were trained on.
    const base = targets.targets.find((e) => e.id === t.data.baseTarget);
    const entry: TargetEntry = { ...customEntry(t), ...(base?.opsSeen && base.featureRanges && base.graphRanges ? { opsSeen: base.opsSeen, featureRanges: base.featureRanges, graphRanges: base.graphRanges } : {}) };
    custom.set(t.data.id, { entry, head: headFromJson(t.data.head), info: customInfo(t, entry) });
  }
  const infos: TargetInfo[] = [...targets.targets.map(toTargetInfo), ...[...custom.values()].map((c) => c.info)];
  const knownIds = infos.map((t) => t.id);
  const heads = model.config.heads;
  return {
    targets: () => infos.map((t) => ({ ...t })),
    async predict(analysis: ModelAnalysis, ids: string[]): Promise<Prediction[]> {
      const entries = ids.map((id) => {
        const t = targets.targets.find((e) => e.id === id) ?? custom.get(id)?.entry;
        if (!t) throw new UnknownTargetError(id, knownIds);
        return t;
      });
      await initBackend();
      const wanted: Record<string, HeadWeights> = {};
      for (const id of ids) {
        const c = custom.get(id);
        if (c) wanted[id] = c.head;
      }
      const r = runGnn(model, analysis, targets, wanted);
      const out: Prediction[] = [];
      for (const t of entries) {
        const c = r.custom[t.id];
        if (c && custom.has(t.id)) {
          out.push(toPrediction(t, 'latency', 0, 1, { ...r, node: c.node, overhead: c.overhead }, analysis.graph.nodes.length));
          continue;
        }
        for (const metric of t.metrics) {
          const headName = t.heads[metric];
          const h = headName === undefined ? -1 : heads.indexOf(headName);
          if (h < 0) throw new Error(`models/perfsage/targets.json: head '${headName ?? ''}' of ${t.id}/${metric} is not in weights.json`);
          out.push(toPrediction(t, metric, h, heads.length, r, analysis.graph.nodes.length));
        }
      }
      return out;
    },
  };
}

/** The bundled PerfSAGE model (weights.json decoded; call `initBackend` first). */
export function loadBundledModel(): PerfSageModel {
  return decodeModel(weightsJson as unknown as WeightsFile);
}

/**
 * Loads the bundled PerfSAGE predictor (initialises the TensorFlow.js backend: tfjs-node if
 * installed, else wasm, else cpu), with calibrated custom targets if given (see
 * `loadCustomTargets` in custom-target.ts).
 * @throws Error when weights.json is malformed; ConfigError for a custom target that does not fit
 */
export async function loadPredictor(opts: { customTargets?: readonly CustomTarget[] } = {}): Promise<Predictor> {
  await initBackend();
  return createPredictor(loadBundledModel(), bundledTargets(), opts.customTargets ?? []);
}
