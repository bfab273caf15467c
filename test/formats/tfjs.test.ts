/**
 * TF.js graph-model reader: the real MediaPipe selfie model (test/fixtures/tfjs/selfie) and tiny
 * model.json graphs built here to check one rule each.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ModelFormatError } from '../../src/core/errors.ts';
import { skipReason, sniffFormat } from '../../src/formats/detect.ts';
import { readTfjs, tfjsWeightPaths } from '../../src/formats/tfjs.ts';

const FIX = resolve(import.meta.dirname, '../fixtures/tfjs/selfie');
const JSON_BYTES = readFileSync(join(FIX, 'selfie.json'));
const BIN = readFileSync(join(FIX, 'selfie.bin'));
const enc = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ints = (...v: number[]): { list: { i: string[] } } => ({ list: { i: v.map(String) } });

describe('readTfjs: MediaPipe selfie segmentation (graph model, float16-stored weights)', () => {
  it('reads the GraphDef with the weight files: every shape resolved', () => {
    expect(sniffFormat(JSON_BYTES, 'selfie.json')).toBe('tfjs');
    expect(tfjsWeightPaths(JSON_BYTES)).toEqual(['selfie.bin']);
    const a = analyzeModel(JSON_BYTES, 'selfie.json', { weightShards: { 'selfie.bin': BIN } });
    expect(a.format).toBe('tfjs');
    expect(a.graph.layout).toBe('NHWC');
    expect(a.warnings).toEqual([]);
    expect(a.unsupportedOps).toEqual([]);
    expect(a.graph.inputs).toEqual(['input_1']);
    expect(a.graph.outputs).toEqual(['activation_10']);
    expect(a.graph.tensors.get('activation_10')!.shape).toEqual([1, 256, 256, 1]);
    expect(a.macs).toBe(59_215_744);
    expect(a.params).toBe(106_423);
    // float16-stored weights are dequantized to float32 by TF.js at load: 4 bytes per param
    expect(a.memory.weightsBytes).toBe(4 * 106_423);
    const first = a.graph.nodes[0]!;
    expect(first.attrs).toMatchObject({ kernel_layout: 'HWIO', kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' });
    expect(a.graph.tensors.get(first.outputs[0]!)!.shape).toEqual([1, 128, 128, 16]);
  });

  it('Conv2DBackpropInput is a ConvTranspose: x [1,128,128,16] · filter [2,2,1,16]', () => {
    const a = analyzeModel(JSON_BYTES, 'selfie.json', { weightShards: { 'selfie.bin': BIN } });
    const i = a.graph.nodes.findIndex((n) => n.op === 'ConvTranspose');
    expect(a.graph.nodes[i]!.attrs).toMatchObject({ kernel_layout: 'HWOI', output_shape: [256, 256] });
    expect(a.costs[i]!.macs).toBe(128 * 128 * 2 * 2 * 1 * 16);
  });

  it('without the weight files: a warning, and shapes after a data-dependent resize are unknown', () => {
    const a = analyzeModel(JSON_BYTES, 'selfie.json');
    expect(a.warnings[0]).toMatch(/^weight files not read/);
    expect(a.warnings.some((w) => /ResizeBilinear.*sizes .* is not a constant/.test(w))).toBe(true);
    expect(a.macs).toBeLessThan(59_215_744);
    expect(a.params).toBe(106_423); // weight shapes are all in the manifest
  });
});

/** A model.json with the given GraphDef nodes and manifest weights. */
function graphModel(nodes: object[], weights: object[]): Uint8Array {
  return enc({ format: 'graph-model', modelTopology: { node: nodes, library: {}, versions: {} }, weightsManifest: [{ paths: ['w.bin'], weights }] });
}

