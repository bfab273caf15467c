import { describe, expect, it } from 'vitest';
import onnxpkg from 'onnx-proto';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { buildNb201Onnx } from '../../src/synth/nb201.ts';
import { formatNb201Arch, parseNb201Arch } from '../../src/synth/nb201-arch.ts';

const { onnx } = onnxpkg;
const IDX0 = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
const ALL_CONV3 = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';

/** Spec 1.6 counts BN γ,β (2 per channel) for every BN. After folding, each BN that follows a
 * conv becomes one bias per channel (−C), and the stand-alone lastact BN stores 4 vectors of 64
 * (+128 for running mean/var). Folded channels: idx 0 = stem 16 + 15 cells × 2 conv1x1
 * (5·2·16 + 5·2·32 + 5·2·64 = 1120) + reductions 2·32 + 2·64 = 192 → 1328;
 * all-conv3x3 = 16 + 6·(80 + 160 + 320) + 192 = 3568. */
const FOLDED = {
  idx0: 129_306 - 1_328 + 128, // 128,106
  allConv: 1_531_546 - 3_568 + 128, // 1,528,106
};

function convFcMacs(bytes: Uint8Array): number {
  const a = analyzeModel(bytes, 'nb201.onnx');
  return a.costs.filter((c) => c.op === 'Conv' || c.op === 'Gemm').reduce((s, c) => s + c.macs, 0);
}

describe('buildNb201Onnx', () => {
  it('idx 0: spec 1.6 MACs (15,647,360) and folded params (128,106), random and external weights', () => {
    for (const weights of ['random', 'external'] as const) {
      const bytes = buildNb201Onnx(IDX0, { weights });
      const a = analyzeModel(bytes, 'idx0.onnx');
      expect(convFcMacs(bytes)).toBe(15_647_360);
      expect(a.macs).toBe(15_647_360);
      expect(a.params).toBe(FOLDED.idx0);
      expect(a.params).toBe(128_106);
    }
  });

  it('all nor_conv_3x3: spec 1.6 MACs (220,119,680) and folded params (1,528,106)', () => {
    const bytes = buildNb201Onnx(ALL_CONV3, { weights: 'external' });
    const a = analyzeModel(bytes, 'all-conv.onnx');
    expect(convFcMacs(bytes)).toBe(220_119_680);
    expect(a.params).toBe(FOLDED.allConv);
    expect(a.params).toBe(1_528_106);
  });

  it('emits the export structure: input [1,3,32,32], output logits [1,10], folded BN, one BatchNormalization', () => {
    const m = onnx.ModelProto.decode(buildNb201Onnx(IDX0));
    const g = m.graph!;
    expect(g.input!.map((i) => i.name)).toEqual(['input']);
    expect(g.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, 32, 32]);
    expect(g.output!.map((o) => o.name)).toEqual(['logits']);
    const count = (op: string): number => g.node!.filter((n) => n.opType === op).length;
    // 1 stem + 15 cells × 2 conv1x1 + 2 reductions × 3 convs = 37 convs, all with bias except the 2 shortcut 1x1s.
    expect(count('Conv')).toBe(37);
    expect(g.node!.filter((n) => n.opType === 'Conv' && n.input!.length === 3).length).toBe(35);
    expect(count('BatchNormalization')).toBe(1);
    expect(count('AveragePool')).toBe(15 + 2);
    expect(count('Gemm')).toBe(1);
    const pool = g.node!.find((n) => n.opType === 'AveragePool' && n.name!.includes('layers'))!;
    expect(Number(pool.attribute!.find((a) => a.name === 'count_include_pad')!.i)).toBe(0);
    expect(Number(m.opsetImport![0]!.version)).toBe(13);
  });

  it('writes none edges as Mul by a constant zero that the analysis folds away', () => {
    const deadCell = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|';
    const m = onnx.ModelProto.decode(buildNb201Onnx(deadCell));
    expect(m.graph!.node!.filter((n) => n.opType === 'Mul').length).toBe(45);
    const a = analyzeModel(buildNb201Onnx(deadCell, { weights: 'external' }), 'dead.onnx');
    expect(a.nodes).toBe(0);
    expect(a.macs).toBe(0);
  });

  it('external weights are shape-only (small file) and deterministic random weights are seeded', () => {
    const ext = buildNb201Onnx(IDX0, { weights: 'external' });
    const rnd = buildNb201Onnx(IDX0, { weights: 'random', seed: 7 });
    expect(ext.length).toBeLessThan(40_000);
    expect(rnd.length).toBeGreaterThan(128_106 * 4);
    expect(Buffer.from(buildNb201Onnx(IDX0, { weights: 'random', seed: 7 })).equals(Buffer.from(rnd))).toBe(true);
    expect(Buffer.from(buildNb201Onnx(IDX0, { weights: 'random', seed: 8 })).equals(Buffer.from(rnd))).toBe(false);
    const init = onnx.ModelProto.decode(ext).graph!.initializer![0]!;
    expect(init.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(init.externalData!.find((e) => e.key === 'location')!.value).toBe('weights.bin');
  });
});

