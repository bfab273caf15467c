import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/core/errors.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { readOnnx } from '../../src/formats/onnx.ts';
import { DT, buildModel, constNode, f32 } from '../helpers/onnx-builder.ts';

const fixture = (name: string): Uint8Array =>
  readFileSync(fileURLToPath(new URL(`../fixtures/onnx/${name}`, import.meta.url)));

describe('readOnnx: real files', () => {
  it('IR-3 initializers listed as graph inputs are weights, not runtime inputs', () => {
    const g = readOnnx(fixture('light_bvlc_alexnet.onnx'), 'alexnet.onnx');
    expect(g.inputs).toEqual(['data_0']);
    expect(g.opset).toBe(9);
    const shape = g.tensors.get('conv1_w_0__SHAPE')!;
    expect(shape.isConstant).toBe(true);
    expect(shape.data).toEqual([96, 3, 11, 11]);
    // int64 shape constants are not weights
    expect(shape.isWeight).toBe(false);
  });

  it('missing node names become op_<index>', () => {
    const g = readOnnx(fixture('test_PixelShuffle.onnx'), 'ps.onnx');
    // nodes 0 and 3 are Constant nodes turned into tensors
    expect(g.nodes.map((n) => n.name)).toEqual(['op_1', 'op_2', 'op_4']);
    expect(g.tensors.get('1')!.data).toEqual([1, 1, 3, 3, 4, 4]);
  });

  it('rejects the training graph with a one-line error naming the file', () => {
    const run = (): unknown => analyzeModel(fixture('test_gradient_of_add.onnx'), 'models/grad.onnx');
    expect(run).toThrow(ModelFormatError);
    try {
      run();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg.split('\n')).toHaveLength(1);
      expect(msg).toContain('models/grad.onnx');
      expect(msg).toContain('training graph');
      expect(msg).toContain('ai.onnx.preview.training');
      expect(msg).toContain('cannot be costed');
    }
  });

  it('truncated and garbage bytes give a one-line ModelFormatError, no protobuf stack', () => {
    const bytes = fixture('light_vgg19.onnx');
    for (const bad of [bytes.subarray(0, 5000), new TextEncoder().encode('hello world, not a model'), new Uint8Array([0x08])]) {
      let err: unknown;
      try {
        readOnnx(bad, 'bad.onnx');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelFormatError);
      const msg = (err as Error).message;
      expect(msg.startsWith('bad.onnx: ')).toBe(true);
      expect(msg).not.toContain('\n');
    }
  });
});

describe('readOnnx: tensors', () => {
  const conv = (w: Parameters<typeof constNode>[1] | undefined, init?: Parameters<typeof buildModel>[0]['initializers']): Uint8Array =>
    buildModel({
      nodes: [...(w ? [constNode('w', w)] : []), { op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { kernel_shape: { ints: [1, 1] } } }],
      inputs: [f32('x', [1, 2, 4, 4])],
      outputs: [f32('y', null)],
      initializers: init ?? [],
    });

  it('typed fields: float_data, int64_data (Long), int32_data, double_data', () => {
    const g = readOnnx(
      buildModel({
        nodes: [{ op: 'Identity', inputs: ['a'], outputs: ['o'] }],
        inputs: [f32('x', [1])],
        outputs: [f32('o', null)],
        initializers: [
          { name: 'a', dims: [2], values: [1.5, -2] },
          { name: 'b', dtype: DT.INT64, dims: [3], values: [1, -1, 2 ** 40] },
          { name: 'c', dtype: DT.INT32, dims: [2], values: [7, -7] },
          { name: 'd', dtype: DT.DOUBLE, dims: [1], values: [0.25] },
          { name: 'e', dtype: DT.INT64, dims: [2], values: [5, -6], raw: true },
          { name: 'f', dtype: DT.FLOAT, dims: [2], values: [0.5, 3], raw: true },
        ],
      }),
      't.onnx',
    );
    expect(Array.from(g.tensors.get('a')!.data!)).toEqual([1.5, -2]);
    expect(g.tensors.get('b')!.data).toEqual([1, -1, 2 ** 40]);
    expect(g.tensors.get('c')!.data).toEqual([7, -7]);
    expect(Array.from(g.tensors.get('d')!.data!)).toEqual([0.25]);
    expect(g.tensors.get('e')!.data).toEqual([5, -6]);
    expect(Array.from(g.tensors.get('f')!.data!)).toEqual([0.5, 3]);
    expect(g.tensors.get('b')!.dtype).toBe('int64');
    expect(g.tensors.get('d')!.dtype).toBe('float64');
  });

  it('weights stored as Constant nodes count as params', () => {
    const a = analyzeModel(conv({ dims: [3, 2, 1, 1], values: [1, 2, 3, 4, 5, 6] }), 'c.onnx');
    expect(a.params).toBe(6);
    expect(a.memory.weightsBytes).toBe(24);
    // 1·3·4·4 output × 2 input channels × 1·1 kernel
    expect(a.macs).toBe(96);
  });

  it('EXTERNAL initializers are shape-only weights', () => {
    const a = analyzeModel(conv(undefined, [{ name: 'w', dims: [8, 2, 1, 1], external: true }]), 'ext.onnx');
    const w = a.graph.tensors.get('w')!;
    expect(w.isWeight).toBe(true);
    expect(w.data).toBeUndefined();
    expect(w.shape).toEqual([8, 2, 1, 1]);
    expect(a.params).toBe(16);
    expect(a.macs).toBe(8 * 16 * 2);
  });

  it('a mismatched tensor (values vs dims) is a ModelFormatError naming the tensor', () => {
    expect(() => readOnnx(conv(undefined, [{ name: 'w', dims: [3, 2, 1, 1], values: [1, 2] }]), 'bad.onnx')).toThrow(
      /bad\.onnx: tensor 'w' holds 2 values but its dims \[3,2,1,1\] need 6/,
    );
  });
});

