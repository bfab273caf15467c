/**
 * The bundled PerfSAGE predictor: implements the `Predictor` contract of src/core/types.ts from
 * models/perfsage/weights.json and targets.json (both bundled by static JSON imports).
 */
import * as tf from '@tensorflow/tfjs';
import weightsJson from '../../models/perfsage/weights.json' with { type: 'json' };
import { UnknownTargetError } from '../core/errors.ts';
import type { Metric, ModelAnalysis, Prediction, Predictor, TargetInfo } from '../core/types.ts';
import { extractFeatures } from '../cost/features.ts';
import { initBackend } from './backend.ts';
import { makeBatch } from './batch.ts';
import { oodReasons } from './ood.ts';
import type { PerfSageModel } from './perfsage.ts';
import { bundledTargets, toTargetInfo, type TargetEntry, type TargetsFile } from './targets.ts';
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
  /** OOD reasons shared by every head (ops, feature ranges). */
  oodReasons: string[];
}

/**
 * Runs the GNN on one analysis (all heads at once).
 * A graph with no executed nodes gets zero contributions and the overhead only.
 */
export function runGnn(model: PerfSageModel, analysis: ModelAnalysis, targets: TargetsFile): GnnResult {
  const f = extractFeatures(analysis);
  const layers = layerNames(analysis.graph);
  const names = f.nodeIndex.map((i) => layers[i] ?? `#${i}`);
  const reasons = oodReasons(f, names, analysis.macs, targets);
  const batch = makeBatch([{ n: f.nodeIndex.length, x: f.x, edgeSrc: f.edgeSrc, edgeDst: f.edgeDst }], model.config.featMean, model.config.featStd);
  const [node, overhead] = tf.tidy(() => {
    const out = model.forward(batch);
    return [out.node.dataSync() as Float32Array, out.overhead.dataSync() as Float32Array];
  });
  return { nodeIndex: f.nodeIndex, node: Float32Array.from(node), overhead: Float32Array.from(overhead), oodReasons: reasons };
}

/** Builds the `Prediction` of one (target, metric) from a GNN result. */
export function toPrediction(t: TargetEntry, metric: Metric, head: number, heads: number, r: GnnResult, nodeCount: number): Prediction {
  const contributions = new Array<number>(nodeCount).fill(0);
  let sum = 0;
  r.nodeIndex.forEach((gi, i) => {
    const c = r.node[i * heads + head] as number;
    // A node with an expanded fused activation has two GNN rows (see extractFeatures).
    contributions[gi] = (contributions[gi] as number) + c;
    sum += c;
  });
  const overhead = r.overhead[head] as number;
  const value = sum + overhead;
  const cal = t.interval?.[metric];
  const reasons = [...r.oodReasons];
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
  if (cal) p.interval = [value * cal.lo, value * cal.hi];
  return p;
}

/** A `Predictor` over a decoded model and a targets registry (used by `loadPredictor` and tests). */
export function createPredictor(model: PerfSageModel, targets: TargetsFile): Predictor {
  const infos: TargetInfo[] = targets.targets.map(toTargetInfo);
  const heads = model.config.heads;
  return {
    targets: () => infos.map((t) => ({ ...t })),
    async predict(analysis: ModelAnalysis, ids: string[]): Promise<Prediction[]> {
      const entries = ids.map((id) => {
        const t = targets.targets.find((e) => e.id === id);
        if (!t) throw new UnknownTargetError(id, targets.targets.map((e) => e.id));
        return t;
      });
      await initBackend();
      const r = runGnn(model, analysis, targets);
      const out: Prediction[] = [];
      for (const t of entries) {
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

/**
 * Loads the bundled PerfSAGE predictor (initialises the TensorFlow.js backend: tfjs-node if
 * installed, else wasm, else cpu).
 * @throws Error when weights.json is malformed
 */
export async function loadPredictor(): Promise<Predictor> {
  await initBackend();
  const model = decodeModel(weightsJson as unknown as WeightsFile);
  return createPredictor(model, bundledTargets());
}
