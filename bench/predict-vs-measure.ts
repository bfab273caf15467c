/**
 * How much cheaper a prediction is than a measurement (issue #5): on the same models, the wall
 * time of `analyzeModel` + `predictor.predict` (one target) against `measureModels` (onnxruntime-node,
 * 1 thread, 5 warm-up + 30 timed runs, what `edgeperf measure` does by default). Prints a table
 * and the ratio.
 *
 *   node --import tsx bench/predict-vs-measure.ts [--runs 30]
 *
 * Models: the real ONNX models in ../shared/models/onnx-light (when present) and one random graph
 * per family of src/synth/random (seed 0).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import { loadPredictor } from '../src/predict/predictor.ts';
import { measureModels } from '../src/measure/ort.ts';
import { buildRandomOnnx, FAMILIES } from '../src/synth/random/index.ts';
import { argValue } from '../train/dataset.ts';

const runs = Number(argValue('runs') ?? 30);
const shared = resolve(import.meta.dirname, '../../shared/models/onnx-light');
const models: Array<{ file: string; bytes: Uint8Array }> = [];
if (existsSync(shared)) {
  for (const f of readdirSync(shared).filter((f) => f.endsWith('.onnx')).sort()) {
    models.push({ file: f, bytes: new Uint8Array(readFileSync(join(shared, f))) });
  }
}
for (const family of FAMILIES) models.push({ file: `random ${family} #0`, bytes: buildRandomOnnx(family, 0) });

const predictor = await loadPredictor();
const rows: string[][] = [];
let totalPredict = 0;
let totalMeasure = 0;
for (const m of models) {
  const t0 = performance.now();
  const analysis = analyzeModel(m.bytes, m.file);
  const [p] = await predictor.predict(analysis, ['raspberry-pi-4']);
  const predictMs = performance.now() - t0;
  const t1 = performance.now();
  const { results, failures } = await measureModels([m], { runs, warmup: 5, threads: 1 });
  const measureMs = performance.now() - t1;
  const r = results[0];
  totalPredict += predictMs;
  totalMeasure += measureMs;
  rows.push([
    m.file,
    String(analysis.nodes),
    (analysis.macs / 1e6).toFixed(1),
    predictMs.toFixed(1),
    r ? r.median_ms.toFixed(2) : `failed: ${failures[0]?.error ?? '?'}`,
    measureMs.toFixed(0),
    (measureMs / predictMs).toFixed(0),
    p ? p.value.toFixed(1) : '',
  ]);
}
console.log(`predict (analyse + GNN, 1 target) vs measure (onnxruntime-node, 1 thread, 5 warm-up + ${runs} runs), wall time per model`);
console.log(
  markdownTable(
    [['model', 'nodes', 'MMACs', 'predict ms', 'measured median ms', 'measure wall ms', 'measure / predict', 'predicted raspberry-pi-4 ms'], ...rows],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
  ),
);
console.log(`total: predict ${totalPredict.toFixed(0)} ms, measure ${totalMeasure.toFixed(0)} ms, ratio ${(totalMeasure / totalPredict).toFixed(1)}x`);
