/**
 * Builds small ONNX ModelProto bytes for tests (tiny graphs made on purpose to check one rule),
 * with onnx-proto's `onnx.ModelProto.encode(...).finish()`.
 */
import onnxpkg from 'onnx-proto';

const { onnx } = onnxpkg;

/** ONNX TensorProto.DataType codes used in tests. */
export const DT = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;

/** An initializer or attribute tensor. */
export interface TensorSpec {
  name?: string;
  /** TensorProto.DataType code (default FLOAT). */
  dtype?: number;
  dims: number[];
  /** Values; stored in the typed field unless `raw` is set. */
  values?: number[];
  /** Store `values` as little-endian raw_data. */
  raw?: boolean;
  /** data_location = EXTERNAL (no values stored). */
  external?: boolean;
}

/** An attribute value. */
export type AttrSpec =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { t: TensorSpec }
  | { g: GraphSpec };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, AttrSpec>;
}

/** A graph input/output/value_info: shape dims are numbers, symbols, or null (no value). */
export interface ValueSpec {
  name: string;
  dtype?: number;
  shape?: (number | string | null)[] | null;
}

export interface GraphSpec {
  name?: string;
  nodes: NodeSpec[];
  inputs?: ValueSpec[];
  outputs: ValueSpec[];
  initializers?: TensorSpec[];
  valueInfo?: ValueSpec[];
}

export interface ModelOptions {
  /** Default-domain opset (default 13). */
  opset?: number;
  irVersion?: number;
  /** Extra opset imports, e.g. { 'com.example': 1 }. */
  domains?: Record<string, number>;
  /** List initializers as graph inputs too (IR version 3 style). */
  initializersAsInputs?: boolean;
}

function rawBytes(dtype: number, values: number[]): Uint8Array {
  const size = dtype === DT.INT64 || dtype === DT.DOUBLE ? 8 : dtype === DT.FLOAT || dtype === DT.INT32 ? 4 : dtype === DT.FLOAT16 ? 2 : 1;
  const buf = new Uint8Array(values.length * size);
  const dv = new DataView(buf.buffer);
  values.forEach((v, i) => {
    if (dtype === DT.FLOAT) dv.setFloat32(i * 4, v, true);
    else if (dtype === DT.DOUBLE) dv.setFloat64(i * 8, v, true);
    else if (dtype === DT.INT64) dv.setBigInt64(i * 8, v >= 2 ** 63 ? 2n ** 63n - 1n : BigInt(v), true);
    else if (dtype === DT.INT32) dv.setInt32(i * 4, v, true);
    else if (dtype === DT.INT8) dv.setInt8(i, v);
    else dv.setUint8(i, v);
  });
  return buf;
}

/** A TensorProto object from a spec. */
export function tensor(spec: TensorSpec): onnxpkg.onnx.ITensorProto {
  const dtype = spec.dtype ?? DT.FLOAT;
  const t: onnxpkg.onnx.ITensorProto = { name: spec.name ?? '', dataType: dtype, dims: spec.dims };
  if (spec.external) {
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [{ key: 'location', value: 'weights.bin' }];
    return t;
  }
  const values = spec.values ?? [];
  if (spec.raw) t.rawData = rawBytes(dtype, values);
  else if (dtype === DT.FLOAT) t.floatData = values;
  else if (dtype === DT.DOUBLE) t.doubleData = values;
  else if (dtype === DT.INT64) t.int64Data = values;
  else t.int32Data = values;
  return t;
}

function attribute(name: string, a: AttrSpec): onnxpkg.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('s' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: T.FLOATS, floats: a.floats };
  if ('t' in a) return { name, type: T.TENSOR, t: tensor(a.t) };
  return { name, type: T.GRAPH, g: graph(a.g) };
}

function valueInfo(v: ValueSpec): onnxpkg.onnx.IValueInfoProto {
  const tt: onnxpkg.onnx.TypeProto.ITensor = { elemType: v.dtype ?? DT.FLOAT };
  if (v.shape !== null && v.shape !== undefined) {
    tt.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
    };
  }
  return { name: v.name, type: { tensorType: tt } };
}

/** A GraphProto object from a spec. */
export function graph(g: GraphSpec, initializersAsInputs = false): onnxpkg.onnx.IGraphProto {
  const inits = (g.initializers ?? []).map(tensor);
  const inputs = (g.inputs ?? []).map(valueInfo);
  if (initializersAsInputs) {
    for (const t of g.initializers ?? []) inputs.push(valueInfo({ name: t.name ?? '', dtype: t.dtype ?? DT.FLOAT, shape: t.dims }));
  }
  return {
    name: g.name ?? 'test',
    node: g.nodes.map((n) => ({
      name: n.name ?? '',
      opType: n.op,
      domain: n.domain ?? '',
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    input: inputs,
    output: g.outputs.map(valueInfo),
    initializer: inits,
    valueInfo: (g.valueInfo ?? []).map(valueInfo),
  };
}

/** Encodes a model with one graph into .onnx bytes. */
export function buildModel(g: GraphSpec, opts: ModelOptions = {}): Uint8Array {
  const opsetImport = [{ domain: '', version: opts.opset ?? 13 }];
  for (const [domain, version] of Object.entries(opts.domains ?? {})) opsetImport.push({ domain, version });
  const model = onnx.ModelProto.create({
    irVersion: opts.irVersion ?? 8,
    producerName: 'edgeperf-test',
    opsetImport,
    graph: graph(g, opts.initializersAsInputs),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A Constant node producing `out` from a tensor spec. */
export function constNode(out: string, t: TensorSpec, name?: string): NodeSpec {
  return { op: 'Constant', inputs: [], outputs: [out], attrs: { value: { t } }, ...(name ? { name } : {}) };
}

/** A float32 value spec. */
export function f32(name: string, shape: (number | string | null)[] | null): ValueSpec {
  return { name, dtype: DT.FLOAT, shape };
}
