/**
 * Held-out evaluation of the shipped model (models/perfsage/weights.json) on the TEST split of
 * train/dataset.ts, next to a FLOPs-linear baseline (latency = a·MACs + b, least squares per
 * target on the train split). Prints a markdown table per target.
 *
 *   npm run evaluate -- [--data DIR]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import { initBackend } from '../src/predict/backend.ts';
import { createPredictor } from '../src/predict/predictor.ts';
import type { TargetsFile } from '../src/predict/targets.ts';
import { decodeModel, type WeightsFile } from '../src/predict/weights-io.ts';
import * as tf from '@tensorflow/tfjs';
import { buildNb201Onnx } from '../src/synth/nb201.ts';
import { buildNb201Tflite } from '../src/synth/nb201-tflite.ts';
import { extractFeatures } from '../src/cost/features.ts';
import { makeBatch, type GnnGraph } from '../src/predict/batch.ts';
import type { PerfSageModel } from '../src/predict/perfsage.ts';
import type { ModelAnalysis } from '../src/core/types.ts';
import { loadNb201Dataset, REPO_ROOT, resolveDataDir, splitIndices, type ZeroEdges } from './dataset.ts';
import { column, predictArchs } from './infer.ts';
import { accuracy, fitLeastSquares, fitLinear, MIN_MS, type Accuracy } from './metrics.ts';
import { OP_VOCAB } from '../src/cost/features.ts';
import type { Nb201Dataset } from './dataset.ts';
import { TARGET_DEFS } from './target-defs.ts';

/**
 * Per-op lookup-table regressors of an arch (the nn-Meter idea: latency = Σ per-op costs): for each
 * op token, its node count and its summed MACs (in millions), plus a constant.
 */
function opTableRow(ds: Nb201Dataset, a: number): number[] {
  const F = ds.featureNames.length;
  const K = OP_VOCAB.length;
  const macsCol = ds.featureNames.indexOf('log1p_macs');
  const row = new Array<number>(2 * K + 1).fill(0);
  for (let i = ds.nodeOffset[a] as number; i < (ds.nodeOffset[a + 1] as number); i++) {
    const r = ds.rowIds[i] as number;
    let k = 0;
    while (k < K && ds.dict[r * F + k] !== 1) k++;
    row[k]! += 1;
    row[K + k]! += Math.expm1(ds.dict[r * F + macsCol] as number) / 1e6;
  }
  row[2 * K] = 1;
  return row;
}

/**
 * The analysis of an NB201 arch built as TFLite (converter conventions, fused activations), with
 * the dataset's `none`-edge mode (`hybrid`: the folded graph when empty, else all branches kept).
 */
function analyseNb201Tflite(archStr: string, zeroEdges: ZeroEdges): ModelAnalysis {
  const build = (z: 'fold' | 'keep'): ModelAnalysis => analyzeModel(buildNb201Tflite(archStr, { weights: 'external', zeroEdges: z }), `nb201:${archStr}.tflite`);
  if (zeroEdges !== 'hybrid') return build(zeroEdges);
  const folded = build('fold');
  return folded.nodes === 0 ? folded : build('keep');
}

/** Predicted totals [graphs.length, T] for in-memory GNN graphs, in batches. */
function predictGraphs(model: PerfSageModel, graphs: GnnGraph[], batchSize = 256): Float64Array {
  const T = model.config.heads.length;
  const out = new Float64Array(graphs.length * T);
  for (let s = 0; s < graphs.length; s += batchSize) {
    const batch = makeBatch(graphs.slice(s, s + batchSize), model.config.featMean, model.config.featStd);
    out.set(tf.tidy(() => model.forward(batch).total.dataSync()), s * T);
  }
  return out;
}

const pct = (v: number): string => `${v.toFixed(1)}%`;
const share = (v: number): string => `${(100 * v).toFixed(1)}%`;

