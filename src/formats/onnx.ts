/**
 * ONNX reader: `ModelProto` bytes → graph IR (see ../graph/ir.ts). Pure function of bytes.
 *
 * - Initializers are weights (IR-3 files also list them as graph inputs: those are not runtime
 *   inputs). `data_location = EXTERNAL` initializers are shape-only weights.
 * - `Constant` nodes become constant tensors directly (weights when their dtype is a weight dtype:
 *   floats and ≤ 32-bit integers; int64/bool constants are shapes and indices).
 * - `If`/`Loop`/`Scan` subgraphs are read recursively into `Node.subgraphs`; the shape pass
 *   inlines them.
 * - Graph inputs with dynamic dims (dim_param or no value) are resolved from
 *   `opts.inputShapes[name]`, else 1 with a warning naming the input and dim.
 * - Missing node names become `op_<index>` (index within its graph).
 * Source: onnx/onnx.proto3 (IR version 3..10), ONNX IR.md.
 */
import onnxpkg from 'onnx-proto';
import type { LoadOptions } from '../core/types.ts';
import { ModelFormatError, ShapeError } from '../core/errors.ts';
import type { AttrValue, ConstTensor, Dim, Graph, Node, TensorInfo } from '../graph/ir.ts';
import { dtypeFromOnnx } from '../graph/dtype-codes.ts';
import { resolveInputShapes } from '../graph/shapes.ts';
import { isWeightDType, makeData } from '../graph/tensor.ts';
import { TensorDecodeError, tensorFromProto, toNum } from './onnx-tensor.ts';

const { onnx } = onnxpkg;
type ModelProto = onnxpkg.onnx.ModelProto;
type GraphProto = onnxpkg.onnx.IGraphProto;
type NodeProto = onnxpkg.onnx.INodeProto;
type AttributeProto = onnxpkg.onnx.IAttributeProto;
type ValueInfoProto = onnxpkg.onnx.IValueInfoProto;

/** The training-operator domain: graphs using it describe training, not inference. */
const TRAINING_DOMAIN = 'ai.onnx.preview.training';

/** Highest default-domain opset the op rules were checked against. */
const MAX_KNOWN_OPSET = 21;

const utf8 = new TextDecoder();

/**
 * Decodes ONNX bytes into a `ModelProto`.
 * @throws ModelFormatError (one line, naming `file`) for bytes that are not a ModelProto with a graph
 */
export function decodeOnnx(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ModelFormatError(file, `not a readable ONNX model (truncated or not a protobuf ModelProto: ${why})`);
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new ModelFormatError(file, 'not a readable ONNX model (no graph or an empty graph)');
  }
  return model;
}

/**
 * Reads an ONNX model into the IR.
 * @param bytes the .onnx file content
 * @param file path as the user names it (for messages)
 * @param opts `inputShapes` for dynamic input dims
 * @returns the top-level graph (nodes in file order, which ONNX requires to be topological),
 *   with `Node.subgraphs` for If/Loop/Scan and warnings for defaulted dims
 * @throws ModelFormatError for unreadable files, training graphs, bad tensors or bad inputShapes
 */
export function readOnnx(bytes: Uint8Array, file: string, opts: LoadOptions = {}): Graph {
  const model = decodeOnnx(bytes, file);
  const opsets: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : (o.domain ?? '');
    opsets[d] = toNum(o.version);
  }
  if (opsets[TRAINING_DOMAIN] !== undefined || usesDomain(model.graph!, TRAINING_DOMAIN)) {
    throw new ModelFormatError(
      file,
      `is a training graph (${TRAINING_DOMAIN} domain, e.g. Gradient) and cannot be costed; export the inference graph instead`,
    );
  }
  const opset = opsets[''] ?? 1;
  const warnings: string[] = [];
  if (opset > MAX_KNOWN_OPSET) {
    warnings.push(`opset ${opset} is newer than the shape rules were checked against (${MAX_KNOWN_OPSET}); results may be off`);
  }
  let graph: Graph;
  try {
    graph = readGraph(model.graph!, opset, opsets, true);
  } catch (e) {
    if (e instanceof TensorDecodeError) throw new ModelFormatError(file, e.message);
    throw e;
  }
  graph.warnings.unshift(...warnings);
  try {
    return resolveInputShapes(graph, opts.inputShapes, opts.defaultDim);
  } catch (e) {
    if (e instanceof ShapeError) throw new ModelFormatError(file, e.problem);
    throw e;
  }
}

