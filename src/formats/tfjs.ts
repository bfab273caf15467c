/**
 * TF.js graph-model reader: model.json bytes → graph IR (layout NHWC). Pure function of the bytes
 * (plus, optionally, the weight shards' bytes given in `LoadOptions.weightShards`).
 *
 * - `format` must be 'graph-model' (or absent with a GraphDef `modelTopology.node` list); a
 *   layers model is rejected with the converter command that turns it into a graph model.
 * - `modelTopology.node` holds GraphDef nodes: `Placeholder` nodes are graph inputs (shape attr,
 *   −1 dims resolved like ONNX symbols: batch 1, others `defaultDim`), `Const` nodes are weights
 *   whose shape and dtype come from `weightsManifest` (so costing needs only model.json); other
 *   nodes are translated by ./tfjs-ops.ts. Input `name:k` is output k of node `name`; `^name`
 *   control inputs are dropped.
 * - Graph outputs: the `signature.outputs` when present, else every node output nobody consumes.
 * - Quantized weights (manifest `quantization`: uint8/uint16/float16) are dequantized to their
 *   original dtype at load time by TF.js, so the IR keeps the original dtype (runtime memory);
 *   the scale/min are kept as `TensorInfo.quantization`.
 * Source: tfjs-converter's model.json format (tfjs-converter/docs, `ModelJSON`,
 * `WeightsManifestEntry` in tfjs-core/src/io/types.ts).
 */
import type { LoadOptions } from '../core/types.ts';
import { ModelFormatError, ShapeError } from '../core/errors.ts';
import type { DType, Graph, Node, Shape, TensorInfo } from '../graph/ir.ts';
import { MAX_FOLD_ELEMENTS } from '../graph/ir.ts';
import { resolveInputShapes } from '../graph/shapes.ts';
import { dataAllZero, dtypeBytes, makeData, numel } from '../graph/tensor.ts';
import { dtypeFromTf, mapTfOp, type TfAttr } from './tfjs-ops.ts';

/** One weight of `weightsManifest[].weights`. */
interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype?: string; scale?: number; min?: number; original_dtype?: string };
}

interface GraphDefNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: GraphDefNode[]; library?: { function?: unknown[] }; versions?: unknown; class_name?: string };
  weightsManifest?: { paths?: string[]; weights?: ManifestWeight[] }[];
  signature?: { inputs?: Record<string, { name?: string }>; outputs?: Record<string, { name?: string }> };
}

const utf8 = new TextDecoder();

/**
 * The parsed model.json when `bytes` are a TF.js graph model, else undefined (not JSON, another
 * JSON file, or a layers model). Never throws.
 */
export function parseTfjsGraphModel(bytes: Uint8Array): ModelJson | undefined {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const m = json as ModelJson;
  if (!m.modelTopology || !Array.isArray(m.weightsManifest)) return undefined;
  if (m.format !== undefined && m.format !== 'graph-model') return undefined;
  return Array.isArray(m.modelTopology.node) ? m : undefined;
}

/** Relative paths of the weight files of a TF.js model.json (for callers that can read them). */
export function tfjsWeightPaths(bytes: Uint8Array): string[] {
  const m = parseTfjsGraphModel(bytes);
  return m ? [...new Set((m.weightsManifest ?? []).flatMap((g) => g.paths ?? []))] : [];
}

/**
 * Reads a TF.js graph model into the IR.
 * @param bytes the model.json content
 * @param file path as the user names it (for messages)
 * @param opts `inputShapes` for −1 dims; `weightShards` for constant values (optional)
 * @throws ModelFormatError naming `file` for JSON that is not a TF.js graph model (a layers model
 *   gets the conversion command), nodes with missing inputs, or bad `inputShapes`
 */
