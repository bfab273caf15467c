import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { channelAlignment, extractFeatures, FEATURE_NAMES, foldedIntoConv, OP_VOCAB, opToken, widthOf } from '../../src/cost/features.ts';
import { OnnxWriter } from '../../src/synth/onnx-writer.ts';

/** A residual block x → Conv → Relu → (join with x) written with `join` ('Add' or 'Sum'). */
function residual(join: 'Add' | 'Sum', extra = false): Uint8Array {
  const w = new OnnxWriter('random', 1);
  const wt = w.init('w', [8, 8, 3, 3], 0.1);
  const [c] = w.node('Conv', 'conv', ['x', wt], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }) as [string];
  const [r] = w.node('Relu', 'relu', [c]) as [string];
  const [y] = w.node(join, 'join', extra ? ['x', r, c] : ['x', r]) as [string];
  return w.encode('res', [['x', [1, 8, 16, 16]]], [[y, [1, 8, 16, 16]]]);
}

describe('GNN features: exporter spellings', () => {
  it('a two-input Sum (Caffe2 residual adds) gives the same rows as Add', () => {
    const add = extractFeatures(analyzeModel(residual('Add'), 'add.onnx'));
    const a = analyzeModel(residual('Sum'), 'sum.onnx');
    expect(Array.from(extractFeatures(a).x)).toEqual(Array.from(add.x));
    const node = a.graph.nodes.find((n) => n.op === 'Sum');
    expect(node && opToken(node, a.graph)).toBe('Add');
  });

  it('a three-input Sum reads as one Add row over all its inputs', () => {
    const a = analyzeModel(residual('Sum', true), 'sum3.onnx');
    const f = extractFeatures(a);
    const F = FEATURE_NAMES.length;
    const row = a.graph.nodes.findIndex((n) => n.op === 'Sum');
    const sumRow = Array.from(f.x.slice(row * F, (row + 1) * F));
    expect(sumRow[OP_VOCAB.indexOf('Add')]).toBe(1);
    expect(sumRow[OP_VOCAB.indexOf('other')]).toBe(0);
    // three fp32 inputs of 1·8·16·16 elements
    expect(sumRow[FEATURE_NAMES.indexOf('log1p_input_bytes')]).toBeCloseTo(Math.log1p(3 * 8 * 16 * 16 * 4), 5);
  });
});

/**
 * x → Conv (8 → 8, 3x3, or ConvTranspose 2/2) → [bias spelled `spell`] → Relu, and optionally a
 * second consumer of the conv's output.
 */
