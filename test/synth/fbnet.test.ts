import { describe, expect, it } from 'vitest';
import onnxpkg from 'onnx-proto';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { buildFbnetOnnx, FBNET_OPS, fbnetLayers, parseFbnetArch } from '../../src/synth/fbnet.ts';

const { onnx } = onnxpkg;
const all = (op: number): number[] => new Array<number>(22).fill(op);

/**
 * Spec 2.6 params count every BN's γ and β (2 per channel). torch.onnx in eval mode folds each BN
 * into the conv before it: weight unchanged, one bias per channel, so the folded graph stores
 * spec − (BN channels). FBNet has no stand-alone BN (every BN follows a conv).
 * BN channels: stem 16 + header 1504 (CIFAR) / 1984 (ImageNet) + per block:
 * - ConvBlock e: bn1 e·Cin + bn2 e·Cin + bn3 Cout;
 * - skip: Cout at the 6 channel-changing layers 1, 5, 9, 13, 17, 21 (24+32+64+112+184+352 = 768), else 0.
 * [0]*22 (e=1, 2·Cin+Cout): 48 + 56 + 3·72 + 80 + 3·96 + 128 + 3·192 + 240 + 3·336 + 408 + 3·552 + 720
 *   = 5,424 → + 16 + 1504 = 6,944 (CIFAR-100); 5,424 + 16 + 1984 = 7,424 (ImageNet).
 * [7]*22 (e=6, 12·Cin+Cout): 208 + 216 + 3·312 + 320 + 3·416 + 448 + 3·832 + 880 + 3·1456 + 1528
 *   + 3·2392 + 2560 = 22,384 → + 1,520 = 23,904.
 * [8]*22: 768 + 1,520 = 2,288.
 */
const FOLDED = {
  k3e1Cifar: 1_170_676 - 6_944, // 1,163,732
  k3e1ImageNet: 3_175_096 - 7_424, // 3,167,672
  k5e6Cifar: 3_749_652 - 23_904, // 3,725,748
  skipCifar: 780_660 - 2_288, // 778,372
};

function convFcMacs(bytes: Uint8Array): number {
  const a = analyzeModel(bytes, 'fbnet.onnx');
  return a.costs.filter((c) => c.op === 'Conv' || c.op === 'Gemm').reduce((s, c) => s + c.macs, 0);
}

describe('buildFbnetOnnx: spec 2.6 checksums', () => {
  it('[0]*22 CIFAR-100: MACs 31,322,240, folded params 1,163,732 (random and external weights)', () => {
    for (const weights of ['random', 'external'] as const) {
      const bytes = buildFbnetOnnx(all(0), { weights });
      const a = analyzeModel(bytes, 'k3e1.onnx');
      expect(a.macs).toBe(31_322_240);
      expect(convFcMacs(bytes)).toBe(31_322_240);
      expect(a.params).toBe(FOLDED.k3e1Cifar);
      expect(a.params).toBe(1_163_732);
    }
  });

  it('[0]*22 ImageNet: MACs 118,371,152, folded params 3,167,672', () => {
    const a = analyzeModel(buildFbnetOnnx(all(0), { dataset: 'imagenet', weights: 'external' }), 'k3e1-in.onnx');
    expect(a.macs).toBe(118_371_152);
    expect(a.params).toBe(FOLDED.k3e1ImageNet);
    expect(a.params).toBe(3_167_672);
  });

  it('[7]*22 CIFAR-100: MACs 160,926,080, folded params 3,725,748', () => {
    const a = analyzeModel(buildFbnetOnnx(all(7), { weights: 'external' }), 'k5e6.onnx');
    expect(a.macs).toBe(160_926_080);
    expect(a.params).toBe(FOLDED.k5e6Cifar);
    expect(a.params).toBe(3_725_748);
  });

  it('[8]*22 CIFAR-100: MACs 11,608,960, folded params 778,372', () => {
    const a = analyzeModel(buildFbnetOnnx(all(8), { weights: 'external' }), 'skip.onnx');
    expect(a.macs).toBe(11_608_960);
    expect(a.params).toBe(FOLDED.skipCifar);
    expect(a.params).toBe(778_372);
  });
});