describe('NB201 arch strings', () => {
  it('round-trips the canonical form', () => {
    const edges = parseNb201Arch(IDX0);
    expect(edges.map((e) => `${e.from}->${e.to}`)).toEqual(['0->1', '0->2', '1->2', '0->3', '1->3', '2->3']);
    expect(formatNb201Arch(edges.map((e) => e.op))).toBe(IDX0);
  });

  it('rejects a bad op naming the token', () => {
    const bad = IDX0.replace('avg_pool_3x3~0', 'max_pool_3x3~0');
    expect(() => buildNb201Onnx(bad)).toThrow(ConfigError);
    expect(() => buildNb201Onnx(bad)).toThrow(/unknown op 'max_pool_3x3' in token 'max_pool_3x3~0'/);
  });

  it('rejects wrong source nodes and group sizes', () => {
    expect(() => parseNb201Arch('|none~1|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow(/token 'none~1' in group 1 must come from node 0/);
    expect(() => parseNb201Arch('|none~0|+|none~0|+|none~0|none~1|none~2|')).toThrow(/group 2 .* must hold 2 token/);
    expect(() => parseNb201Arch('|none~0|')).toThrow(/expected 3 '\+'-separated groups/);
    expect(() => parseNb201Arch('|none~0|+|none~0|none1|+|none~0|none~1|none~2|')).toThrow(/bad token 'none1'/);
  });
});

/**
 * HW-NAS-Bench-360 task variants (spec 3.1–3.3). Params derived as for FOLDED above: spec 3.2
 * params − folded BN channels (idx 0: 1,328; all-conv3x3: 3,568) + 128 (lastact running stats).
 */
describe('buildNb201Onnx: HW-NAS-Bench-360 tasks', () => {
  const cases = [
    { task: 'cifar100', arch: IDX0, input: [1, 3, 32, 32], classes: 100, macs: 15_653_120, params: 135_156 - 1_328 + 128 },
    { task: 'ninapro', arch: IDX0, input: [1, 1, 52, 16], classes: 18, macs: 12_474_496, params: 129_538 - 1_328 + 128 },
    { task: 'darcy', arch: IDX0, input: [1, 1, 88, 88], classes: 1, macs: 116_098_112, params: 128_433 - 1_328 + 128 },
    { task: 'darcy', arch: ALL_CONV3, input: [1, 1, 88, 88], classes: 1, macs: 1_662_420_032, params: 1_530_673 - 3_568 + 128 },
  ] as const;

  for (const c of cases) {
    it(`${c.task} ${c.arch === IDX0 ? 'idx 0' : 'all conv3x3'}: spec 3.2 MACs ${c.macs.toLocaleString('en')} and folded params ${c.params.toLocaleString('en')}`, () => {
      const bytes = buildNb201Onnx(c.arch, { task: c.task, weights: 'external' });
      const a = analyzeModel(bytes, `${c.task}.onnx`);
      expect(a.macs).toBe(c.macs);
      expect(convFcMacs(bytes)).toBe(c.macs);
      expect(a.params).toBe(c.params);
      const m = onnx.ModelProto.decode(bytes);
      const g = m.graph!;
      expect(Number(m.opsetImport![0]!.version)).toBe(16);
      expect(g.input!.map((i) => i.name)).toEqual(['input']);
      expect(g.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([...c.input]);
      expect(g.output!.map((o) => o.name)).toEqual(['logits']);
      expect(g.output![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, c.classes]);
      const stem = g.initializer!.find((t) => t.name === 'stem.0.weight')!;
      expect(stem.dims!.map(Number)).toEqual([16, c.input[1], 3, 3]);
    });
  }

  it('the exact literals of the derivation', () => {
    expect(cases.map((c) => c.params)).toEqual([133_956, 128_338, 127_233, 1_527_233]);
  });

  it('ninapro stage shapes are 52×16 → 26×8 → 13×4 (spec 3.2)', () => {
    const a = analyzeModel(buildNb201Onnx(IDX0, { task: 'ninapro', weights: 'external' }), 'ninapro.onnx');
    const out = (name: string) => a.graph.tensors.get(a.graph.nodes.find((n) => n.name === name)!.outputs[0]!)!.shape;
    expect(out('/cells.5/Add')).toEqual([1, 32, 26, 8]);
    expect(out('/cells.11/Add')).toEqual([1, 64, 13, 4]);
  });

  it('default and explicit cifar10 stay opset 13 and identical; unknown tasks are rejected', () => {
    const a = buildNb201Onnx(IDX0, { weights: 'external' });
    expect(Buffer.from(buildNb201Onnx(IDX0, { weights: 'external', task: 'cifar10' })).equals(Buffer.from(a))).toBe(true);
    expect(Number(onnx.ModelProto.decode(a).opsetImport![0]!.version)).toBe(13);
    expect(() => buildNb201Onnx(IDX0, { task: 'imagenet16' as 'cifar10' })).toThrow(/unsupported task 'imagenet16'; known tasks: cifar10, cifar100, ninapro, darcy/);
  });
});
