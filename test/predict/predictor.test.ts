import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { UnknownTargetError } from '../../src/core/errors.ts';
import type { ModelAnalysis, Predictor } from '../../src/core/types.ts';
import { loadPredictor } from '../../src/predict/predictor.ts';
import { bundledTargets, graphBatch } from '../../src/predict/targets.ts';
import { buildRandomOnnx } from '../../src/synth/random/index.ts';
import { buildNb201Onnx } from '../../src/synth/nb201.ts';
import { analyseNb201, readNb201Csv, splitOf } from '../../train/dataset.ts';

const IDX0 = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
const ALL_CONV3 = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const DEAD = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|';
const DATA = resolve(import.meta.dirname, '../../../shared/data');

let predictor: Predictor;
const analyse = (arch: string): ModelAnalysis => analyzeModel(buildNb201Onnx(arch, { weights: 'external' }), `${arch}.onnx`);

beforeAll(async () => {
  predictor = await loadPredictor();
});

describe('loadPredictor', () => {
  it('lists the targets of targets.json, raspberry-pi-4 and pixel-3 included', () => {
    const ids = predictor.targets().map((t) => t.id);
    expect(ids).toContain('raspberry-pi-4');
    expect(ids).toContain('pixel-3');
    expect(ids).toEqual(bundledTargets().targets.map((t) => t.id));
  });

  it('contributions (aligned with graph.nodes) sum to value minus overhead', async () => {
    const a = analyse(IDX0);
    const [p] = await predictor.predict(a, ['raspberry-pi-4']);
    expect(p!.target).toBe('raspberry-pi-4');
    expect(p!.metric).toBe('latency');
    expect(p!.unit).toBe('ms');
    expect(p!.contributions).toHaveLength(a.graph.nodes.length);
    const sum = p!.contributions!.reduce((s, c) => s + c, 0);
    expect(sum + p!.overhead!).toBeCloseTo(p!.value, 6);
    expect(p!.contributions!.every((c) => c >= 0)).toBe(true);
    expect(p!.overhead!).toBeGreaterThan(0);
    expect(p!.value).toBeGreaterThan(1);
    expect(p!.value).toBeLessThan(100);
    expect(p!.interval![0]).toBeLessThan(p!.value);
    expect(p!.interval![1]).toBeGreaterThan(p!.value);
    expect(p!.ood).toBe(false);
  });

  it('one prediction per requested target, in order', async () => {
    const ps = await predictor.predict(analyse(IDX0), ['pixel-3', 'raspberry-pi-4']);
    expect(ps.map((p) => p.target)).toEqual(['pixel-3', 'raspberry-pi-4']);
  });

  it('unknown target id throws UnknownTargetError listing the known ids', async () => {
    const err = await predictor.predict(analyse(IDX0), ['raspberry-pi-9']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownTargetError);
    expect((err as UnknownTargetError).known).toContain('raspberry-pi-4');
    expect((err as Error).message).toMatch(/unknown target 'raspberry-pi-9'.*raspberry-pi-4.*pixel-3/);
  });

  it('a graph folded to nothing predicts the overhead only', async () => {
    const a = analyse(DEAD);
    expect(a.nodes).toBe(0);
    const [p] = await predictor.predict(a, ['raspberry-pi-4']);
    expect(p!.value).toBe(p!.overhead);
    expect(p!.value).toBeLessThan(1);
  });

  it('an all-none-into-node-3 arch predicts far lower than all-conv3x3 on raspberry-pi-4', async () => {
    const [dead] = await predictor.predict(analyse(DEAD), ['raspberry-pi-4']);
    const [conv] = await predictor.predict(analyse(ALL_CONV3), ['raspberry-pi-4']);
    expect(conv!.value).toBeGreaterThan(40);
    expect(dead!.value).toBeLessThan(conv!.value / 20);
  });

  it('grows with the work of graphs far larger than the training graphs (roofline readout)', async () => {
    // NB201 all-conv3x3 (0.22 GMACs) is the largest training graph; ResNet-50 (4.09 GMACs, 19x)
    // and VGG-19 (19.6 GMACs, 89x) lie far outside. A readout that saturates in log-features
    // predicted ResNet-50 at 1/6 of the NB201 network; per-node time ∝ work cannot.
    const zoo = (name: string): ModelAnalysis =>
      analyzeModel(new Uint8Array(readFileSync(resolve(import.meta.dirname, '../fixtures/onnx', name))), name);
    const targets = ['raspberry-pi-4', 'pixel-3'];
    const nb = await predictor.predict(analyse(ALL_CONV3), targets);
    const resnet = await predictor.predict(zoo('light_resnet50.onnx'), targets);
    const vgg = await predictor.predict(zoo('light_vgg19.onnx'), targets);
    for (let t = 0; t < targets.length; t++) {
      expect(resnet[t]!.value).toBeGreaterThan(5 * nb[t]!.value);
      expect(vgg[t]!.value).toBeGreaterThan(2 * resnet[t]!.value);
      expect(resnet[t]!.ood).toBe(true);
    }
  });

  it('flags ops never seen in training as out-of-distribution', async () => {
    const a = analyse(IDX0);
    const i = a.graph.nodes.findIndex((n) => n.op === 'Relu');
    const nodes = a.graph.nodes.map((n, k) => (k === i ? { ...n, op: 'HardSwish' } : n));
    const [p] = await predictor.predict({ ...a, graph: { ...a.graph, nodes } }, ['raspberry-pi-4']);
    expect(p!.ood).toBe(true);
    expect(p!.oodReasons!.join('\n')).toMatch(/op 'HardSwish' never seen in this target's training \(1 node\)/);
  });

  it('OOD is per target: HardSwish is in the cpu-onnxruntime training graphs (random mobilenets), not in the Pi 4 ones', async () => {
    const a = analyse(IDX0);
    const i = a.graph.nodes.findIndex((n) => n.op === 'Relu');
    const nodes = a.graph.nodes.map((n, k) => (k === i ? { ...n, op: 'HardSwish' } : n));
    const [pi, cpu] = await predictor.predict({ ...a, graph: { ...a.graph, nodes } }, ['raspberry-pi-4', 'cpu-onnxruntime']);
    expect(pi!.oodReasons!.some((r) => r.includes("'HardSwish'"))).toBe(true);
    expect(cpu!.oodReasons!.some((r) => r.includes("'HardSwish'"))).toBe(false);
  });
});

describe('intervals by batch (Mondrian split conformal)', () => {
  it('gives cpu-onnxruntime graphs run at batch > 1 the wider interval of their group', async () => {
    const cal = bundledTargets().targets.find((t) => t.id === 'cpu-onnxruntime')!.interval!.latency!;
    expect(cal.batched).toBeDefined();
    // batch-1 models get a narrower interval than one width for all would give them (session 18:
    // ×1.44 wide at batch > 1 against ×1.21 at batch 1)
    expect(cal.batched!.hi / cal.batched!.lo).toBeGreaterThan(1.1 * (cal.hi / cal.lo));
    const single = analyzeModel(buildRandomOnnx('resnet', 3), 'r.onnx');
    const many = analyzeModel(buildRandomOnnx('batched', 0), 'b.onnx');
    expect(graphBatch(single.graph)).toBe(1);
    expect(graphBatch(many.graph)).toBe(16);
    const factors = async (a: ModelAnalysis): Promise<number[]> => {
      const [p] = await predictor.predict(a, ['cpu-onnxruntime']);
      return p!.interval!.map((v) => v / p!.value);
    };
    const [lo1, hi1] = await factors(single);
    const [loB, hiB] = await factors(many);
    expect(lo1).toBeCloseTo(cal.lo, 6);
    expect(hi1).toBeCloseTo(cal.hi, 6);
    expect(loB).toBeCloseTo(cal.batched!.lo, 6);
    expect(hiB).toBeCloseTo(cal.batched!.hi, 6);
  });

  it('keeps one interval for targets calibrated without groups (batch ignored)', async () => {
    const cal = bundledTargets().targets.find((t) => t.id === 'raspberry-pi-4')!.interval!.latency!;
    expect(cal.batched).toBeUndefined();
    const [p] = await predictor.predict(analyzeModel(buildRandomOnnx('batched', 0), 'b.onnx'), ['raspberry-pi-4']);
    expect(p!.interval![0] / p!.value).toBeCloseTo(cal.lo, 6);
    expect(p!.interval![1] / p!.value).toBeCloseTo(cal.hi, 6);
  });
});

describe('targets.json (issue #3 registry)', () => {
  const t = bundledTargets();
  it('has every issue #3 target and cpu-onnxruntime, with latency in ms and Pi 5 energy in mJ', () => {
    expect(t.targets.map((e) => e.id).sort()).toEqual(
      [
        'cpu-onnxruntime',
        'eyeriss',
        'essential-ph-1',
        'fpga',
        'galaxy-a50',
        'galaxy-s7',
        'pixel-2',
        'pixel-3',
        'pixel-tflite',
        'raspberry-pi-4',
        'raspberry-pi-5-onnxruntime',
        'raspberry-pi-5-pytorch-mobile',
        'raspberry-pi-5-tflite',
        'xeon-gold-6226',
      ].sort(),
    );
    for (const e of t.targets) {
      expect(e.units.latency, e.id).toBe('ms');
      expect(e.batch, e.id).toBe(1);
      expect(e.threads === null || e.threads === 1, e.id).toBe(true);
      expect(e.trainingCount, e.id).toBeGreaterThan(3000);
      expect(Object.values(e.trainingSets ?? {}).reduce((a, b) => a + b, 0), e.id).toBe(e.trainingCount);
      expect(e.inputSizes.length, e.id).toBeGreaterThan(0);
      expect(e.opsSeen?.length, e.id).toBeGreaterThan(5);
      for (const m of e.metrics) {
        const acc = e.accuracy?.[m];
        const iv = e.interval?.[m];
        expect(acc && acc.n > 300 && acc.mape > 0 && acc.mape < 15, `${e.id}/${m}: ${JSON.stringify(acc)}`).toBe(true);
        expect(iv && iv.lo < 1 && iv.hi > 1, `${e.id}/${m}: ${JSON.stringify(iv)}`).toBe(true);
        // Split-conformal 90% intervals: test-split coverage near 90%.
        expect(acc!.coverage90!, `${e.id}/${m}`).toBeGreaterThan(0.85);
        expect(acc!.coverage90!, `${e.id}/${m}`).toBeLessThan(0.95);
      }
    }
    const pi5 = t.targets.filter((e) => e.id.startsWith('raspberry-pi-5-'));
    expect(pi5).toHaveLength(3);
    for (const e of pi5) {
      expect(e.metrics).toEqual(['latency', 'energy']);
      expect(e.units.energy).toBe('mJ');
      expect(e.inputSizes.sort()).toEqual(['1x1x52x16', '1x1x88x88', '1x3x32x32']);
    }
  });

  it('predicts energy in mJ with an interval for the Pi 5 targets', async () => {
    const ps = await predictor.predict(analyse(ALL_CONV3), ['raspberry-pi-5-onnxruntime']);
    expect(ps.map((p) => [p.metric, p.unit])).toEqual([
      ['latency', 'ms'],
      ['energy', 'mJ'],
    ]);
    for (const p of ps) {
      expect(p.value).toBeGreaterThan(0);
      expect(p.interval![0]).toBeLessThan(p.value);
      expect(p.interval![1]).toBeGreaterThan(p.value);
    }
  });
});

describe.skipIf(!existsSync(resolve(DATA, 'nb201/latency_ms.csv')))('shipped model on held-out NB201 archs (needs ../shared/data)', () => {
  it('median APE over 20 test-split archs is below 20% on raspberry-pi-4 and pixel-3', async () => {
    // Graphs built as in training (targets.json `nb201ZeroEdges`, see train/dataset.ts).
    const mode = bundledTargets().nb201ZeroEdges ?? 'fold';
    const csv = readNb201Csv(DATA);
    // 20 test archs spread evenly over the index range (the first indices alone are a biased
    // sample: pixel3 labels of arch_idx < ~100 run ~30% below the rest).
    const rows: number[] = [];
    for (let r = 0; r < csv.archIdx.length; r++) {
      if (splitOf(csv.archIdx[r]!) === 'test' && csv.columns['raspi4']![r]! >= 0.5 && csv.columns['pixel3']![r]! >= 0.5) rows.push(r);
    }
    const picked = Array.from({ length: 20 }, (_, k) => rows[Math.floor((k * rows.length) / 20)]!);
    expect(picked).toHaveLength(20);
    for (const [id, col] of [['raspberry-pi-4', 'raspi4'], ['pixel-3', 'pixel3']] as const) {
      const ape: number[] = [];
      for (const r of picked) {
        const [p] = await predictor.predict(analyseNb201(csv.archStr[r]!, mode), [id]);
        const y = csv.columns[col]![r]!;
        ape.push(Math.abs(p!.value - y) / y);
      }
      ape.sort((x, y) => x - y);
      const median = (ape[9]! + ape[10]!) / 2;
      expect(median).toBeLessThan(0.2);
      expect(ape[19]!).toBeLessThan(0.6);
    }
  });
});