describe('readTfjs: op rules on tiny graphs', () => {
  const input = (shape: number[]): object => ({
    name: 'x',
    op: 'Placeholder',
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: shape.map((s) => ({ size: String(s) })) } } },
  });

  it('_FusedConv2D (BiasAdd, Relu6), depthwise (HWIM) and _FusedMatMul; −1 batch defaults to 1', () => {
    const bytes = graphModel(
      [
        input([-1, 8, 8, 3]),
        { name: 'w', op: 'Const', attr: {} },
        { name: 'b', op: 'Const', attr: {} },
        { name: 'dw', op: 'Const', attr: {} },
        { name: 'fc', op: 'Const', attr: {} },
        { name: 'fb', op: 'Const', attr: {} },
        {
          name: 'conv',
          op: '_FusedConv2D',
          input: ['x', 'w', 'b'],
          attr: { strides: ints(1, 2, 2, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1), fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu6')] } }, num_args: { i: '1' } },
        },
        { name: 'dwconv', op: 'DepthwiseConv2dNative', input: ['conv', 'dw'], attr: { strides: ints(1, 1, 1, 1), padding: { s: b64('VALID') } } },
        { name: 'flat', op: 'Reshape', input: ['dwconv', 'shape'], attr: {} },
        { name: 'shape', op: 'Const', attr: {} },
        { name: 'dense', op: '_FusedMatMul', input: ['flat', 'fc', 'fb'], attr: { fused_ops: { list: { s: [b64('BiasAdd')] } }, transpose_b: { b: false } } },
      ],
      [
        { name: 'w', shape: [3, 3, 3, 16], dtype: 'float32' },
        { name: 'b', shape: [16], dtype: 'float32' },
        { name: 'dw', shape: [3, 3, 16, 2], dtype: 'float32' },
        { name: 'fc', shape: [128, 10], dtype: 'float32' },
        { name: 'fb', shape: [10], dtype: 'float32' },
        { name: 'shape', shape: [2], dtype: 'int32' },
      ],
    );
    // weight bytes: 432 + 16 + 288 + 1280 + 10 floats, then the int32 shape [-1, 128]
    const bin = new Uint8Array((432 + 16 + 288 + 1280 + 10) * 4 + 8);
    const dv = new DataView(bin.buffer);
    // non-zero weights (all-zero weights would be folded away as zero edges)
    for (let k = 0; k < bin.length - 8; k += 4) dv.setFloat32(k, 0.5, true);
    dv.setInt32(bin.length - 8, -1, true);
    dv.setInt32(bin.length - 4, 128, true);
    const a = analyzeModel(bytes, 'model.json', { weightShards: { 'w.bin': bin } });
    expect(a.warnings).toEqual(["input 'x': dim 0 (unnamed dynamic dim) is dynamic; assumed 1 (set inputShapes['x'] to override)"]);
    const conv = a.graph.nodes.find((n) => n.name === 'conv')!;
    expect(conv.fusedActivation).toBe('RELU6');
    expect(a.graph.tensors.get('conv')!.shape).toEqual([1, 4, 4, 16]);
    expect(a.graph.tensors.get('dwconv')!.shape).toEqual([1, 2, 2, 32]); // multiplier 2
    expect(a.graph.tensors.get('dense')!.shape).toEqual([1, 10]);
    // conv 432·16 positions; depthwise 288·4 positions; dense 128·10
    expect(a.macs).toBe(432 * 16 + 288 * 4 + 1280);
    expect(a.params).toBe(432 + 16 + 288 + 1280 + 10); // the int32 shape is not a weight
  });

  it('rejects a layers model with the converter command, and JSON that is not a model', () => {
    const layers = enc({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: {} }, weightsManifest: [] });
    expect(() => readTfjs(layers, 'web/model.json')).toThrow(ModelFormatError);
    expect(() => readTfjs(layers, 'web/model.json')).toThrow(/^web\/model\.json: is a TF\.js layers model; only graph models are read\. Convert it: tensorflowjs_converter/);
    expect(skipReason('web/model.json', layers)).toMatch(/^a TF\.js layers model/);
    expect(skipReason('pkg/model.json', enc({ name: 'x', version: '1.0.0' }))).toBe('not a TF.js graph model');
    expect(skipReason('selfie.json', JSON_BYTES)).toBeUndefined();
    expect(skipReason('m.tflite', enc({}))).toBeUndefined();
  });
});