function usesDomain(g: GraphProto, domain: string): boolean {
  for (const n of g.node ?? []) {
    if (n.domain === domain) return true;
    for (const a of n.attribute ?? []) {
      if (a.g && usesDomain(a.g, domain)) return true;
      for (const sg of a.graphs ?? []) if (usesDomain(sg, domain)) return true;
    }
  }
  return false;
}

/** Declared type of a value: dtype and shape (symbols for dim_param, '' for unnamed unknown dims). */
function valueInfo(v: ValueInfoProto): TensorInfo {
  const id = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) return { id, shape: null, dtype: 'unknown', isConstant: false, isWeight: false };
  const shape: Dim[] | null = tt.shape
    ? (tt.shape.dim ?? []).map((d) => {
        const which = (d as { value?: string }).value;
        if (which === 'dimValue') return toNum(d.dimValue);
        if (which === 'dimParam') return d.dimParam ?? '';
        return '';
      })
    : null;
  return { id, shape, dtype: dtypeFromOnnx(tt.elemType ?? 0), isConstant: false, isWeight: false };
}

/** Reads one GraphProto (top level or a subgraph). */
function readGraph(gp: GraphProto, opset: number, opsets: Record<string, number>, top: boolean): Graph {
  const tensors = new Map<string, TensorInfo>();
  const inits = new Set<string>();
  for (const t of gp.initializer ?? []) {
    const name = t.name ?? '';
    inits.add(name);
    tensors.set(name, tensorFromProto(t, name, isWeightDType(dtypeFromOnnx(t.dataType ?? 0))));
  }
  for (const st of gp.sparseInitializer ?? []) {
    const name = st.values?.name ?? '';
    inits.add(name);
    const dims = (st.dims ?? []).map((d) => toNum(d));
    const dtype = dtypeFromOnnx(st.values?.dataType ?? 0);
    tensors.set(name, { id: name, shape: dims, dtype, isConstant: true, isWeight: isWeightDType(dtype) });
  }
  const inputs: string[] = [];
  for (const v of gp.input ?? []) {
    const name = v.name ?? '';
    if (inits.has(name)) continue; // IR-3: a weight listed as input
    tensors.set(name, valueInfo(v));
    inputs.push(name);
  }
  for (const v of [...(gp.valueInfo ?? []), ...(gp.output ?? [])]) {
    const name = v.name ?? '';
    if (!tensors.has(name)) tensors.set(name, valueInfo(v));
  }
  const nodes: Node[] = [];
  (gp.node ?? []).forEach((np, index) => {
    const domain = np.domain === 'ai.onnx' ? '' : (np.domain ?? '');
    const op = np.opType ?? '';
    const name = np.name && np.name.length > 0 ? np.name : `op_${index}`;
    if (domain === '' && op === 'Constant' && (np.output ?? []).length === 1) {
      const out = np.output![0]!;
      tensors.set(out, constantNode(np, out, name));
      return;
    }
    nodes.push(readNode(np, name, domain, opset, opsets));
  });
  for (const n of nodes) {
    for (const id of [...n.inputs, ...n.outputs]) {
      if (id && !tensors.has(id)) tensors.set(id, { id, shape: null, dtype: 'unknown', isConstant: false, isWeight: false });
    }
  }
  return {
    name: gp.name ?? '',
    format: 'onnx',
    layout: 'NCHW',
    opset,
    ...(top ? { opsets } : {}),
    nodes,
    tensors,
    inputs,
    outputs: (gp.output ?? []).map((v) => v.name ?? ''),
    warnings: [],
  };
}

