/**
 * NB201 networks written as TFLite (src/synth/nb201-tflite.ts) and read back through the TFLite
 * reader must give the GNN what the ONNX build gives it: same executed nodes, ops, MACs, params
 * and feature rows, except where TFLite legitimately spells the network differently:
 * - the stand-alone `lastact` BatchNorm: TFLite has no batch-norm kernel, the converter lowers it
 *   to MUL + ADD (one node more; 2×64 stored floats instead of 4×64); extractFeatures reads the
 *   pair as one BatchNormalization row again (`loweredBatchNorms`), so the GNN rows are identical;
 * - converter fusions (default `fuseActivations`): the ReLU after conv_a in the two reduction
 *   blocks and the lastact ReLU become `fused_activation_function` (three nodes fewer in the IR;
 *   extractFeatures gives each its own GNN row again, so the GNN input does not change).
 * Everything layout-dependent (NHWC channels/spatial sizes, OHWI kernels, SAME padding) and the
 * MEAN/RESHAPE head (canonicalised to GlobalAveragePool/Flatten by `canonicalOp`) must agree.
 * The same holds for every task of `NB201_TASKS` (cifar10, and the HW-NAS-Bench-360 cifar100,
 * ninapro with its non-square 52×16 input, darcy with its 88×88 input and 1-wide head; spec
 * ../shared/specs/search-spaces.md 3.2): no task-specific difference remains in the GNN input.
 * Not covered (UNVERIFIED, see the `buildNb201Tflite` docstring): how litert_torch itself spells
 * the 360 graphs (a possible NCHW input behind a TRANSPOSE).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import type { ModelAnalysis, Predictor } from '../../src/core/types.ts';
import { extractFeatures, FEATURE_NAMES, NUM_FEATURES } from '../../src/cost/features.ts';
import { loadPredictor } from '../../src/predict/predictor.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { buildNb201Onnx, NB201_TASKS, type Nb201Task } from '../../src/synth/nb201.ts';
import { buildNb201Tflite } from '../../src/synth/nb201-tflite.ts';

const IDX0 = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
const ALL_CONV3 = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const WITH_NONE = '|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
const ARCHS = { idx0: IDX0, allConv3: ALL_CONV3, withNone: WITH_NONE };
const TASKS = Object.keys(NB201_TASKS) as Nb201Task[];

/**
 * Per task (spec 3.2): NHWC input, logits shape, stage H×W (conv outputs of stages 1/2/3), and the
 * idx-0 MACs checksum of the spec (cifar10: spec 1.6 conventions, conv + FC only).
 */
const TASK_SHAPES: Record<Nb201Task, { input: number[]; output: number[]; stages: string[]; idx0Macs: number }> = {
  cifar10: { input: [1, 32, 32, 3], output: [1, 10], stages: ['32x32', '16x16', '8x8'], idx0Macs: 15_647_360 },
  cifar100: { input: [1, 32, 32, 3], output: [1, 100], stages: ['32x32', '16x16', '8x8'], idx0Macs: 15_653_120 },
  ninapro: { input: [1, 52, 16, 1], output: [1, 18], stages: ['52x16', '26x8', '13x4'], idx0Macs: 12_474_496 },
  darcy: { input: [1, 88, 88, 1], output: [1, 1], stages: ['88x88', '44x44', '22x22'], idx0Macs: 116_098_112 },
};

/** Rows of the lastact segment: ONNX BatchNormalization ≙ TFLite MUL + ADD (lowered BN). */
const LASTACT = /^\/lastact\/lastact\.0\//;

function pair(
  arch: string,
  opts: { zeroEdges?: 'fold' | 'keep'; fuseActivations?: boolean; weights?: 'random' | 'external'; task?: Nb201Task } = {},
): { onnx: ModelAnalysis; tflite: ModelAnalysis } {
  const weights = opts.weights ?? 'external';
  const zeroEdges = opts.zeroEdges ?? 'fold';
  const task = opts.task ?? 'cifar10';
  return {
    onnx: analyzeModel(buildNb201Onnx(arch, { weights, zeroEdges, task }), 'nb201.onnx'),
    tflite: analyzeModel(buildNb201Tflite(arch, { weights, zeroEdges, task, fuseActivations: opts.fuseActivations ?? true }), 'nb201.tflite'),
  };
}

