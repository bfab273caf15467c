/**
 * Prediction time on large graphs: the bundled predictor on every target at once, against graph
 * size (goal: a 1,000-node graph for all targets in ≤ 50 ms). Graphs are EfficientNet-style CNNs
 * (MBConv: 1x1 expand → SiLU → depthwise → SiLU → squeeze-excite → 1x1 project → residual Add;
 * the EfficientNet-B0 stage table with its repeats scaled by a depth multiplier, 224×224 input)
 * sized to ~100, ~300 and ~1,000 nodes, and one ViT-style encoder (~1,000 nodes). Shape-only
 * weights: neither analysis nor prediction reads weight values.
 *   node --import tsx bench/predict-large.ts [--runs 30] [--warmup 5]
 */
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import type { ModelAnalysis } from '../src/core/types.ts';
import { initBackend } from '../src/predict/backend.ts';
import { quantile } from '../src/measure/stats.ts';
import { loadPredictor } from '../src/predict/predictor.ts';
import { buildEfficientNetOnnx } from '../src/synth/efficientnet.ts';
import { GraphBuilder, type T } from '../src/synth/random/common.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = Math.max(20, arg('runs', 30));
const WARMUP = arg('warmup', 5);

/** ViT-style encoder: 197 tokens × 384, 6 heads, pre-LayerNorm, FFN ×4 with the Erf GELU. */
function vit(layers: number, g: GraphBuilder): Uint8Array {
  const [tokens, d, heads] = [197, 384, 6];
  const dh = d / heads;
  const input: T = { name: 'input', shape: [1, tokens, d] };
  const ln = (x: T): T => ({
    name: g.op('LayerNormalization', [x.name, g.weight([d], 0.1, 1), g.weight([d], 0.05)], { axis: -1, epsilon: { float: 1e-6 } }),
    shape: x.shape,
  });
  const gelu = (x: T): T => {
    const e = g.op('Erf', [g.op('Div', [x.name, g.floats([Math.SQRT2], [])])]);
    const xm = g.op('Mul', [x.name, g.op('Add', [e, g.floats([1], [])])]);
    return { name: g.op('Mul', [xm, g.floats([0.5], [])]), shape: x.shape };
  };
  const split = (x: T, perm: number[]): T => g.transpose(g.reshape(x, [1, tokens, heads, dh]), perm);
  let x = input;
  for (let l = 0; l < layers; l++) {
    const h = ln(x);
    const q = split(g.linear(h, d), [0, 2, 1, 3]);
    const k = split(g.linear(h, d), [0, 2, 3, 1]);
    const v = split(g.linear(h, d), [0, 2, 1, 3]);
    let s = g.binary('Mul', g.matmul(q, k), g.floats([1 / Math.sqrt(dh)], []));
    s = { name: g.op('Softmax', [s.name], { axis: -1 }), shape: s.shape };
    const a = g.linear(g.reshape(g.transpose(g.matmul(s, v), [0, 2, 1, 3]), [1, tokens, d]), d);
    x = g.binary('Add', x, a);
    x = g.binary('Add', x, g.linear(gelu(g.linear(ln(x), 4 * d)), d));
  }
  const pooled = g.op('ReduceMean', [ln(x).name], { axes: [1], keepdims: 0 });
  return g.finish('vit', input, g.gemm({ name: pooled, shape: [1, d] }, 1000), 17);
}

/** The smallest size parameter (from `from`, step `step`) whose graph has ≥ `nodes` nodes. */
function sized(nodesOf: (p: number) => number, nodes: number, from: number, step: number): number {
  for (let p = from; ; p += step) if (nodesOf(p) >= nodes) return p;
}

const pct = quantile;
const ms = (v: number): string => v.toFixed(1);

const predictor = await loadPredictor();
const backend = (await initBackend()).name;
const ids = predictor.targets().map((t) => t.id);

const cases: Array<{ label: string; bytes: Uint8Array }> = [];
for (const n of [100, 300, 1000]) {
  const depth = sized((p) => buildEfficientNetOnnx(p).nodes, n, 0.1, 0.05);
  cases.push({ label: `EfficientNet-style, depth ×${depth.toFixed(2)}`, bytes: buildEfficientNetOnnx(depth).bytes });
}
{
  const layers = sized((p) => {
    const g = new GraphBuilder(0, 'external');
    vit(p, g);
    return g.nodes;
  }, 1000, 1, 1);
  cases.push({ label: `ViT-style encoder, ${layers} layers`, bytes: vit(layers, new GraphBuilder(0, 'external')) });
}

const rows: string[][] = [];
for (const c of cases) {
  let analysis: ModelAnalysis = analyzeModel(c.bytes, `${c.label}.onnx`);
  const tAnalyze: number[] = [];
  const tPredict: number[] = [];
  for (let i = 0; i < WARMUP; i++) await predictor.predict(analysis, ids);
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    analysis = analyzeModel(c.bytes, `${c.label}.onnx`);
    const t1 = performance.now();
    await predictor.predict(analysis, ids);
    const t2 = performance.now();
    tAnalyze.push(t1 - t0);
    tPredict.push(t2 - t1);
  }
  rows.push([
    c.label,
    String(analysis.nodes),
    String(ids.length),
    ms(pct(tPredict, 0.5)),
    ms(pct(tPredict, 0.9)),
    ms(pct(tAnalyze, 0.5)),
    ms(pct(tAnalyze, 0.9)),
  ]);
}

console.log(`backend ${backend} · ${RUNS} timed runs after ${WARMUP} warm-up runs · Node ${process.version}\n`);
console.log(
  markdownTable([['graph', 'nodes', 'targets', 'predict p50 ms', 'predict p90 ms', 'analyzeModel p50 ms', 'analyzeModel p90 ms'], ...rows], {
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  }),
);
