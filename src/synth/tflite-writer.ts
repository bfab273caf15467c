/**
 * A small TFLite FlatBuffer writer for synthetic models, on the `flatbuffers` npm `Builder`:
 * collects tensors, buffers and builtin operators and encodes a schema-v3 `Model` with file
 * identifier "TFL3". Slots and enum values: ../../../shared/specs/tflite-format.md §2–§7 (the same
 * tables src/formats/tflite-schema.ts reads).
 */
import { Builder, type Offset } from 'flatbuffers';
import { mulberry32 } from '../core/random.ts';
import { BUFFER, MODEL, OPERATOR, OPERATOR_CODE, SUBGRAPH, TENSOR, TFLITE_IDENTIFIER } from '../formats/tflite-schema.ts';

/** How constant tensors are written: real seeded float32 data, or shape-only external buffers. */
export type TfliteWeightMode = 'random' | 'external';

/** `BuiltinOperator` codes the synthetic builders use (§4). */
export const TFL_OP = { ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, FULLY_CONNECTED: 9, MUL: 18, RELU: 19, RESHAPE: 22, MEAN: 40 } as const;

/** `TensorType` codes used here (§3). */
const FLOAT32 = 0;
const INT32 = 2;

/** `Padding` (§6). */
export const TFL_PADDING = { SAME: 0, VALID: 1 } as const;

/** `ActivationFunctionType` (§6). */
export const TFL_ACT = { NONE: 0, RELU: 1, RELU6: 3 } as const;

/** Builtin options of one operator: its union tag (§5.2) and a function writing the table. */
interface Options {
  tag: number;
  write(b: Builder): Offset;
}

interface TensorDef {
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  /** Rev-3d `external_buffer` index: a constant whose data is not in the file (shape-only). */
  external: number;
}

interface OpDef {
  code: number;
  inputs: number[];
  outputs: number[];
  options?: Options;
}

/** Conv2DOptions (tag 1): padding 0, stride_w 1, stride_h 2, act 3. */
export function conv2dOptions(padding: number, stride: number, act: number = TFL_ACT.NONE): Options {
  return {
    tag: 1,
    write: (b) => {
      b.startObject(7);
      b.addFieldInt8(0, padding, 0);
      b.addFieldInt32(1, stride, 0);
      b.addFieldInt32(2, stride, 0);
      b.addFieldInt8(3, act, 0);
      return b.endObject();
    },
  };
}

/** Pool2DOptions (tag 5): padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4, act 5. */
export function pool2dOptions(padding: number, stride: number, filter: number): Options {
  return {
    tag: 5,
    write: (b) => {
      b.startObject(6);
      b.addFieldInt8(0, padding, 0);
      b.addFieldInt32(1, stride, 0);
      b.addFieldInt32(2, stride, 0);
      b.addFieldInt32(3, filter, 0);
      b.addFieldInt32(4, filter, 0);
      return b.endObject();
    },
  };
}

/** AddOptions (tag 11) or MulOptions (tag 21): act in slot 0. */
export function actOptions(op: 'add' | 'mul', act: number = TFL_ACT.NONE): Options {
  return {
    tag: op === 'add' ? 11 : 21,
    write: (b) => {
      b.startObject(op === 'add' ? 2 : 1);
      b.addFieldInt8(0, act, 0);
      return b.endObject();
    },
  };
}

/** FullyConnectedOptions (tag 8): act 0, keep_num_dims 2 (false). */
export function fullyConnectedOptions(act: number = TFL_ACT.NONE): Options {
  return {
    tag: 8,
    write: (b) => {
      b.startObject(5);
      b.addFieldInt8(0, act, 0);
      return b.endObject();
    },
  };
}

/** ReshapeOptions (tag 17): new_shape [int32] in slot 0. */
export function reshapeOptions(newShape: number[]): Options {
  return {
    tag: 17,
    write: (b) => {
      const v = int32Vector(b, newShape);
      b.startObject(1);
      b.addFieldOffset(0, v, 0);
      return b.endObject();
    },
  };
}

/** ReducerOptions (tag 27, MEAN and the other reducers): keep_dims in slot 0. */
export function reducerOptions(keepDims: boolean): Options {
  return {
    tag: 27,
    write: (b) => {
      b.startObject(1);
      b.addFieldInt8(0, keepDims ? 1 : 0, 0);
      return b.endObject();
    },
  };
}

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] as number);
  return b.endVector();
}

/** Builds one TFLite subgraph tensor by tensor and operator by operator (execution order). */
export class TfliteWriter {
  private readonly tensors: TensorDef[] = [];
  /** Buffer 0 is the empty sentinel (§2.1). */
  private readonly buffers: Array<Uint8Array | null> = [null];
  private readonly ops: OpDef[] = [];
  private readonly codes: number[] = [];
  private readonly rand: () => number;

  /**
   * @param mode weight mode (see `TfliteWeightMode`)
   * @param seed PRNG seed for `random` weights
   */
  constructor(
    readonly mode: TfliteWeightMode,
    seed: number,
  ) {
    this.rand = mulberry32(seed);
  }

  private normal(): number {
    const u = Math.max(this.rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rand());
  }

  /** Adds an activation tensor (float32, no data); returns its index. */
  activation(name: string, shape: number[]): number {
    this.tensors.push({ name, shape, type: FLOAT32, buffer: 0, external: 0 });
    return this.tensors.length - 1;
  }