/** Feature rows of an analysis with the graph node name of each row. */
function rows(a: ModelAnalysis): Array<{ name: string; op: string; macs: number; x: number[] }> {
  const f = extractFeatures(a);
  return f.nodeIndex.map((gi, i) => ({
    name: a.graph.nodes[gi]!.name,
    op: f.ops[i]!,
    macs: a.costs[gi]!.macs,
    x: Array.from(f.x.subarray(i * NUM_FEATURES, (i + 1) * NUM_FEATURES)),
  }));
}

/** Columns (by name) where two feature rows differ. */
function differing(a: number[], b: number[]): string[] {
  return FEATURE_NAMES.filter((_n, k) => Math.abs((a[k] as number) - (b[k] as number)) > 1e-6);
}

describe('buildNb201Tflite', () => {
  it('writes a TFL3 FlatBuffer the reader analyses as NHWC (input [1,32,32,3], output [1,10])', () => {
    const bytes = buildNb201Tflite(IDX0);
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('TFL3');
    const a = analyzeModel(bytes, 'idx0.tflite');
    expect(a.format).toBe('tflite');
    expect(a.graph.layout).toBe('NHWC');
    expect(a.graph.tensors.get(a.graph.inputs[0]!)?.shape).toEqual([1, 32, 32, 3]);
    expect(a.graph.tensors.get(a.graph.outputs[0]!)?.shape).toEqual([1, 10]);
    expect(a.unsupportedOps).toEqual([]);
    expect(a.warnings).toEqual([]);
  });

  it('random and external weights give the same analysis', () => {
    const r = analyzeModel(buildNb201Tflite(ALL_CONV3, { weights: 'random' }), 'r.tflite');
    const e = analyzeModel(buildNb201Tflite(ALL_CONV3, { weights: 'external' }), 'e.tflite');
    expect(e.macs).toBe(r.macs);
    expect(e.params).toBe(r.params);
    expect(e.nodes).toBe(r.nodes);
  });
});

describe('NB201 as TFLite vs ONNX, node by node', () => {
  for (const task of TASKS) for (const [label, arch] of Object.entries(ARCHS)) {
    for (const zeroEdges of ['fold', 'keep'] as const) {
      it(`${task} ${label} (${zeroEdges}), no fusion: identical rows and edges; BN ≙ MUL + ADD; same MACs`, () => {
        const { onnx, tflite } = pair(arch, { zeroEdges, fuseActivations: false, task });
        const ro = rows(onnx);
        const rt = rows(tflite);
        // One IR node more (the lowered BatchNorm), the same GNN rows: MUL + ADD read as one
        // BatchNormalization row (loweredBatchNorms).
        expect(tflite.nodes).toBe(onnx.nodes + 1);
        expect(rt.length).toBe(ro.length);
        expect(tflite.macs).toBe(onnx.macs);
        // Params: lastact stores γ, β, μ, σ² (4×64) in ONNX, scale and shift (2×64) in TFLite.
        expect(onnx.params - tflite.params).toBe(128);
        const cut = ro.findIndex((r) => LASTACT.test(r.name));
        expect(cut).toBeGreaterThan(0);
        expect(rt.slice(cut, cut + 2).map((r) => r.op)).toEqual(['BatchNormalization', 'Relu']);
        expect(tflite.graph.nodes.filter((n) => LASTACT.test(n.name)).map((n) => n.op).slice(0, 2)).toEqual(['Mul', 'Add']);
        for (let i = 0; i < ro.length; i++) {
          expect(rt[i]!.op, `${ro[i]!.name}`).toBe(ro[i]!.op);
          expect(rt[i]!.macs, `${ro[i]!.name}`).toBe(ro[i]!.macs);
          expect(differing(ro[i]!.x, rt[i]!.x), `${ro[i]!.name} vs ${rt[i]!.name}`).toEqual([]);
        }
        const fo = extractFeatures(onnx);
        const ft = extractFeatures(tflite);
        expect(Array.from(ft.edgeSrc)).toEqual(Array.from(fo.edgeSrc));
        expect(Array.from(ft.edgeDst)).toEqual(Array.from(fo.edgeDst));
        expect(ro.slice(-3).map((r) => r.op)).toEqual(['GlobalAveragePool', 'Flatten', 'Gemm']);
      });
    }
  }

  for (const task of TASKS) it(`${task}: converter fusions (default): ReLU after conv_a (2 reduction blocks) and the lastact ReLU fused; same MACs; same GNN input as ONNX`, () => {
    for (const arch of Object.values(ARCHS)) for (const zeroEdges of ['fold', 'keep'] as const) {
      const { onnx, tflite } = pair(arch, { task, zeroEdges });
      // +1 lowered BN, −3 fused ReLUs.
      expect(tflite.nodes).toBe(onnx.nodes - 2);
      expect(tflite.macs).toBe(onnx.macs);
      const fused = tflite.graph.nodes.filter((n) => n.fusedActivation === 'RELU').map((n) => n.op);
      expect(fused).toEqual(['Conv', 'Conv', 'Add']);
      // Per-node MACs of every conv and the FC agree in order.
      const convMacs = (a: ModelAnalysis): number[] => a.costs.filter((c) => c.op === 'Conv' || c.op === 'Gemm').map((c) => c.macs);
      expect(convMacs(tflite)).toEqual(convMacs(onnx));
      // extractFeatures gives each fused ReLU its own row (as the trained ONNX graphs have it):
      // the GNN input of the fused file equals that of the unfused one, rows and edges.
      const unfused = pair(arch, { fuseActivations: false, task, zeroEdges }).tflite;
      const ff = extractFeatures(tflite);
      const fu = extractFeatures(unfused);
      expect(ff.ops).toEqual(fu.ops);
      expect(Array.from(ff.x)).toEqual(Array.from(fu.x));
      expect(Array.from(ff.edgeSrc)).toEqual(Array.from(fu.edgeSrc));
      expect(Array.from(ff.edgeDst)).toEqual(Array.from(fu.edgeDst));
      // ... and hence that of the ONNX build, row for row (every column) and edge for edge.
      const fo = extractFeatures(onnx);
      expect(ff.ops).toEqual(fo.ops);
      const ro = rows(onnx);
      const rt = rows(tflite);
      ro.forEach((r, i) => expect(differing(r.x, rt[i]!.x), `${r.name} vs ${rt[i]!.name}`).toEqual([]));
      expect(Array.from(ff.edgeSrc)).toEqual(Array.from(fo.edgeSrc));
      expect(Array.from(ff.edgeDst)).toEqual(Array.from(fo.edgeDst));
    }
  });
});