/** A Constant node's value as a constant tensor (ONNX Operators.md, Constant: one of 8 attrs). */
function constantNode(np: NodeProto, out: string, name: string): TensorInfo {
  const a = (np.attribute ?? [])[0];
  if (!a) throw new TensorDecodeError(`Constant node '${name}' has no value attribute`);
  const weight = (t: TensorInfo): TensorInfo => ({ ...t, isWeight: isWeightDType(t.dtype) });
  switch (a.name) {
    case 'value':
      if (a.t) return weight(tensorFromProto(a.t, out, false));
      break;
    case 'sparse_value': {
      const dims = (a.sparseTensor?.dims ?? []).map((d) => toNum(d));
      const dtype = dtypeFromOnnx(a.sparseTensor?.values?.dataType ?? 0);
      return { id: out, shape: dims, dtype, isConstant: true, isWeight: isWeightDType(dtype) };
    }
    case 'value_float':
      return weight(scalarConst(out, 'float32', [], [a.f ?? 0]));
    case 'value_floats':
      return weight(scalarConst(out, 'float32', [(a.floats ?? []).length], a.floats ?? []));
    case 'value_int':
      return scalarConst(out, 'int64', [], [toNum(a.i)]);
    case 'value_ints':
      return scalarConst(out, 'int64', [(a.ints ?? []).length], (a.ints ?? []).map((v) => toNum(v)));
    case 'value_string':
      return { id: out, shape: [], dtype: 'string', isConstant: true, isWeight: false };
    case 'value_strings':
      return { id: out, shape: [(a.strings ?? []).length], dtype: 'string', isConstant: true, isWeight: false };
    default:
      break;
  }
  throw new TensorDecodeError(`Constant node '${name}' has an unsupported value attribute '${a.name ?? ''}'`);
}

function scalarConst(id: string, dtype: 'float32' | 'int64', shape: number[], values: number[]): TensorInfo {
  const data = makeData(dtype, values);
  let zero = true;
  for (const v of values) if (v !== 0) zero = false;
  return { id, shape, dtype, isConstant: true, isWeight: false, data, allZero: zero };
}

function readNode(np: NodeProto, name: string, domain: string, opset: number, opsets: Record<string, number>): Node {
  const attrs: Record<string, AttrValue> = {};
  const subgraphs: Record<string, Graph> = {};
  for (const a of np.attribute ?? []) {
    const key = a.name ?? '';
    const v = attrValue(a, opset, opsets);
    if (v === undefined) continue;
    attrs[key] = v;
    if (isGraph(v)) subgraphs[key] = v;
  }
  const node: Node = {
    name,
    op: np.opType ?? '',
    domain,
    inputs: [...(np.input ?? [])],
    outputs: [...(np.output ?? [])],
    attrs,
  };
  if (Object.keys(subgraphs).length > 0) node.subgraphs = subgraphs;
  return node;
}

function isGraph(v: AttrValue): v is Graph {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'nodes' in v;
}

const T = onnx.AttributeProto.AttributeType;

/** An attribute's value; the `type` field decides, with a fallback for old files that omit it. */
function attrValue(a: AttributeProto, opset: number, opsets: Record<string, number>): AttrValue | undefined {
  let type = a.type ?? T.UNDEFINED;
  if (type === T.UNDEFINED) {
    if ((a.ints ?? []).length) type = T.INTS;
    else if ((a.floats ?? []).length) type = T.FLOATS;
    else if ((a.strings ?? []).length) type = T.STRINGS;
    else if (a.t) type = T.TENSOR;
    else if (a.g) type = T.GRAPH;
    else if (a.s && a.s.length) type = T.STRING;
    else if (a.f) type = T.FLOAT;
    else type = T.INT;
  }
  switch (type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return toNum(a.i);
    case T.STRING:
      return utf8.decode(a.s ?? new Uint8Array());
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.INTS:
      return (a.ints ?? []).map((v) => toNum(v));
    case T.STRINGS:
      return (a.strings ?? []).map((s) => utf8.decode(s));
    case T.TENSOR: {
      if (!a.t) return undefined;
      const info = tensorFromProto(a.t, a.name ?? '', false);
      const data = info.data ?? makeData(info.dtype, []);
      return { ...info, isConstant: true, shape: (info.shape ?? []) as number[], data } satisfies ConstTensor;
    }
    case T.GRAPH:
      return a.g ? readGraph(a.g, opset, opsets, false) : undefined;
    case T.GRAPHS:
      return (a.graphs ?? []).map((g) => readGraph(g, opset, opsets, false));
    default:
      return undefined;
  }
}