export function readTfjs(bytes: Uint8Array, file: string, opts: LoadOptions = {}): Graph {
  const m = parseTfjsGraphModel(bytes);
  if (!m) throw notGraphModel(bytes, file);
  const warnings: string[] = [];
  const tensors = new Map<string, TensorInfo>();
  readWeights(m, opts.weightShards, tensors, warnings);
  const defs = m.modelTopology!.node ?? [];
  if ((m.modelTopology!.library?.function ?? []).length > 0) {
    warnings.push('the model has GraphDef library functions (control flow); they are not read');
  }
  // Output count per node: highest `name:k` referenced + 1.
  const outCount = new Map<string, number>();
  for (const d of defs) {
    for (const ref of d.input ?? []) {
      if (ref.startsWith('^')) continue;
      const [n, k] = splitRef(ref);
      outCount.set(n, Math.max(outCount.get(n) ?? 1, k + 1));
    }
  }
  const outId = (n: string, k: number): string => (k === 0 ? n : `${n}:${k}`);
  const inputs: string[] = [];
  const nodes: Node[] = [];
  for (const d of defs) {
    const attr = d.attr ?? {};
    if (d.op === 'Const') {
      if (!tensors.has(d.name)) tensors.set(d.name, constFromAttr(d.name, attr, warnings));
      continue;
    }
    if (d.op === 'NoOp') continue;
    if (d.op === 'Placeholder' || d.op === 'PlaceholderWithDefault') {
      const dims = attr['shape']?.shape;
      const shape: Shape | null = dims && !dims.unknownRank ? (dims.dim ?? []).map((x) => (Number(x.size) >= 0 ? Number(x.size) : '')) : null;
      tensors.set(d.name, { id: d.name, shape, dtype: dtypeFromTf(attr['dtype']?.type), isConstant: false, isWeight: false });
      inputs.push(d.name);
      continue;
    }
    const ins = (d.input ?? []).filter((r) => !r.startsWith('^')).map((r) => {
      const [n, k] = splitRef(r);
      return outId(n, k);
    });
    const outs = Array.from({ length: outCount.get(d.name) ?? 1 }, (_v, k) => outId(d.name, k));
    const mapped = mapTfOp({ name: d.name, op: d.op, inputs: ins, outputs: outs, attr, tensor: (id) => tensors.get(id) }, (w) => warnings.push(w));
    const node: Node = { name: d.name, op: mapped.op, domain: mapped.domain, inputs: mapped.inputs, outputs: mapped.outputs, attrs: mapped.attrs };
    if (mapped.fusedActivation) node.fusedActivation = mapped.fusedActivation;
    nodes.push(node);
  }
  const produced = new Set<string>(inputs);
  for (const n of nodes) for (const o of n.outputs) produced.add(o);
  for (const n of nodes) {
    for (const id of n.inputs) {
      if (id && !produced.has(id) && !tensors.has(id)) {
        throw new ModelFormatError(file, `node '${n.name}' (${n.op}) reads '${id}', which no node, Const or Placeholder defines`);
      }
      if (id && !tensors.has(id)) tensors.set(id, { id, shape: null, dtype: 'unknown', isConstant: false, isWeight: false });
    }
    for (const o of n.outputs) if (!tensors.has(o)) tensors.set(o, { id: o, shape: null, dtype: 'unknown', isConstant: false, isWeight: false });
  }
  const graph: Graph = {
    name: file,
    format: 'tfjs',
    layout: 'NHWC',
    opset: 0,
    nodes: topoSort(nodes, file),
    tensors,
    inputs,
    outputs: graphOutputs(m, nodes),
    warnings,
  };
  try {
    return resolveInputShapes(graph, opts.inputShapes, opts.defaultDim);
  } catch (e) {
    if (e instanceof ShapeError) throw new ModelFormatError(file, e.problem);
    throw e;
  }
}

/** The error for JSON that is not a TF.js graph model (layers models get the converter command). */
function notGraphModel(bytes: Uint8Array, file: string): ModelFormatError {
  let json: ModelJson | undefined;
  try {
    json = JSON.parse(utf8.decode(bytes)) as ModelJson;
  } catch {
    return new ModelFormatError(file, 'not a TF.js model (does not parse as JSON)');
  }
  if (json && (json.format === 'layers-model' || json.modelTopology?.class_name !== undefined || (json.modelTopology && !json.modelTopology.node))) {
    return new ModelFormatError(
      file,
      'is a TF.js layers model; only graph models are read. Convert it: tensorflowjs_converter --input_format=tfjs_layers_model --output_format=tfjs_graph_model model.json out_dir/',
    );
  }
  return new ModelFormatError(file, 'is JSON but not a TF.js graph model (no modelTopology.node and weightsManifest)');
}

/** `name:k` → [name, k]; plain `name` is output 0. */
function splitRef(ref: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? [m[1]!, Number(m[2])] : [ref, 0];
}

