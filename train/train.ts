/**
 * Trains the bundled PerfSAGE model on NB201 CIFAR-10 graphs (one shared encoder, one head per
 * target of train/target-defs.ts) and writes models/perfsage/weights.json and targets.json.
 *
 *   npm run train -- [--data DIR] [--epochs 24] [--hidden 64] [--batch 32] [--lr 0.003]
 *                    [--seed 1] [--minutes 60] [--limit N]
 *
 * Loss: weighted squared error of log(prediction) − log(measurement) (a relative loss, as MAPE is
 * what users read). Model selection: best mean validation MAPE over heads, checked every epoch.
 * Test archs are never used here except for the final accuracy written into targets.json.
 */
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 as rng } from '../src/core/random.ts';
import { initBackend } from '../src/predict/backend.ts';
import { makeBatch } from '../src/predict/batch.ts';
import { PerfSageModel, type PerfSageConfig } from '../src/predict/perfsage.ts';
import type { TargetEntry, TargetsFile } from '../src/predict/targets.ts';
import { encodeModel } from '../src/predict/weights-io.ts';
import { argValue, archGraph, loadNb201Dataset, REPO_ROOT, resolveDataDir, splitIndices, type Nb201Dataset, type ZeroEdges } from './dataset.ts';
import { column, predictArchs } from './infer.ts';
import { groupArchs } from './dedupe.ts';
import { quantile } from '../src/measure/stats.ts';
import { accuracy, MIN_MS } from './metrics.ts';
import { TARGET_DEFS, type TargetDef } from './target-defs.ts';

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 1;
}

/** Per-column mean/std over the nodes of the given archs. */
function featureStats(ds: Nb201Dataset, archs: number[]): { mean: number[]; std: number[]; min: number[]; max: number[] } {
  const F = ds.featureNames.length;
  const U = ds.dict.length / F;
  const count = new Float64Array(U);
  for (const a of archs) for (let i = ds.nodeOffset[a] as number; i < (ds.nodeOffset[a + 1] as number); i++) count[ds.rowIds[i] as number]!++;
  const mean = new Array<number>(F).fill(0);
  const sq = new Array<number>(F).fill(0);
  const min = new Array<number>(F).fill(Infinity);
  const max = new Array<number>(F).fill(-Infinity);
  let total = 0;
  for (let u = 0; u < U; u++) {
    const c = count[u] as number;
    if (c === 0) continue;
    total += c;
    for (let k = 0; k < F; k++) {
      const v = ds.dict[u * F + k] as number;
      mean[k]! += c * v;
      sq[k]! += c * v * v;
      min[k] = Math.min(min[k] as number, v);
      max[k] = Math.max(max[k] as number, v);
    }
  }
  const std = mean.map((s, k) => {
    const m = s / total;
    return Math.sqrt(Math.max((sq[k] as number) / total - m * m, 0));
  });
  return { mean: mean.map((s) => s / total), std: std.map((s) => (s > 1e-6 ? s : 1)), min, max };
}

/** Loss weight of a label: down-weights small whole-millisecond labels (±0.5 ms rounding). */
function labelWeight(y: number, def: TargetDef): number {
  if (!Number.isFinite(y) || y <= 0) return 0;
  if (def.resolutionMs === 0) return 1;
  const r = 3 * def.resolutionMs;
  return (y * y) / (y * y + r * r);
}