describe('NB201 whose last cell ends in a lone conv: the lastact BatchNorm folds into it', () => {
  // Node 3 of the cell is fed by one conv only, so lastact's BatchNormalization (ONNX) or MUL + ADD
  // (TFLite, with the lastact ReLU fused into the ADD by default) follows a conv directly: onnxruntime
  // and the TFLite converter fold it into the conv, and extractFeatures reads it folded
  // (`foldedIntoConv`) in both formats.
  const LONE_CONV = '|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|nor_conv_3x3~2|';
  for (const fuseActivations of [false, true]) {
    it(`fuseActivations ${fuseActivations}: no BatchNormalization row; identical rows and edges in ONNX and TFLite`, () => {
      const { onnx, tflite } = pair(LONE_CONV, { fuseActivations });
      const ro = rows(onnx);
      const rt = rows(tflite);
      expect(onnx.graph.nodes.some((n) => n.op === 'BatchNormalization')).toBe(true);
      expect(ro.map((r) => r.op)).not.toContain('BatchNormalization');
      expect(ro.slice(-5).map((r) => r.op)).toEqual(['Conv', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm']);
      expect(rt.map((r) => r.op)).toEqual(ro.map((r) => r.op));
      ro.forEach((r, i) => expect(differing(r.x, rt[i]!.x), `${r.name} vs ${rt[i]!.name}`).toEqual([]));
      const fo = extractFeatures(onnx);
      const ft = extractFeatures(tflite);
      expect(Array.from(ft.edgeSrc)).toEqual(Array.from(fo.edgeSrc));
      expect(Array.from(ft.edgeDst)).toEqual(Array.from(fo.edgeDst));
    });
  }
});

describe('buildNb201Tflite per task (spec 3.2)', () => {
  for (const task of TASKS) {
    it(`${task}: input ${TASK_SHAPES[task].input.join('x')} (NHWC of the ONNX NCHW input), output ${TASK_SHAPES[task].output.join('x')}, stage sizes, idx-0 MACs`, () => {
      const want = TASK_SHAPES[task];
      const { onnx, tflite } = pair(IDX0, { task });
      expect(tflite.format).toBe('tflite');
      expect(tflite.graph.layout).toBe('NHWC');
      expect(tflite.unsupportedOps).toEqual([]);
      expect(tflite.warnings).toEqual([]);
      const tIn = tflite.graph.tensors.get(tflite.graph.inputs[0]!)?.shape;
      const oIn = onnx.graph.tensors.get(onnx.graph.inputs[0]!)?.shape;
      expect(tIn).toEqual(want.input);
      expect(oIn).toEqual([...NB201_TASKS[task].inputShape]);
      // NHWC = NCHW with the channel axis moved last.
      expect(tIn).toEqual([oIn![0], oIn![2], oIn![3], oIn![1]]);
      expect(tflite.graph.tensors.get(tflite.graph.outputs[0]!)?.shape).toEqual(want.output);
      expect(onnx.graph.tensors.get(onnx.graph.outputs[0]!)?.shape).toEqual(want.output);
      expect(tflite.graph.inputs).toEqual(['input']);
      expect(tflite.graph.outputs).toEqual(['logits']);
      // The stem conv reads the task's input channels (OHWI [16,3,3,Cin]).
      const stem = tflite.graph.nodes.find((n) => n.name.startsWith('/stem/'))!;
      expect(tflite.graph.tensors.get(stem.inputs[1]!)?.shape).toEqual([16, 3, 3, want.input[3]]);
      // Distinct H×W of the conv outputs, in order: the three stages (spec 3.2).
      const hw = new Set<string>();
      for (const n of tflite.graph.nodes) {
        if (n.op !== 'Conv') continue;
        const s = tflite.graph.tensors.get(n.outputs[0]!)!.shape!;
        hw.add(`${s[1]}x${s[2]}`);
      }
      expect([...hw]).toEqual(want.stages);
      expect(tflite.macs).toBe(want.idx0Macs);
      expect(onnx.macs).toBe(want.idx0Macs);
    });
  }

  it('darcy all-conv3x3: 1,662,420,032 MACs in both formats (spec 3.2 checksum)', () => {
    const { onnx, tflite } = pair(ALL_CONV3, { task: 'darcy' });
    expect(tflite.macs).toBe(1_662_420_032);
    expect(onnx.macs).toBe(1_662_420_032);
  });

  it('random and external weights give the same analysis for a 360 task', () => {
    const r = analyzeModel(buildNb201Tflite(WITH_NONE, { weights: 'random', task: 'ninapro' }), 'r.tflite');
    const e = analyzeModel(buildNb201Tflite(WITH_NONE, { weights: 'external', task: 'ninapro' }), 'e.tflite');
    expect(e.macs).toBe(r.macs);
    expect(e.params).toBe(r.params);
    expect(e.nodes).toBe(r.nodes);
  });

  it('an unknown task is a ConfigError naming the known tasks', () => {
    expect(() => buildNb201Tflite(IDX0, { task: 'imagenet' as Nb201Task })).toThrow(ConfigError);
    expect(() => buildNb201Tflite(IDX0, { task: 'imagenet' as Nb201Task })).toThrow(/cifar100.*ninapro.*darcy/);
  });
});

describe('NB201 as TFLite vs ONNX: predictions', () => {
  let predictor: Predictor;
  beforeAll(async () => {
    predictor = await loadPredictor();
  }, 60_000);

  for (const [label, arch] of Object.entries(ARCHS)) {
    it(`${label}: same raspberry-pi-4 and pixel-3 predictions to 1e-5 (fused and unfused), no OOD flag from the TFLite head`, async () => {
      const targets = ['raspberry-pi-4', 'pixel-3'];
      for (const fuseActivations of [true, false]) {
        const { onnx, tflite } = pair(arch, { fuseActivations });
        const po = await predictor.predict(onnx, targets);
        const pt = await predictor.predict(tflite, targets);
        targets.forEach((_t, i) => {
          const rel = Math.abs(pt[i]!.value / po[i]!.value - 1);
          // The GNN input is identical (rows and edges), so the predictions agree to float
          // rounding; the tolerance only absorbs summation order.
          // for the cheapest graphs (idx 0, 5 ms), where the head is a larger share.
          const tol = 1e-5;
          expect(rel, `${targets[i]} fuse=${fuseActivations}: ${po[i]!.value} vs ${pt[i]!.value}`).toBeLessThan(tol);
          // No op OOD reason (MEAN/RESHAPE read as the trained GlobalAveragePool/Flatten); the unfused
          // all-conv3x3 graph (one node over the largest training graph) may carry a size reason.
          expect((pt[i]!.oodReasons ?? []).filter((r) => r.includes('never seen'))).toEqual([]);
        });
      }
    });
  }
});