describe('buildFbnetOnnx: export structure', () => {
  const decode = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!;

  it('input [1,3,32,32] / [1,3,224,224], output logits [1,100] / [1,1000], BN folded (no BatchNormalization)', () => {
    for (const [dataset, hw, classes] of [['cifar100', 32, 100], ['imagenet', 224, 1000]] as const) {
      const g = decode(buildFbnetOnnx(all(0), { dataset, weights: 'external' }));
      expect(g.input!.map((i) => i.name)).toEqual(['input']);
      expect(g.input![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, 3, hw, hw]);
      expect(g.output!.map((o) => o.name)).toEqual(['logits']);
      expect(g.output![0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([1, classes]);
      expect(g.node!.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(0);
      // stem + 22 × 3 + header = 68 convs, all with a (folded BN) bias.
      const convs = g.node!.filter((n) => n.opType === 'Conv');
      expect(convs).toHaveLength(68);
      expect(convs.every((n) => n.input!.length === 3)).toBe(true);
      expect(g.node!.filter((n) => n.opType === 'Gemm')).toHaveLength(1);
      expect(g.node!.filter((n) => n.opType === 'GlobalAveragePool')).toHaveLength(1);
    }
  });

  it('residual Add iff C_in == C_out and stride 1; depthwise pad ceil((k−s)/2); grouped 1x1 convs', () => {
    const g = decode(buildFbnetOnnx(all(5), { weights: 'external' })); // k5_e1_g2 everywhere
    const attr = (n: onnxpkg.onnx.INodeProto, name: string) => n.attribute!.find((a) => a.name === name)!;
    // Layers with a residual: all but 1, 5, 9, 13, 17, 21 (channel change) → 16 of 22 (CIFAR strides don't matter here).
    expect(g.node!.filter((n) => n.opType === 'Add')).toHaveLength(16);
    const dw = g.node!.filter((n) => n.name!.endsWith('/conv2/Conv'));
    expect(dw).toHaveLength(22);
    for (const n of dw) expect(attr(n, 'pads').ints!.map(Number)).toEqual([2, 2, 2, 2]);
    const strided = dw.filter((n) => Number(attr(n, 'strides').ints![0]) === 2).map((n) => n.name);
    expect(strided).toEqual(['/cells.5/conv2/Conv', '/cells.9/conv2/Conv', '/cells.17/conv2/Conv']);
    const c1 = g.node!.find((n) => n.name === '/cells.3/conv1/Conv')!;
    expect(Number(attr(c1, 'group').i)).toBe(2);
    const k3 = decode(buildFbnetOnnx(all(2), { weights: 'external' })).node!.filter((n) => n.name!.endsWith('/conv2/Conv'));
    for (const n of k3) expect(attr(n, 'pads').ints!.map(Number)).toEqual([1, 1, 1, 1]);
    // group of the depthwise conv = M = C_in·e (expansion on C_in): layer 1 of k3_e3 is 16·3 = 48.
    expect(Number(attr(k3[1]!, 'group').i)).toBe(48);
  });

  it('ChannelShuffle is Reshape [1,g,M/g,H,W] → Transpose(0,2,1,3,4) → Reshape [1,M,H,W]', () => {
    const bytes = buildFbnetOnnx(all(1), { weights: 'external' });
    const g = decode(bytes);
    const n = g.node!;
    const i = n.findIndex((x) => x.name === '/cells.1/shuffle/Transpose');
    expect(n.slice(i - 2, i + 3).map((x) => x.opType)).toEqual(['Constant', 'Reshape', 'Transpose', 'Constant', 'Reshape']);
    expect(n[i]!.attribute![0]!.ints!.map(Number)).toEqual([0, 2, 1, 3, 4]);
    const a = analyzeModel(bytes, 'g2.onnx');
    const shape = (name: string) => a.graph.tensors.get(a.graph.nodes.find((x) => x.name === name)!.outputs[0]!)!.shape;
    expect(shape('/cells.1/shuffle/Reshape')).toEqual([1, 2, 8, 32, 32]); // layer 1: C_in 16, M = 16
    expect(shape('/cells.1/shuffle/Transpose')).toEqual([1, 8, 2, 32, 32]);
    expect(shape('/cells.1/shuffle/Reshape_1')).toEqual([1, 16, 32, 32]);
    expect(a.unsupportedOps).toEqual([]);
  });

  it('skip: identity at stride 1 with equal channels, Conv1x1 → ReLU where channels or stride change', () => {
    const g = decode(buildFbnetOnnx(all(8), { dataset: 'imagenet', weights: 'external' }));
    const skipConvs = g.node!.filter((n) => /^\/cells\.\d+\/conv\/Conv$/.test(n.name!)).map((n) => n.name);
    expect(skipConvs).toEqual([1, 5, 9, 13, 17, 21].map((l) => `/cells.${l}/conv/Conv`));
  });

  it('layer geometry follows spec 2.2', () => {
    const c = fbnetLayers('cifar100');
    expect(c.map((l) => l.inH)).toEqual([32, 32, 32, 32, 32, 32, 16, 16, 16, 16, 8, 8, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4]);
    const im = fbnetLayers('imagenet');
    expect(im.map((l) => l.inH)).toEqual([112, 112, 56, 56, 56, 56, 28, 28, 28, 28, 14, 14, 14, 14, 14, 14, 14, 14, 7, 7, 7, 7]);
    expect(im.filter((l) => l.stride === 2).map((l) => l.layer)).toEqual([1, 5, 9, 17]);
  });

  it('seeded random weights are deterministic', () => {
    const a = buildFbnetOnnx(all(3), { seed: 3 });
    expect(Buffer.from(buildFbnetOnnx(all(3), { seed: 3 })).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(buildFbnetOnnx(all(3), { seed: 4 })).equals(Buffer.from(a))).toBe(false);
  });
});

describe('FBNet arch parsing', () => {
  it('accepts names, indices 0..8 and a JSON list, all meaning the same', () => {
    const names = [...FBNET_OPS, ...FBNET_OPS, 'k3_e1', 'skip', 'k5_e6', 'k3_e3'];
    const idx = names.map((n) => FBNET_OPS.indexOf(n as (typeof FBNET_OPS)[number]));
    expect(parseFbnetArch(names)).toEqual(names);
    expect(parseFbnetArch(idx)).toEqual(names);
    expect(parseFbnetArch(idx.join(','))).toEqual(names);
    expect(parseFbnetArch(JSON.stringify(names))).toEqual(names);
    expect(parseFbnetArch(names.join(', '))).toEqual(names);
    expect(Buffer.from(buildFbnetOnnx(idx, { weights: 'external' })).equals(Buffer.from(buildFbnetOnnx(names, { weights: 'external' })))).toBe(true);
  });

  it('rejects a bad token naming it and listing the 9 valid names', () => {
    const bad = all(0).map(String);
    bad[4] = 'k7_e6';
    expect(() => buildFbnetOnnx(bad)).toThrow(ConfigError);
    expect(() => buildFbnetOnnx(bad)).toThrow(/unknown op 'k7_e6' at layer 4; valid ops: k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip/);
    bad[4] = '9';
    expect(() => parseFbnetArch(bad)).toThrow(/unknown op '9' at layer 4/);
  });

  it('rejects the wrong number of layers', () => {
    expect(() => parseFbnetArch(all(0).slice(1))).toThrow(/expected 22 comma-separated ops .*got 21/);
    expect(() => parseFbnetArch('')).toThrow(/got 0/);
  });
});