async function main(): Promise<void> {
  const dataDir = resolveDataDir();
  const epochs = Number(argValue('epochs') ?? 24);
  const hidden = Number(argValue('hidden') ?? 64);
  const batchSize = Number(argValue('batch') ?? 32);
  const lr0 = Number(argValue('lr') ?? 0.003);
  const seed = Number(argValue('seed') ?? 1);
  const minutes = Number(argValue('minutes') ?? 60);
  const limit = argValue('limit');
  const outDir = argValue('out') ?? join(REPO_ROOT, 'models', 'perfsage');
  const zeroEdges = (argValue('zero-edges') ?? 'hybrid') as ZeroEdges;
  const backend = await initBackend();
  console.log(`backend: ${backend.name}`);
  const t0 = Date.now();

  const ds = loadNb201Dataset(dataDir, { zeroEdges });
  console.log(`dataset ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  let train = splitIndices(ds, 'train');
  const val = splitIndices(ds, 'val');
  const test = splitIndices(ds, 'test');
  if (limit) train = train.slice(0, Number(limit));
  const defs = TARGET_DEFS.filter((d) => ds.labels[d.column]);
  const T = defs.length;

  const stats = featureStats(ds, train);
  const nodesTrain = train.map((a) => (ds.nodeOffset[a + 1] as number) - (ds.nodeOffset[a] as number));
  const medNodes = median(nodesTrain.filter((n) => n > 0));
  const scale = defs.map((d) => median(train.map((a) => (ds.labels[d.column] as Float64Array)[a] as number)) / medNodes);
  const config: PerfSageConfig = {
    featureNames: ds.featureNames,
    hidden,
    layers: 3,
    headHidden: hidden,
    heads: defs.map((d) => `${d.id}/latency`),
    featMean: stats.mean,
    featStd: stats.std,
    scale,
    featMin: stats.min.map((v, k) => (v - (stats.mean[k] as number)) / (stats.std[k] as number)),
    featMax: stats.max.map((v, k) => (v - (stats.mean[k] as number)) / (stats.std[k] as number)),
  };
  const model = PerfSageModel.init(config, seed);
  const vars = model.variables();
  const optimizer = tf.train.adam(lr0);
  const rand = rng(seed);

  // One sample per WL-equivalence group (see dedupe.ts): summed weight, weighted mean log label.
  // A graph folded to nothing whose label is >= MIN_MS contradicts its measurement (the runtime
  // executed something): such labels get weight 0.
  const groups = groupArchs(ds, train);
  const gW = new Float32Array(groups.length * T);
  const gL = new Float32Array(groups.length * T);
  groups.forEach((g, gi) => {
    const empty = (ds.nodeOffset[g.rep + 1] as number) === (ds.nodeOffset[g.rep] as number);
    defs.forEach((d, t) => {
      let W = 0;
      let L = 0;
      for (const a of g.members) {
        const y = (ds.labels[d.column] as Float64Array)[a] as number;
        const wt = empty && y >= MIN_MS ? 0 : labelWeight(y, d);
        if (wt > 0) {
          W += wt;
          L += wt * Math.log(y);
        }
      }
      gW[gi * T + t] = W;
      gL[gi * T + t] = W > 0 ? L / W : 0;
    });
  });
  console.log(`${train.length} train archs in ${groups.length} WL-distinct graphs; val ${val.length}, test ${test.length}`);
  const stepsPerEpoch = Math.ceil(groups.length / batchSize);
  let plannedEpochs = epochs;
  let best = { score: Infinity, epoch: -1, values: new Map<string, Float32Array>() };
  const bar = new cliProgress.SingleBar(
    { format: 'train [{bar}] {percentage}% | epoch {epoch}/{epochs} | loss {loss} | val MAPE {val}% (best {best}%) | {duration_formatted}', noTTYOutput: true, notTTYSchedule: 30000 },
    cliProgress.Presets.shades_classic,
  );
  let step = 0;
  bar.start(plannedEpochs * stepsPerEpoch, 0, { epoch: 1, epochs: plannedEpochs, loss: '-', val: '-', best: '-' });
  const history: string[] = [];
  for (let epoch = 0; epoch < plannedEpochs; epoch++) {
    const te = Date.now();
    const order = groups.map((_, gi) => gi);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let lossSum = 0;
    for (let s = 0; s < order.length; s += batchSize) {
      const part = order.slice(s, s + batchSize);
      // Cosine decay from lr0 to lr0/30 over the planned steps.
      const progress = Math.min(step / (plannedEpochs * stepsPerEpoch), 1);
      (optimizer as unknown as { learningRate: number }).learningRate = (lr0 / 30) + (lr0 - lr0 / 30) * 0.5 * (1 + Math.cos(Math.PI * progress));
      const batch = makeBatch(
        part.map((gi) => archGraph(ds, (groups[gi] as { rep: number }).rep)),
        config.featMean,
        config.featStd,
      );
      const y = new Float32Array(part.length * T);
      const w = new Float32Array(part.length * T);
      part.forEach((gi, b) => {
        for (let t = 0; t < T; t++) {
          y[b * T + t] = gL[gi * T + t] as number;
          w[b * T + t] = gW[gi * T + t] as number;
        }
      });
      const loss = tf.tidy(() => {
        const yT = tf.tensor2d(y, [part.length, T]);
        const wT = tf.tensor2d(w, [part.length, T]);
        const { value, grads } = tf.variableGrads(() => {
          const out = model.forward(batch);
          const err = tf.sub(tf.log(tf.add(out.total, 1e-6)), yT);
          return tf.div(tf.sum(tf.mul(wT, tf.square(err))), tf.add(tf.sum(wT), 1e-6)) as tf.Scalar;
        }, vars);
        // Clip by global norm 5.
        const norm = Math.sqrt(Object.values(grads).reduce((acc, g) => acc + (tf.sum(tf.square(g)).dataSync()[0] as number), 0));
        const k = norm > 5 ? 5 / norm : 1;
        const clipped: tf.NamedTensorMap = {};
        for (const [name, g] of Object.entries(grads)) clipped[name] = k === 1 ? g : tf.mul(g, k);
        optimizer.applyGradients(clipped as unknown as Parameters<typeof optimizer.applyGradients>[0]);
        return value.dataSync()[0] as number;
      });
      lossSum += loss * part.length;
      step++;
      bar.update(step, { epoch: epoch + 1, epochs: plannedEpochs, loss: loss.toFixed(4) });
    }
    // Validation: mean MAPE over heads (archs measured ≥ MIN_MS).
    const pv = predictArchs(model, ds, val);
    const mapes = defs.map((d, t) => accuracy(column(pv, T, t), val.map((a) => (ds.labels[d.column] as Float64Array)[a] as number)).mape);
    const score = mapes.reduce((a, b) => a + b, 0) / T;
    if (score < best.score) {
      const values = new Map<string, Float32Array>();
      for (const v of vars) values.set(v.name, Float32Array.from(v.dataSync() as Float32Array));
      best = { score, epoch, values };
    }
    const sec = (Date.now() - te) / 1000;
    history.push(`epoch ${epoch + 1}: train loss ${(lossSum / order.length).toFixed(4)}, val MAPE ${mapes.map((m) => m.toFixed(1)).join('/')} (mean ${score.toFixed(2)}%), ${sec.toFixed(0)} s`);
    if (!process.stdout.isTTY) console.log(history[history.length - 1]);
    if (epoch === 0) {
      // Fit the schedule into the time budget once the first epoch's duration is known.
      const fit = Math.max(1, Math.floor((minutes * 60 - (Date.now() - t0) / 1000) / sec) + 1);
      if (fit < plannedEpochs) {
        plannedEpochs = fit;
        bar.setTotal(plannedEpochs * stepsPerEpoch);
      }
    }
    bar.update(step, { epoch: epoch + 1, epochs: plannedEpochs, val: score.toFixed(2), best: best.score.toFixed(2) });
  }
  bar.stop();
  for (const h of history) console.log(h);
  for (const v of vars) v.assign(tf.tensor(best.values.get(v.name) as Float32Array, v.shape));
  const trainSeconds = (Date.now() - t0) / 1000;
  console.log(`best epoch ${best.epoch + 1} (val mean MAPE ${best.score.toFixed(2)}%), ${trainSeconds.toFixed(0)} s total`);

  // Interval calibration (validation split) and held-out accuracy (test split).
  const pv = predictArchs(model, ds, val);
  const pt = predictArchs(model, ds, test);
  const inTrain = (a: number): boolean => (ds.nodeOffset[a + 1] as number) > (ds.nodeOffset[a] as number);
  const featureRanges: Record<string, [number, number]> = {};
  ds.featureNames.forEach((name, k) => {
    featureRanges[name] = [stats.min[k] as number, stats.max[k] as number];
  });
  const nonEmpty = train.filter(inTrain);
  const nodeCounts = nonEmpty.map((a) => (ds.nodeOffset[a + 1] as number) - (ds.nodeOffset[a] as number));
  const macs = nonEmpty.map((a) => ds.macs[a] as number);
  const targets: TargetEntry[] = defs.map((d, t) => {
    const yv = val.map((a) => (ds.labels[d.column] as Float64Array)[a] as number);
    const ratios = yv.map((y, i) => ({ y, r: y / (pv[i * T + t] as number) })).filter((o) => o.y >= MIN_MS).map((o) => o.r);
    const yt = test.map((a) => (ds.labels[d.column] as Float64Array)[a] as number);
    const acc = accuracy(column(pt, T, t), yt);
    const ytrain = train.map((a) => (ds.labels[d.column] as Float64Array)[a] as number).filter(Number.isFinite);
    return {
      id: d.id,
      device: d.device,
      runtime: d.runtime,
      metrics: ['latency'],
      units: { latency: 'ms' },
      heads: { latency: `${d.id}/latency` },
      source: d.source,
      license: d.license,
      trainingCount: ytrain.length,
      inputSizes: ['1x3x32x32'],
      labelRange: { latency: [Math.min(...ytrain), Math.max(...ytrain)] },
      accuracy: { latency: { n: acc.n, mape: round(acc.mape, 2), within10: round(acc.within10, 3), kendallTau: round(acc.kendallTau, 3) } },
      interval: { latency: { lo: round(quantile(ratios, 0.05), 4), hi: round(quantile(ratios, 0.95), 4), n: ratios.length } },
    };
  });
  const targetsFile: TargetsFile = {
    format: 'edgeperf-targets-v1',
    training:
      `NAS-Bench-201 CIFAR-10 TinyNetwork graphs (C=16, N=5, input 1x3x32x32) built with buildNb201Onnx and analysed with ` +
      `folding + DCE (none edges: ${zeroEdges}); split by a seeded hash of arch_idx into train ${train.length} / val ${val.length} / test ${test.length}; ` +
      `hidden ${hidden}, K=3, batch ${batchSize}, ${plannedEpochs} epochs (best ${best.epoch + 1}), seed ${seed}, ` +
      `${Math.round(trainSeconds)} s on the ${backend.name} backend. Accuracy: test split, archs measured >= ${MIN_MS} ms.`,
    nb201ZeroEdges: zeroEdges,
    opsSeen: ds.ops,
    featureRanges,
    graphRanges: { nodes: [Math.min(...nodeCounts), Math.max(...nodeCounts)], macs: [Math.min(...macs), Math.max(...macs)] },
    targets,
  };
  const weights = await encodeModel(model);
  writeFileSync(join(outDir, 'weights.json'), JSON.stringify(weights) + '\n');
  writeFileSync(join(outDir, 'targets.json'), JSON.stringify(targetsFile, null, 2) + '\n');
  for (const t of targets) {
    const a = t.accuracy?.latency;
    console.log(`${t.id}: test n=${a?.n} MAPE ${a?.mape}% ±10% ${a?.within10} tau ${a?.kendallTau}; interval ×[${t.interval?.latency?.lo}, ${t.interval?.latency?.hi}]`);
  }
  console.log(`wrote ${join(outDir, 'weights.json')} (${(JSON.stringify(weights).length / 1024).toFixed(0)} KB) and targets.json`);
}

function round(v: number, d: number): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}

await main();
