/**
 * TFLite reader: real files from test/fixtures/tflite (and, when present, ../shared/models for
 * the large ones). Expected MACs are recomputed by hand in the comments.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ModelFormatError } from '../../src/core/errors.ts';
import { evaluateModel } from '../../src/core/pipeline.ts';
import type { ModelAnalysis, Predictor } from '../../src/core/types.ts';
import { readTflite } from '../../src/formats/tflite.ts';
import { extractFeatures } from '../../src/cost/features.ts';

const FIX = resolve(import.meta.dirname, '../fixtures/tflite');
const SHARED = resolve(import.meta.dirname, '../../../shared/models');
const fixture = (name: string): Uint8Array => readFileSync(join(FIX, name));
const shared = (rel: string): Uint8Array => readFileSync(join(SHARED, rel));
const hasShared = existsSync(join(SHARED, 'coral-test_data/mobilenet_v2_1.0_224_quant.tflite'));

function nodeCost(a: ModelAnalysis, name: string): { macs: number; shape: unknown } {
  const i = a.graph.nodes.findIndex((n) => n.name === name);
  expect(i, name).toBeGreaterThanOrEqual(0);
  const n = a.graph.nodes[i]!;
  return { macs: a.costs[i]!.macs, shape: a.graph.tensors.get(n.outputs[0]!)?.shape };
}

describe('readTflite: structure', () => {
  it('reads operators, NHWC layout, quantization and builtin options (kws_ref_model, int8)', () => {
    const g = readTflite(fixture('kws_ref_model.tflite'), 'kws.tflite');
    expect(g.format).toBe('tflite');
    expect(g.layout).toBe('NHWC');
    expect(g.opset).toBe(3);
    // §9: CONV_2D×5, DEPTHWISE_CONV_2D×4, AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX
    expect(g.nodes.map((n) => n.op)).toEqual([...new Array<string>(9).fill('Conv'), 'AveragePool', 'Reshape', 'Gemm', 'Softmax']);
    const conv = g.nodes.find((n) => n.op === 'Conv')!;
    // tflite-format.md §9: kws_ref_model first CONV_2D is SAME, 2x2, RELU, filter [64,10,4,1]
    expect(conv.attrs).toMatchObject({ auto_pad: 'SAME_UPPER', strides: [2, 2], dilations: [1, 1], kernel_layout: 'OHWI', kernel_shape: [10, 4] });
    expect(conv.fusedActivation).toBe('RELU');
    const w = g.tensors.get(conv.inputs[1]!)!;
    expect(w).toMatchObject({ shape: [64, 10, 4, 1], dtype: 'int8', isConstant: true, isWeight: true });
    expect(w.quantization!.scale).toHaveLength(64); // per-channel
    expect(w.quantization!.axis).toBe(0);
    const bias = g.tensors.get(conv.inputs[2]!)!;
    expect(bias).toMatchObject({ dtype: 'int32', isWeight: true }); // quantized int32 bias is a weight
    const dw = g.nodes.find((n) => n.attrs['depthwise'] === true)!;
    expect(dw.attrs).toMatchObject({ kernel_layout: '1HWO', group: 64, kernel_shape: [3, 3] });
    const input = g.tensors.get(g.inputs[0]!)!;
    expect(input.dtype).toBe('int8');
    expect(input.quantization!.scale).toHaveLength(1);
  });

  it('the registry rules reproduce every shape the file declares (analysis from the input shapes alone)', () => {
    for (const f of ['kws_ref_model.tflite', 'pretrainedResnet_quant.tflite', 'micro_speech_quantized.tflite', 'trained_lstm_int8.tflite', 'keyword_scrambled_8bit.tflite', 'conv10.tflite', 'hello_world_int8.tflite']) {
      const bytes = fixture(f);
      const a = analyzeModel(bytes, f);
      const g = readTflite(bytes, f);
      const inputShapes = Object.fromEntries(g.inputs.map((id) => [id, g.tensors.get(id)!.shape as number[]]));
      // With inputShapes given, the file's intermediate shapes are dropped and recomputed.
      const b = analyzeModel(bytes, f, { inputShapes });
      expect(b.macs, f).toBe(a.macs);
      expect(b.memory, f).toEqual(a.memory);
      expect(a.warnings.filter((w) => /shape rule gives/.test(w)), f).toEqual([]);
      expect(b.warnings.filter((w) => /unknown/.test(w)), f).toEqual([]);
    }
  });

  it('shares one IR tensor between tensors of the same buffer; int32 shape constants are not weights', () => {
    const g = readTflite(fixture('pretrainedResnet.tflite'), 'r.tflite');
    const reshape = g.nodes.find((n) => n.op === 'Reshape')!;
    // the target moved into an attribute: no int32 input left to count as a weight
    expect(reshape.inputs).toHaveLength(1);
    expect(reshape.attrs['shape']).toEqual([-1, 64]);
  });

  it('bad bytes give a one-line ModelFormatError naming the file', () => {
    const bytes = fixture('kws_ref_model.tflite');
    for (const bad of [bytes.subarray(0, 2000), bytes.subarray(0, 6), new Uint8Array([8, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0xff, 0xff, 0xff, 0x7f])]) {
      let err: unknown;
      try {
        analyzeModel(bad, 'models/bad.tflite');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message.startsWith('models/bad.tflite: ')).toBe(true);
      expect((err as Error).message).not.toContain('\n');
    }
    const wrongId = new Uint8Array(bytes);
    wrongId[4] = 0x58;
    expect(() => readTflite(wrongId, 'x.tflite')).toThrow(/x\.tflite: not a TFLite model \(no "TFL3" file identifier/);
  });
});

describe('readTflite: MACs of real files', () => {
  it('depthwise with multiplier 8 on a 1-channel input (micro_speech_quantized)', () => {
    const a = analyzeModel(fixture('micro_speech_quantized.tflite'), 'ms.tflite');
    const dw = a.graph.nodes.find((n) => n.op === 'Conv')!;
    expect(dw.attrs['depth_multiplier']).toBe(8);
    const c = nodeCost(a, dw.name);
    // input [1,49,40,1], filter [1,10,8,8], SAME stride 2 → [1,25,20,8]; 640 weights × 500 positions
    expect(c.shape).toEqual([1, 25, 20, 8]);
    expect(c.macs).toBe(640 * 25 * 20);
    // + FC [4, 4000] on [1,25,20,8] (rows = 8000/4000... one row of 4000)
    expect(a.macs).toBe(320_000 + 16_000);
  });

  it('CONV_2D with VALID padding and different strides (conv10, int16)', () => {
    const a = analyzeModel(fixture('conv10.tflite'), 'c.tflite');
    // §9: filter [64,3,4,64], input [1,3,12,64] → [1,1,5,64]
    expect(a.graph.nodes[0]!.attrs).toMatchObject({ auto_pad: 'VALID', strides: [1, 2] });
    expect(a.graph.tensors.get(a.graph.outputs[0]!)!.shape).toEqual([1, 1, 5, 64]);
    expect(a.macs).toBe(64 * 3 * 4 * 64 * 5);
    expect(a.graph.tensors.get(a.graph.inputs[0]!)!.dtype).toBe('int16');
  });

  it('UNIDIRECTIONAL_SEQUENCE_LSTM: 4 gates × U·(I+U) per step (trained_lstm_int8)', () => {
    const a = analyzeModel(fixture('trained_lstm_int8.tflite'), 'l.tflite');
    const lstm = a.graph.nodes.find((n) => n.op === 'UnidirectionalSequenceLSTM')!;
    expect(lstm.domain).toBe('tflite');
    // X [1,28,28], U = 20: 28 steps × 4·20·(28+20); then FC [10, 560]
    expect(nodeCost(a, lstm.name).macs).toBe(28 * 4 * 20 * 48);
    expect(a.macs).toBe(28 * 4 * 20 * 48 + 10 * 560);
    expect(a.unsupportedOps).toEqual([]);
    // the LSTM state tensors are persistent state: neither weights nor arena activations
    expect(a.params).toBe(4 * 20 * 28 + 4 * 20 * 20 + 4 * 20 + 10 * 560 + 10);
  });

  it('SVDF: B·F·(I + memory) (keyword_scrambled_8bit)', () => {
    const a = analyzeModel(fixture('keyword_scrambled_8bit.tflite'), 'k.tflite');
    const svdf = a.graph.nodes.filter((n) => n.op === 'SVDF');
    expect(svdf).toHaveLength(7);
    // §7: first SVDF: input [1,96], feature weights [64,96], time weights [64,8], rank 1
    const c = nodeCost(a, svdf[0]!.name);
    expect(c.macs).toBe(64 * 96 + 64 * 8);
    expect(c.shape).toEqual([1, 64]);
    expect(a.unsupportedOps).toEqual([]);
  });

  it('features of TFLite graphs come from the registry: depthwise token, NHWC channels, dtype bytes', () => {
    const a = analyzeModel(fixture('kws_ref_model.tflite'), 'kws.tflite');
    const f = extractFeatures(a);
    expect(f.ops.filter((o) => o === 'DepthwiseConv')).toHaveLength(4);
    expect(f.ops.filter((o) => o === 'Conv')).toHaveLength(5);
    expect(f.ops).toContain('Gemm');
    expect(f.ops).not.toContain('other');
  });
});

describe('float vs int8 copies of the same network', () => {
  const pairs: Array<[string, string, (f: string) => Uint8Array]> = [
    ['kws_ref_model_float32.tflite', 'kws_ref_model.tflite', fixture],
    ['pretrainedResnet.tflite', 'pretrainedResnet_quant.tflite', fixture],
    ['hello_world_float.tflite', 'hello_world_int8.tflite', fixture],
  ];
  if (hasShared) {
    pairs.push(['mlcommons-tiny/vww_96_float.tflite', 'mlcommons-tiny/vww_96_int8.tflite', shared]);
    pairs.push(['mlcommons-tiny/ad01_fp32.tflite', 'mlcommons-tiny/ad01_int8.tflite', shared]);
  }
  it.each(pairs)('%s and %s agree on MACs and params within 1%%', (fl, q, read) => {
    const a = analyzeModel(read(fl), fl);
    const b = analyzeModel(read(q), q);
    expect(a.macs).toBeGreaterThan(0);
    expect(Math.abs(a.macs - b.macs) / a.macs).toBeLessThan(0.01);
    expect(Math.abs(a.params - b.params) / a.params).toBeLessThan(0.01);
    expect(b.memory.weightsBytes).toBeLessThan(a.memory.weightsBytes);
  });

  it('weight and activation bytes reflect the dtype: int8 ≈ 1/4 of float32', () => {
    const f = analyzeModel(fixture('pretrainedResnet.tflite'), 'f.tflite');
    const q = analyzeModel(fixture('pretrainedResnet_quant.tflite'), 'q.tflite');
    expect(f.memory.weightsBytes).toBe(4 * f.params);
    // int8 weights + int32 biases: 78,744 bytes for 77,706 params
    expect(q.memory.weightsBytes / f.memory.weightsBytes).toBeGreaterThan(0.24);
    expect(q.memory.weightsBytes / f.memory.weightsBytes).toBeLessThan(0.26);
    expect(q.memory.peakActivationBytes * 4).toBe(f.memory.peakActivationBytes);
    const dt = new Set([...q.graph.tensors.values()].filter((t) => !t.isConstant).map((t) => t.dtype));
    expect([...dt]).toEqual(['int8']);
  });
});

describe('compiled delegate graphs', () => {
  const predictor: Predictor = {
    targets: () => [],
    predict: async () => {
      throw new Error('must not be called for a compiled model');
    },
  };

  it('a Vela-compiled model (single ethos-u CUSTOM op) is recognised, not predicted', async () => {
    const a = analyzeModel(fixture('person_detect_vela.tflite'), 'pd_vela.tflite');
    expect(a.compiledFor).toBe('ethos-u');
    expect(a.unsupportedOps).toEqual(['ethos-u']);
    expect(a.warnings[0]).toBe('compiled for ethos-u: cost not predictable from the graph (analyse the model before compilation instead)');
    expect(a.warnings.some((w) => /scratch/.test(w))).toBe(false);
    const r = await evaluateModel(fixture('person_detect_vela.tflite'), 'models/pd_vela.tflite', predictor, ['raspberry-pi-4']);
    expect(r).toEqual({
      ok: false,
      kind: 'compiled',
      compiledFor: 'ethos-u',
      file: 'models/pd_vela.tflite',
      error: 'models/pd_vela.tflite: compiled for ethos-u: cost not predictable from the graph (analyse the model before compilation instead)',
    });
  });

  it.skipIf(!hasShared)('an Edge TPU-compiled model is recognised (shared models)', () => {
    const a = analyzeModel(shared('coral-test_data/mobilenet_v1_0.25_128_quant_edgetpu.tflite'), 'm_edgetpu.tflite');
    expect(a.compiledFor).toBe('edgetpu');
    expect(a.graph.nodes.map((n) => `${n.domain}.${n.op}`)).toEqual(['tflite.custom.edgetpu-custom-op']);
  });
});

describe.skipIf(!hasShared)('acceptance: published multiply-add counts (../shared/models; absent: skipped)', () => {
  it('MobileNetV2 1.0 224 (quant): within 5% of 300 M', () => {
    const a = analyzeModel(shared('coral-test_data/mobilenet_v2_1.0_224_quant.tflite'), 'mnv2.tflite');
    expect(a.macs).toBe(300_775_552);
    expect(Math.abs(a.macs - 300e6) / 300e6).toBeLessThan(0.05);
    expect(a.params).toBe(3_489_097);
  });

  it('MobileNetV1 0.25 128 (quant): within 5% of 14 M', () => {
    const a = analyzeModel(shared('coral-test_data/mobilenet_v1_0.25_128_quant.tflite'), 'mnv1.tflite');
    expect(a.macs).toBe(13_570_304);
    expect(Math.abs(a.macs - 14e6) / 14e6).toBeLessThan(0.05);
  });

  it('the PyTorch-exported MobileNetV2 (NCHW input, PAD + TRANSPOSE) has the same MACs within 0.01%', () => {
    const a = analyzeModel(shared('tflite-micro/mobilenet_v2_quantized_1x3x224x224.tflite'), 'pt.tflite');
    expect(Math.abs(a.macs - 300_775_552) / 300_775_552).toBeLessThan(1e-4);
  });
});
