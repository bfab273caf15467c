/**
 * A small ONNX graph writer for synthetic models: collects nodes and float32 initializers and
 * encodes a `ModelProto` (opset 13 unless `encode` is told otherwise) with onnx-proto
 * (protobufjs static classes).
 */
import onnxpkg from 'onnx-proto';
import { mulberry32 } from '../core/random.ts';

const { onnx } = onnxpkg;

/** How initializers are written: real seeded float32 data, or shape-only external references. */
export type WeightMode = 'random' | 'external';

/** An attribute value accepted by `OnnxWriter.node`. */
export type WriterAttr = number | number[] | string | { float: number } | { tensor: onnxpkg.onnx.ITensorProto };

/** Builds one ONNX graph node by node; tensor names are the node name + `_output_<k>` as torch does. */
export class OnnxWriter {
  private readonly nodes: onnxpkg.onnx.INodeProto[] = [];
  private readonly inits: onnxpkg.onnx.ITensorProto[] = [];
  private readonly names = new Map<string, number>();
  private readonly rand: () => number;
  private externalOffset = 0;

  /**
   * @param mode weight mode (see `WeightMode`)
   * @param seed PRNG seed for `random` weights
   * @param externalFile location written into `external_data` entries in `external` mode
   */
  constructor(
    readonly mode: WeightMode,
    seed: number,
    readonly externalFile = 'weights.bin',
  ) {
    this.rand = mulberry32(seed);
  }

  /** A standard-normal sample (Box-Muller over the seeded PRNG). */
  private normal(): number {
    const u = Math.max(this.rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rand());
  }

  /**
   * Adds a float32 initializer of `dims`; values are `mean + std·N(0,1)` (or `|…|` when
   * `positive`) in `random` mode and absent (external, shape-only) in `external` mode; `mode`
   * overrides the writer's mode for this one initializer.
   * @returns the initializer name
   */
  init(name: string, dims: number[], std: number, mean = 0, positive = false, mode: WeightMode = this.mode): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const t: onnxpkg.onnx.ITensorProto = { name, dims, dataType: onnx.TensorProto.DataType.FLOAT };
    if (mode === 'random') {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const v = mean + std * this.normal();
        data[i] = positive ? Math.abs(v) + 1e-3 : v;
      }
      t.rawData = new Uint8Array(data.buffer);
    } else {
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [
        { key: 'location', value: this.externalFile },
        { key: 'offset', value: String(this.externalOffset) },
        { key: 'length', value: String(count * 4) },
      ];
      this.externalOffset += count * 4;
    }
    this.inits.push(t);
    return name;
  }

  /**
   * Appends a node; its name gets `_<k>` appended on reuse as torch does (`Add`, `Add_1`).
   * @param outputs number of outputs (named `<node name>_output_<k>`) or explicit output names
   * @returns the output tensor names
   */
  node(op: string, name: string, inputs: string[], attrs: Record<string, WriterAttr> = {}, outputs: number | string[] = 1): string[] {
    const seen = this.names.get(name) ?? 0;
    this.names.set(name, seen + 1);
    const nodeName = seen === 0 ? name : `${name}_${seen}`;
    const outs = Array.isArray(outputs) ? outputs : Array.from({ length: outputs }, (_, k) => `${nodeName}_output_${k}`);
    const attribute: onnxpkg.onnx.IAttributeProto[] = Object.entries(attrs).map(([key, v]) => {
      const T = onnx.AttributeProto.AttributeType;
      if (typeof v === 'number') return { name: key, type: T.INT, i: v };
      if (typeof v === 'string') return { name: key, type: T.STRING, s: new TextEncoder().encode(v) };
      if (Array.isArray(v)) return { name: key, type: T.INTS, ints: v };
      if ('float' in v) return { name: key, type: T.FLOAT, f: v.float };
      return { name: key, type: T.TENSOR, t: v.tensor };
    });
    this.nodes.push({ opType: op, name: nodeName, input: inputs, output: outs, attribute, domain: '' });
    return outs;
  }

  /** A `Constant` node holding a float32 scalar; returns its output name. */
  scalar(name: string, value: number): string {
    const tensor: onnxpkg.onnx.ITensorProto = {
      dims: [],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(new Float32Array([value]).buffer),
    };
    return this.node('Constant', name, [], { value: { tensor } })[0] as string;
  }

  /**
   * A `Constant` node holding a 1-D int64 tensor (a `Reshape` target shape, as torch.onnx emits
   * for `view(...)` once static sizes are folded); returns its output name.
   */
  ints(name: string, values: readonly number[]): string {
    const tensor: onnxpkg.onnx.ITensorProto = {
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer),
    };
    return this.node('Constant', name, [], { value: { tensor } })[0] as string;
  }

  /**
   * Encodes the model (default-domain opset `opset`, 13 unless given; IR version the lowest that
   * carries that opset per onnx/helper.py VERSION_TABLE: 7 up to opset 14, 8 up to 18, 9 up to 20,
   * 10 from 21).
   * @param inputs graph inputs as [name, float32 dims]
   * @param outputs graph outputs as [tensor name, float32 dims]
   */
  encode(graphName: string, inputs: Array<[string, number[]]>, outputs: Array<[string, number[]]>, opset = 13): Uint8Array {
    const vi = ([name, dims]: [string, number[]]): onnxpkg.onnx.IValueInfoProto => ({
      name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
    });
    const model: onnxpkg.onnx.IModelProto = {
      irVersion: opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10,
      producerName: 'edgeperf-synth',
      producerVersion: '0.1.0',
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.inits,
        input: inputs.map(vi),
        output: outputs.map(vi),
      },
    };
    return onnx.ModelProto.encode(model).finish();
  }
}