async function main(): Promise<void> {
  const dataDir = resolveDataDir();
  const backend = await initBackend();
  const file = JSON.parse(readFileSync(join(REPO_ROOT, 'models/perfsage/weights.json'), 'utf8')) as WeightsFile;
  const targetsFile = JSON.parse(readFileSync(join(REPO_ROOT, 'models/perfsage/targets.json'), 'utf8')) as TargetsFile;
  const model = decodeModel(file);
  const ds = loadNb201Dataset(dataDir, { zeroEdges: targetsFile.nb201ZeroEdges ?? 'fold' });
  const train = splitIndices(ds, 'train');
  const test = splitIndices(ds, 'test');
  const heads = model.config.heads;
  const T = heads.length;
  const pred = predictArchs(model, ds, test);

  const rows: string[][] = [];
  let excludedNote = '';
  for (const def of TARGET_DEFS) {
    const h = heads.indexOf(`${def.id}/latency`);
    const labels = ds.labels[def.column];
    if (h < 0 || !labels) continue;
    const y = test.map((a) => labels[a] as number);
    const gnn: Accuracy = accuracy(column(pred, T, h), y);
    const lin = fitLinear(
      train.map((a) => ds.macs[a] as number),
      train.map((a) => labels[a] as number),
    );
    const base: Accuracy = accuracy(
      test.map((a) => lin.a * (ds.macs[a] as number) + lin.b),
      y,
    );
    const beta = fitLeastSquares(
      train.map((a) => opTableRow(ds, a)),
      train.map((a) => labels[a] as number),
    );
    const table: Accuracy = accuracy(
      test.map((a) => opTableRow(ds, a).reduce((acc, v, k) => acc + v * (beta[k] as number), 0)),
      y,
    );
    rows.push([
      def.id,
      String(gnn.n),
      String(gnn.excluded),
      pct(gnn.mape),
      pct(gnn.medape),
      share(gnn.within10),
      gnn.kendallTau.toFixed(3),
      pct(base.mape),
      share(base.within10),
      base.kendallTau.toFixed(3),
      pct(table.mape),
      table.kendallTau.toFixed(3),
    ]);
    if (def.id === 'raspberry-pi-4') excludedNote = `${gnn.excluded} of ${test.length} test archs on raspberry-pi-4`;
  }
  console.log(`\nPerfSAGE vs FLOPs-linear on the NB201 TEST split (${test.length} archs never used for training or model selection).`);
  console.log('Baselines fitted on the train split by least squares: FLOPs-linear = a·MACs + b; per-op table = per-op-type node counts and MACs (nn-Meter idea).');
  console.log(`MAPE / median APE / ±10% / Kendall tau count archs measured at >= ${MIN_MS} ms; excluded: ${excludedNote} (networks folded away).\n`);
  console.log(
    markdownTable([
      ['target', 'n', 'excluded (<0.5 ms)', 'GNN MAPE', 'GNN median APE', 'GNN ±10%', 'GNN Kendall τ', 'FLOPs-linear MAPE', 'FLOPs-linear ±10%', 'FLOPs-linear Kendall τ', 'per-op table MAPE', 'per-op table Kendall τ'],
      ...rows,
    ]),
  );

  // The same TEST split fed as TFLite: each arch written by buildNb201Tflite, read back through the
  // TFLite reader and featurised on the fly (the ONNX rows above come from the featurised cache).
  const zeroEdges: ZeroEdges = targetsFile.nb201ZeroEdges ?? 'fold';
  const tFeat = performance.now();
  const tfliteGraphs: GnnGraph[] = test.map((a) => {
    const f = extractFeatures(analyseNb201Tflite(ds.archStr[a] as string, zeroEdges));
    return { n: f.nodeIndex.length, x: f.x, edgeSrc: f.edgeSrc, edgeDst: f.edgeDst };
  });
  const featSeconds = (performance.now() - tFeat) / 1000;
  const predTflite = predictGraphs(model, tfliteGraphs);
  const tfliteRows: string[][] = [];
  for (const id of ['raspberry-pi-4', 'pixel-3']) {
    const def = TARGET_DEFS.find((d) => d.id === id);
    const h = heads.indexOf(`${id}/latency`);
    const labels = def ? ds.labels[def.column] : undefined;
    if (!def || h < 0 || !labels) continue;
    const y = test.map((a) => labels[a] as number);
    const po = column(pred, T, h);
    const pt = column(predTflite, T, h);
    const g: Accuracy = accuracy(po, y);
    const gt: Accuracy = accuracy(pt, y);
    const rel = Array.from(pt, (v, i) => Math.abs(v / (po[i] as number) - 1)).filter((v) => Number.isFinite(v)).sort((p, q) => p - q);
    const median = rel[Math.floor(rel.length / 2)] ?? 0;
    const max = rel[rel.length - 1] ?? 0;
    tfliteRows.push([id, String(gt.n), pct(g.mape), pct(gt.mape), share(g.within10), share(gt.within10), g.kendallTau.toFixed(3), gt.kendallTau.toFixed(3), `${(100 * median).toFixed(2)}%`, `${(100 * max).toFixed(2)}%`]);
  }
  console.log(`\nThe same NB201 TEST split fed as TFLite (buildNb201Tflite: NHWC, OHWI weights, BN lowered to MUL+ADD, converter-fused ReLUs, MEAN+RESHAPE head; '${zeroEdges}' none edges), read back through the TFLite reader.`);
  console.log(`Featurised on the fly: ${test.length} archs in ${featSeconds.toFixed(1)} s. abs Δ = per-arch abs(TFLite prediction / ONNX prediction − 1).\n`);
  console.log(
    markdownTable([
      ['target', 'n', 'GNN MAPE (ONNX)', 'GNN MAPE (TFLite)', '±10% (ONNX)', '±10% (TFLite)', 'Kendall τ (ONNX)', 'Kendall τ (TFLite)', 'median abs Δ', 'max abs Δ'],
      ...tfliteRows,
    ]),
  );

  // Predict time through the public API on the all-conv3x3 network (~250 executed nodes).
  const predictor = createPredictor(model, targetsFile);
  const analysis = analyzeModel(buildNb201Onnx('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'), 'all-conv3x3.onnx');
  const ids = targetsFile.targets.map((t) => t.id);
  await predictor.predict(analysis, ids);
  const reps = 20;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await predictor.predict(analysis, ids);
  const ms = (performance.now() - t0) / reps;
  console.log(`\npredict() for a ${analysis.graph.nodes.length}-node graph, ${ids.length} targets: ${ms.toFixed(1)} ms (${backend.name} backend)`);
}

await main();