describe('readOnnx: dynamic input dims', () => {
  const model = buildModel({
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    inputs: [f32('x', ['batch', 3, null, 8])],
    outputs: [f32('y', null)],
  });

  it('defaults to 1 with a warning naming the input and dim', () => {
    const g = readOnnx(model, 'd.onnx');
    expect(g.tensors.get('x')!.shape).toEqual([1, 3, 1, 8]);
    expect(g.warnings).toContain("input 'x': dim 0 ('batch') is dynamic; assumed 1 (set inputShapes['x'] to override)");
    expect(g.warnings).toContain("input 'x': dim 2 (unnamed dynamic dim) is dynamic; assumed 1 (set inputShapes['x'] to override)");
  });

  it('uses inputShapes when given, without warnings', () => {
    const a = analyzeModel(model, 'd.onnx', { inputShapes: { x: [2, 3, 5, 8] } });
    expect(a.graph.tensors.get('y')!.shape).toEqual([2, 3, 5, 8]);
    expect(a.warnings).toEqual([]);
  });

  it('rejects inputShapes of the wrong rank', () => {
    expect(() => readOnnx(model, 'd.onnx', { inputShapes: { x: [2, 3] } })).toThrow(ModelFormatError);
  });
});

describe('backend test graphs: exact MACs by hand (N·Cout·∏out·Cin/group·∏k)', () => {
  const cases: Array<[string, number, number]> = [
    // file, MACs, params
    ['test_Conv2d.onnx', 2 * 4 * 5 * 4 * 3 * 3 * 2, 4 * 3 * 3 * 2 + 4],
    ['test_Conv1d_dilated.onnx', 2 * 5 * 6 * 4 * 3, 5 * 4 * 3 + 5],
    ['test_Conv2d_depthwise_strided.onnx', 2 * 4 * 2 * 2 * 1 * 3 * 3, 4 * 9 + 4],
    ['test_Conv2d_groups.onnx', 2 * 6 * 4 * 4 * 2 * 3 * 2, 6 * 2 * 3 * 2 + 6],
    // ConvTranspose: N·Cin·∏in·(Cout/group)·∏k
    ['test_ConvTranspose2d.onnx', 1 * 3 * 7 * 6 * 4 * 3 * 3, 3 * 4 * 9 + 4],
    ['test_Linear.onnx', 4 * 8 * 10, 8 * 10 + 8],
    ['test_operator_conv.onnx', 20 * 13 * 48 * 38 * 16 * 3 * 3, 13 * 16 * 9],
    ['test_BatchNorm2d_eval.onnx', 0, 12],
    ['test_PixelShuffle.onnx', 0, 0],
  ];
  for (const [file, macs, params] of cases) {
    it(`${file}: ${macs} MACs, ${params} params, output shape as declared`, () => {
      const bytes = fixture(file);
      const a = analyzeModel(bytes, file);
      expect(a.macs).toBe(macs);
      expect(a.params).toBe(params);
      expect(a.unsupportedOps).toEqual([]);
      // the inferred output shape equals the one the file declares
      const declared = readOnnx(bytes, file);
      const out = a.graph.outputs[0]!;
      expect(a.graph.tensors.get(out)!.shape).toEqual(declared.tensors.get(out)!.shape);
    });
  }
});