function convBias(spell: 'bias' | 'bn' | 'add' | 'add-w' | 'bn-add', opts: { transpose?: boolean; shared?: boolean; side?: number } = {}): Uint8Array {
  const w = new OnnxWriter('random', 1);
  const op = opts.transpose ? 'ConvTranspose' : 'Conv';
  const attrs: Record<string, number[]> = opts.transpose ? { kernel_shape: [2, 2], strides: [2, 2] } : { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
  const inSide = opts.side ?? 16;
  const side = opts.transpose ? 2 * inSide : inSide;
  const ins = ['x', w.init('w', [8, 8, opts.transpose ? 2 : 3, opts.transpose ? 2 : 3], 0.1)];
  if (spell === 'bias') ins.push(w.init('b', [8], 0.1));
  let [y] = w.node(op, 'conv', ins, attrs) as [string];
  const conv = y;
  if (spell === 'bn' || spell === 'bn-add') {
    const v = (n: string): string => w.init(n, [8], 0.1, 1, true);
    [y] = w.node('BatchNormalization', 'bn', [y, v('g'), v('be'), v('mu'), v('var')]) as [string];
  }
  if (spell === 'add' || spell === 'bn-add') [y] = w.node('Add', 'bias', [y, w.init('b', [1, 8, 1, 1], 0.1)]) as [string];
  if (spell === 'add-w') [y] = w.node('Add', 'bias', [y, w.init('b', [side], 0.1)]) as [string];
  [y] = w.node('Relu', 'relu', [y]) as [string];
  const outs: Array<[string, number[]]> = [[y, [1, 8, side, side]]];
  if (opts.shared) outs.push([(w.node('Sigmoid', 'side', [conv]) as [string])[0], [1, 8, side, side]]);
  return w.encode('conv', [['x', [1, 8, inSide, inSide]]], outs);
}

describe('GNN features: batch norms and bias Adds folded into the conv before them', () => {
  const rows = (bytes: Uint8Array): { ops: string[]; x: number[]; edges: number[] } => {
    const f = extractFeatures(analyzeModel(bytes, 'conv.onnx'));
    return { ops: f.ops, x: Array.from(f.x), edges: [...f.edgeSrc, ...f.edgeDst] };
  };

  it('Conv → BatchNormalization, Conv → bias Add and Conv → both read as the Conv with its bias', () => {
    const withBias = rows(convBias('bias'));
    expect(withBias.ops).toEqual(['Conv', 'Relu']);
    for (const spell of ['bn', 'add', 'bn-add'] as const) expect(rows(convBias(spell))).toEqual(withBias);
    const a = analyzeModel(convBias('bn-add'), 'conv.onnx');
    expect([...foldedIntoConv(a.graph)].map(([f, c]) => [a.graph.nodes[f]?.op, a.graph.nodes[c]?.op])).toEqual([
      ['BatchNormalization', 'Conv'],
      ['Add', 'Conv'],
    ]);
  });

  it('ConvTranspose → bias Add reads as the ConvTranspose with its bias; a BatchNormalization after it stays', () => {
    const withBias = rows(convBias('bias', { transpose: true }));
    expect(rows(convBias('add', { transpose: true }))).toEqual(withBias);
    expect(rows(convBias('bn', { transpose: true })).ops).toEqual(['ConvTranspose', 'BatchNormalization', 'Relu']);
  });

  it('does not fold when the conv output has another consumer or the Add broadcasts along W', () => {
    expect(rows(convBias('bn', { shared: true })).ops).toEqual(['Conv', 'BatchNormalization', 'Relu', 'Sigmoid']);
    // On an 8-channel 8x8 output an [8] constant has C elements but broadcasts along the last
    // (W) axis of NCHW: not a per-channel bias.
    expect(rows(convBias('add-w', { side: 8 })).ops).toEqual(['Conv', 'Add', 'Relu']);
  });
});

describe('GNN features: channel alignment (MLAS NCHWc blocks of 8/16)', () => {
  it('channelAlignment gives multiples of 8 and 16 and the fill of 16-wide tiles', () => {
    expect(channelAlignment(16, 17)).toEqual([1, 1, 0, 0, 1, 17 / 32]);
    expect(channelAlignment(24, 48)).toEqual([1, 0, 1, 1, 0.75, 1]);
    expect(channelAlignment(0, 3)).toEqual([0, 0, 0, 0, 0, 3 / 16]);
  });

  it('a Conv 3 → 24 and the Relu after it carry their own channel counts', () => {
    const w = new OnnxWriter('random', 1);
    const [c] = w.node('Conv', 'conv', ['x', w.init('w', [24, 3, 3, 3], 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }) as [string];
    const [r] = w.node('Relu', 'relu', [c]) as [string];
    const f = extractFeatures(analyzeModel(w.encode('c', [['x', [1, 3, 16, 16]]], [[r, [1, 24, 16, 16]]]), 'c.onnx'));
    const d = FEATURE_NAMES.length;
    const names = ['channels_in_mult8', 'channels_in_mult16', 'channels_out_mult8', 'channels_out_mult16', 'channels_in_fill16', 'channels_out_fill16'];
    const row = (i: number): number[] => names.map((n) => f.x[i * d + FEATURE_NAMES.indexOf(n)]!);
    expect(f.ops).toEqual(['Conv', 'Relu']);
    expect(row(0)).toEqual([0, 0, 1, 0, 3 / 16, 0.75]);
    expect(row(1)).toEqual([1, 0, 1, 0, 0.75, 0.75]);
  });
});

describe('GNN features: width (MLAS runs a blocked conv one output row at a time)', () => {
  it('widthOf reads W of NCHW and NHWC, L of a 1-D tensor, 1 below rank 3', () => {
    const t = (shape: number[]) => ({ id: 't', shape, dtype: 'float32', isConstant: false }) as unknown as Parameters<typeof widthOf>[0];
    expect(widthOf(t([1, 8, 4, 256]), 'NCHW')).toBe(256);
    expect(widthOf(t([1, 4, 256, 8]), 'NHWC')).toBe(256);
    expect(widthOf(t([2, 16, 100]), 'NCHW')).toBe(100);
    expect(widthOf(t([2, 16]), 'NCHW')).toBe(1);
    expect(widthOf(undefined, 'NCHW')).toBe(1);
  });

  it('a 4×256 and a 256×4 map of the same H·W differ only in their width columns', () => {
    const conv = (h: number, wd: number): number[][] => {
      const w = new OnnxWriter('random', 1);
      const [c] = w.node('Conv', 'conv', ['x', w.init('w', [8, 8, 3, 3], 0.1)], { kernel_shape: [3, 3], strides: [1, 2], pads: [1, 1, 1, 1] }) as [string];
      const [r] = w.node('Relu', 'relu', [c]) as [string];
      const f = extractFeatures(analyzeModel(w.encode('c', [['x', [1, 8, h, wd]]], [[r, [1, 8, h, wd / 2]]]), 'c.onnx'));
      const d = FEATURE_NAMES.length;
      return [0, 1].map((i) => Array.from(f.x.slice(i * d, (i + 1) * d)));
    };
    const [wide, tall] = [conv(4, 256), conv(256, 4)];
    const [wIn, wOut] = ['log1p_width_in', 'log1p_width_out'].map((n) => FEATURE_NAMES.indexOf(n));
    expect([wide[0]![wIn!], wide[0]![wOut!]]).toEqual([Math.fround(Math.log1p(256)), Math.fround(Math.log1p(128))]);
    expect([tall[0]![wIn!], tall[0]![wOut!]]).toEqual([Math.fround(Math.log1p(4)), Math.fround(Math.log1p(2))]);
    // The Relu row reads the conv output: both width columns are its W.
    expect([tall[1]![wIn!], tall[1]![wOut!]]).toEqual([Math.fround(Math.log1p(2)), Math.fround(Math.log1p(2))]);
    const differ = wide[0]!.flatMap((v, k) => (v !== tall[0]![k] ? [FEATURE_NAMES[k]] : []));
    expect(differ).toEqual(['log1p_width_in', 'log1p_width_out']);
  });
});