/** Weight tensors from the manifest; values of small ones when the shard bytes are given. */
function readWeights(m: ModelJson, shards: Record<string, Uint8Array> | undefined, tensors: Map<string, TensorInfo>, warnings: string[]): void {
  let missing = false;
  for (const group of m.weightsManifest ?? []) {
    const bytes = shards ? concat((group.paths ?? []).map((p) => shards[p])) : undefined;
    if (!bytes) missing = true;
    let offset = 0;
    for (const w of group.weights ?? []) {
      const stored = manifestDType(w.quantization?.dtype ?? w.dtype);
      const dtype = manifestDType(w.dtype);
      const shape = (w.shape ?? []).map(Number);
      const n = numel(shape);
      const size = w.dtype === 'string' ? 0 : Math.ceil(n * dtypeBytes(stored));
      const t: TensorInfo = { id: w.name, shape, dtype, isConstant: true, isWeight: dtype !== 'int32' && dtype !== 'int64' && dtype !== 'bool' && dtype !== 'string' };
      const q = w.quantization;
      if (q && q.scale !== undefined) t.quantization = { scale: [q.scale], zeroPoint: [q.min !== undefined && q.scale !== 0 ? Math.round(-q.min / q.scale) : 0] };
      if (bytes && !q && n <= MAX_FOLD_ELEMENTS && offset + size <= bytes.length) {
        const data = readValues(bytes, offset, n, dtype);
        if (data) {
          t.data = data;
          t.allZero = dataAllZero(data);
        }
      }
      tensors.set(w.name, t);
      offset += size;
    }
  }
  if (missing) {
    warnings.push('weight files not read: shapes that depend on constant values (reshape targets, paddings, axes, resize sizes) are inferred without them');
  }
}

/** IR dtype of a manifest dtype name ('float32', 'float16', 'int32', 'uint8', ...; same spelling). */
function manifestDType(name: string): DType {
  const known: readonly DType[] = ['float32', 'float16', 'int32', 'uint8', 'uint16', 'int8', 'int16', 'bool', 'string', 'complex64', 'int64'];
  return known.includes(name as DType) ? (name as DType) : 'unknown';
}

function concat(parts: (Uint8Array | undefined)[]): Uint8Array | undefined {
  if (parts.length === 0 || parts.some((p) => !p)) return undefined;
  const total = parts.reduce((s, p) => s + p!.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p!, o);
    o += p!.length;
  }
  return out;
}

/** `n` little-endian values of `dtype` at `offset` (int32, float32, bool, uint8, int8). */
function readValues(bytes: Uint8Array, offset: number, n: number, dtype: DType): TensorInfo['data'] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const get: Partial<Record<DType, (p: number) => number>> = {
    int32: (p) => dv.getInt32(p, true),
    float32: (p) => dv.getFloat32(p, true),
    uint8: (p) => dv.getUint8(p),
    int8: (p) => dv.getInt8(p),
    bool: (p) => dv.getUint8(p),
  };
  const f = get[dtype];
  if (!f) return undefined;
  const size = dtypeBytes(dtype);
  return makeData(dtype, Array.from({ length: n }, (_v, k) => f(offset + k * size)));
}

/** A Const node whose value is not in the manifest: shape and dtype from its `value` attr. */
function constFromAttr(name: string, attr: Record<string, TfAttr>, warnings: string[]): TensorInfo {
  const v = (attr['value'] as { tensor?: { dtype?: string; tensorShape?: { dim?: { size?: string }[] } } } | undefined)?.tensor;
  const dtype = dtypeFromTf(v?.dtype ?? attr['dtype']?.type);
  const shape = v?.tensorShape ? (v.tensorShape.dim ?? []).map((d) => Number(d.size ?? 0)) : null;
  warnings.push(`Const '${name}' is not in the weights manifest; its shape is taken from the node`);
  return { id: name, shape, dtype, isConstant: true, isWeight: false };
}

/** Graph outputs: signature outputs (`name:0`) when present, else outputs nobody consumes. */
function graphOutputs(m: ModelJson, nodes: Node[]): string[] {
  const sig = Object.values(m.signature?.outputs ?? {})
    .map((o) => o.name)
    .filter((n): n is string => !!n)
    .map((n) => {
      const [name, k] = splitRef(n);
      return k === 0 ? name : `${name}:${k}`;
    });
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  if (sig.length > 0 && sig.every((s) => produced.has(s))) return sig;
  const consumed = new Set(nodes.flatMap((n) => n.inputs));
  return nodes.flatMap((n) => n.outputs.filter((o, k) => !consumed.has(o) && (k === 0 || n.outputs.length > 1)));
}

/** GraphDef nodes need not be in topological order: Kahn's algorithm, file order on ties. */
function topoSort(nodes: Node[], file: string): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const indeg = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const deps = new Set<number>();
    for (const id of n.inputs) {
      const p = producer.get(id);
      if (p !== undefined && p !== i) deps.add(p);
    }
    indeg[i] = deps.size;
    for (const p of deps) users[p]!.push(i);
  });
  const ready = nodes.map((_n, i) => i).filter((i) => indeg[i] === 0);
  const out: Node[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift()!;
    out.push(nodes[i]!);
    for (const u of users[i]!) if (--indeg[u]! === 0) ready.push(u);
  }
  if (out.length !== nodes.length) throw new ModelFormatError(file, 'the graph has a cycle (TF while loops are not supported in TF.js graph models read by EdgePerf)');
  return out;
}