  /**
   * Adds a float32 weight of `shape`: `mean + std·N(0,1)` (or `|…|` when `positive`) in `random`
   * mode, a shape-only external buffer in `external` mode; `mode` overrides the writer's mode.
   * @returns the tensor index
   */
  weight(name: string, shape: number[], std: number, mean = 0, positive = false, mode: TfliteWeightMode = this.mode): number {
    if (mode === 'external') {
      this.tensors.push({ name, shape, type: FLOAT32, buffer: 0, external: 1 });
      return this.tensors.length - 1;
    }
    const count = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const v = mean + std * this.normal();
      data[i] = positive ? Math.abs(v) + 1e-3 : v;
    }
    return this.constant(name, shape, FLOAT32, new Uint8Array(data.buffer));
  }

  /** A float32 constant holding exactly `values` (always stored in the file). */
  floatConst(name: string, shape: number[], values: readonly number[]): number {
    return this.constant(name, shape, FLOAT32, new Uint8Array(Float32Array.from(values).buffer));
  }

  /** An int32 constant (shapes, axes: not weights) holding `values`. */
  intConst(name: string, values: readonly number[]): number {
    return this.constant(name, [values.length], INT32, new Uint8Array(Int32Array.from(values).buffer));
  }

  private constant(name: string, shape: number[], type: number, bytes: Uint8Array): number {
    this.buffers.push(bytes);
    this.tensors.push({ name, shape, type, buffer: this.buffers.length - 1, external: 0 });
    return this.tensors.length - 1;
  }

  /**
   * Appends a builtin operator; `-1` in `inputs` marks an omitted optional input (§2.5).
   * @returns the first output tensor index
   */
  op(code: number, inputs: number[], outputs: number[], options?: Options): number {
    if (!this.codes.includes(code)) this.codes.push(code);
    const def: OpDef = { code, inputs, outputs };
    if (options) def.options = options;
    this.ops.push(def);
    return outputs[0] as number;
  }

  /**
   * Encodes the model (schema version 3, one subgraph, description "edgeperf-synth").
   * @param inputs graph input tensor indices
   * @param outputs graph output tensor indices
   */
  encode(graphName: string, inputs: number[], outputs: number[]): Uint8Array {
    const b = new Builder(1 << 16);
    // Buffers: data vectors 16-byte aligned, as the converter writes them.
    const bufferOffsets = this.buffers.map((data) => {
      let dataOff = 0;
      if (data && data.length > 0) {
        b.startVector(1, data.length, 16);
        for (let i = data.length - 1; i >= 0; i--) b.writeInt8(data[i] as number);
        dataOff = b.endVector();
      }
      b.startObject(3);
      if (dataOff) b.addFieldOffset(BUFFER.data, dataOff, 0);
      return b.endObject();
    });
    const tensorOffsets = this.tensors.map((t) => {
      const name = b.createString(t.name);
      const shape = int32Vector(b, t.shape);
      b.startObject(11);
      b.addFieldOffset(TENSOR.shape, shape, 0);
      b.addFieldInt8(TENSOR.type, t.type, 0);
      b.addFieldInt32(TENSOR.buffer, t.buffer, 0);
      b.addFieldOffset(TENSOR.name, name, 0);
      b.addFieldInt32(TENSOR.externalBuffer, t.external, 0);
      return b.endObject();
    });
    const opOffsets = this.ops.map((o) => {
      const ins = int32Vector(b, o.inputs);
      const outs = int32Vector(b, o.outputs);
      const opts = o.options ? o.options.write(b) : 0;
      b.startObject(14);
      b.addFieldInt32(OPERATOR.opcodeIndex, this.codes.indexOf(o.code), 0);
      b.addFieldOffset(OPERATOR.inputs, ins, 0);
      b.addFieldOffset(OPERATOR.outputs, outs, 0);
      if (o.options) {
        b.addFieldInt8(OPERATOR.builtinOptionsType, o.options.tag, 0);
        b.addFieldOffset(OPERATOR.builtinOptions, opts, 0);
      }
      return b.endObject();
    });
    const tableVector = (offs: Offset[]): Offset => {
      b.startVector(4, offs.length, 4);
      for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i] as Offset);
      return b.endVector();
    };
    const tensorsV = tableVector(tensorOffsets);
    const opsV = tableVector(opOffsets);
    const inV = int32Vector(b, inputs);
    const outV = int32Vector(b, outputs);
    const sgName = b.createString(graphName);
    b.startObject(6);
    b.addFieldOffset(SUBGRAPH.tensors, tensorsV, 0);
    b.addFieldOffset(SUBGRAPH.inputs, inV, 0);
    b.addFieldOffset(SUBGRAPH.outputs, outV, 0);
    b.addFieldOffset(SUBGRAPH.operators, opsV, 0);
    b.addFieldOffset(SUBGRAPH.name, sgName, 0);
    const subgraph = b.endObject();
    const codeOffsets = this.codes.map((code) => {
      b.startObject(4);
      b.addFieldInt8(OPERATOR_CODE.deprecatedBuiltinCode, Math.min(code, 127), 0);
      b.addFieldInt32(OPERATOR_CODE.version, 1, 1);
      b.addFieldInt32(OPERATOR_CODE.builtinCode, code, 0);
      return b.endObject();
    });
    const codesV = tableVector(codeOffsets);
    const subgraphsV = tableVector([subgraph]);
    const buffersV = tableVector(bufferOffsets);
    const desc = b.createString('edgeperf-synth');
    b.startObject(10);
    b.addFieldInt32(MODEL.version, 3, 0);
    b.addFieldOffset(MODEL.operatorCodes, codesV, 0);
    b.addFieldOffset(MODEL.subgraphs, subgraphsV, 0);
    b.addFieldOffset(MODEL.description, desc, 0);
    b.addFieldOffset(MODEL.buffers, buffersV, 0);
    const model = b.endObject();
    b.finish(model, TFLITE_IDENTIFIER);
    return b.asUint8Array().slice();
  }
}
