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
import { buildNb201Onnx } from '../src/synth/nb201.ts';
import { loadNb201Dataset, REPO_ROOT, resolveDataDir, splitIndices } from './dataset.ts';
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
