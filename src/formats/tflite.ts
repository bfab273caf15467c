/**
 * TFLite reader: `.tflite` FlatBuffer bytes → graph IR (layout NHWC). Pure function of bytes,
 * on the `flatbuffers` npm runtime. Source: ../../../shared/specs/tflite-format.md (schema.fbs
 * "Version 3d"); § numbers below refer to it.
 *
 * - Operator codes: the larger of `deprecated_builtin_code` and `builtin_code` (§2.2); CUSTOM ops
 *   are named by `custom_code`.
 * - Tensors (§2.4): every tensor's shape and dtype come from the file (the shape pass prefers
 *   them, see src/graph/shapes.ts); a tensor is constant when its buffer has data, a >2 GB
 *   `offset` > 1, or an external buffer (§2.6), never by "buffer index ≠ 0". Tensors sharing a
 *   buffer share one IR tensor (weights counted once). Quantization is kept when `scale` is
 *   non-empty; int32 constants without quantization (shapes, axes) are not weights, quantized
 *   int32 constants (biases) are.
 * - Variable tensors (LSTM/SVDF state) are constant non-weights: persistent state, not arena.
 * - Operators are translated by ./tflite-ops.ts; IF becomes an ONNX-style `If`, WHILE a `Loop`
 *   (trip count unknown: counted once, with a warning), CALL an `If` on a constant true; the
 *   called subgraphs are read recursively (§7 IfOptions/WhileOptions/CallOptions).
 */
import type { ByteBuffer } from 'flatbuffers';
import type { LoadOptions } from '../core/types.ts';
import { ModelFormatError, ShapeError } from '../core/errors.ts';
import type { DType, Graph, Node, Quantization, TensorData, TensorInfo } from '../graph/ir.ts';
import { MAX_FOLD_ELEMENTS } from '../graph/ir.ts';
import { resolveInputShapes } from '../graph/shapes.ts';
import { dataAllZero, isWeightDType, makeData, numel } from '../graph/tensor.ts';
import { FlatbufferRangeError, rootTable, type Table } from './flatbuffer-table.ts';
import { mapTfliteOp, type TfliteOp } from './tflite-ops.ts';
import {
  BUFFER,
  builtinName,
  CUSTOM_CODE,
  dtypeFromTflite,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  QUANTIZATION,
  SUBGRAPH,
  TENSOR,
  TFLITE_IDENTIFIER,
} from './tflite-schema.ts';

/** One entry of `Model.operator_codes`, resolved (§2.2). */
interface OpCode {
  code: number;
  name: string;
  custom: boolean;
}

/** What every subgraph read needs: the file, its op codes and buffers. */
interface ModelCtx {
  bb: ByteBuffer;
  bytes: Uint8Array;
  codes: OpCode[];
  buffers: Table[];
  subgraphs: Table[];
  /** Subgraph indices being read (recursion guard). */
  reading: Set<number>;
  warnings: string[];
}

/**
 * Reads a TFLite model into the IR.
 * @param bytes the .tflite file content
 * @param file path as the user names it (for messages)
 * @param opts `inputShapes` to override input shapes (the file's intermediate shapes are then
 *   recomputed by the registry rules instead of taken from the file)
 * @returns subgraph 0 as the graph (layout 'NHWC', opset = schema version), with `Node.subgraphs`
 *   for IF/WHILE/CALL
 * @throws ModelFormatError naming `file` for bytes that are not a TFLite FlatBuffer (no "TFL3"
 *   identifier), truncated or corrupt tables, or bad `inputShapes`
 */
export function readTflite(bytes: Uint8Array, file: string, opts: LoadOptions = {}): Graph {
  let graph: Graph;
  try {
    graph = readModel(bytes, file);
  } catch (e) {
    if (e instanceof FlatbufferRangeError || e instanceof RangeError) {
      throw new ModelFormatError(file, `not a readable TFLite model (truncated or corrupt FlatBuffer: ${e.message})`);
    }
    throw e;
  }
  if (opts.inputShapes && graph.inputs.some((id) => opts.inputShapes![id])) graph = forgetIntermediateShapes(graph);
  try {
    return resolveInputShapes(graph, opts.inputShapes, opts.defaultDim);
  } catch (e) {
    if (e instanceof ShapeError) throw new ModelFormatError(file, e.problem);
    throw e;
  }
}

function readModel(bytes: Uint8Array, file: string): Graph {
  if (bytes.length < 8) throw new ModelFormatError(file, 'not a TFLite model (shorter than a FlatBuffer header)');
  const { bb, root, identified } = rootTable(bytes, TFLITE_IDENTIFIER);
  if (!identified) throw new ModelFormatError(file, `not a TFLite model (no "${TFLITE_IDENTIFIER}" file identifier at bytes 4..8)`);
  const version = root.u32(MODEL.version, 0);
  const codes = root.tables(MODEL.operatorCodes).map((t): OpCode => {
    const code = Math.max(t.i8(OPERATOR_CODE.deprecatedBuiltinCode, 0), t.i32(OPERATOR_CODE.builtinCode, 0));
    const custom = code === CUSTOM_CODE;
    return { code, custom, name: custom ? (t.str(OPERATOR_CODE.customCode) ?? 'CUSTOM') : builtinName(code) };
  });
  const subgraphs = root.tables(MODEL.subgraphs);
  if (subgraphs.length === 0) throw new ModelFormatError(file, 'not a readable TFLite model (no subgraphs)');
  const ctx: ModelCtx = { bb, bytes, codes, buffers: root.tables(MODEL.buffers), subgraphs, reading: new Set(), warnings: [] };
  if (version !== 3) ctx.warnings.push(`TFLite schema version ${version}; the reader follows version 3 (results may be off)`);
  const g = readSubgraph(ctx, 0, '', file);
  g.warnings.unshift(...ctx.warnings);
  g.opset = version;
  return g;
}

/** Reads subgraph `index`; its tensor ids get `prefix` (nested subgraphs: unique ids). */
function readSubgraph(ctx: ModelCtx, index: number, prefix: string, file: string): Graph {
  const sg = ctx.subgraphs[index];
  if (!sg) throw new ModelFormatError(file, `refers to subgraph ${index}, but the model has ${ctx.subgraphs.length}`);
  if (ctx.reading.has(index)) throw new ModelFormatError(file, `subgraph ${index} calls itself (recursive control flow is not supported)`);
  ctx.reading.add(index);
  const tensorTables = sg.tables(SUBGRAPH.tensors);
  const ids = tensorIds(tensorTables, prefix, index);
  const tensors = new Map<string, TensorInfo>();
  const byBuffer = new Map<number, string>();
  const variables = new Set<string>();
  tensorTables.forEach((t, i) => {
    const info = readTensor(ctx, t, ids[i]!);
    const buffer = t.u32(TENSOR.buffer, 0);
    if (t.bool(TENSOR.isVariable, false)) variables.add(info.id);
    // Tensors sharing a buffer (same data) become one IR tensor: weights counted once (§2.6).
    if (info.isConstant && buffer > 0) {
      const first = byBuffer.get(buffer);
      const ft = first ? tensors.get(first) : undefined;
      if (ft && ft.dtype === info.dtype && String(ft.shape) === String(info.shape)) {
        ids[i] = first!;
        return;
      }
      byBuffer.set(buffer, info.id);
    }
    tensors.set(info.id, info);
  });
  const ref = (k: number): string => (k < 0 ? '' : (ids[k] ?? ''));
  const inputs = (sg.i32s(SUBGRAPH.inputs) ?? []).map(ref).filter((id) => id && !tensors.get(id)?.isConstant);
  const outputs = (sg.i32s(SUBGRAPH.outputs) ?? []).map(ref);
  const nodes: Node[] = [];
  const names = new Set<string>();
  sg.tables(SUBGRAPH.operators).forEach((opT, k) => {
    const n = readOperator(ctx, opT, k, ref, tensors, prefix, file);
    if (!n) return;
    let name = n.name;
    for (let j = 1; names.has(name); j++) name = `${n.name}_${j}`;
    names.add(name);
    nodes.push({ ...n, name });
  });
  markState(nodes, inputs, tensors, variables, ctx.warnings, prefix);
  ctx.reading.delete(index);
  return { name: sg.str(SUBGRAPH.name) ?? '', format: 'tflite', layout: 'NHWC', opset: 3, nodes, tensors, inputs, outputs, warnings: [] };
}

/** Unique tensor ids: the tensor name (prefixed), `name#index` on a clash, `t<index>` unnamed. */
function tensorIds(tables: Table[], prefix: string, subgraph: number): string[] {
  const seen = new Set<string>();
  return tables.map((t, i) => {
    let id = prefix + (t.str(TENSOR.name) || (subgraph === 0 ? `t${i}` : `sg${subgraph}_t${i}`));
    if (seen.has(id)) id = `${id}#${i}`;
    seen.add(id);
    return id;
  });
}

/**
 * Tensors read by a node but produced by none and not graph inputs: LSTM/SVDF state (variable
 * tensors) and anything else the runtime allocates persistently. They become constant
 * non-weights (state is neither a weight nor an arena activation).
 */
function markState(nodes: Node[], inputs: string[], tensors: Map<string, TensorInfo>, variables: Set<string>, warnings: string[], prefix: string): void {
  const produced = new Set<string>(inputs);
  for (const n of nodes) for (const o of n.outputs) if (o) produced.add(o);
  for (const n of nodes) {
    for (const id of n.inputs) {
      const t = id ? tensors.get(id) : undefined;
      if (!t || t.isConstant || produced.has(id)) continue;
      tensors.set(id, { ...t, isConstant: true, isWeight: false });
      produced.add(id);
      // Custom ops (Ethos-U, ...) take scratch buffers this way; builtins should not.
      if (!variables.has(id) && n.domain !== 'tflite.custom') warnings.push(`tensor '${id.slice(prefix.length)}' is read by '${n.name}' but produced by no operator; taken as persistent state`);
    }
  }
}

/** One `Tensor` table (§2.4) as a TensorInfo. */
function readTensor(ctx: ModelCtx, t: Table, id: string): TensorInfo {
  const dtype = dtypeFromTflite(t.i8(TENSOR.type, 0));
  const dims = t.i32s(TENSOR.shape);
  const bufIndex = t.u32(TENSOR.buffer, 0);
  const buf = bufIndex > 0 ? ctx.buffers[bufIndex] : undefined;
  const data = buf?.vector(BUFFER.data, 1) ?? null;
  const offset = buf ? buf.u64(BUFFER.offset) : 0n;
  const variable = t.bool(TENSOR.isVariable, false);
  const constant = (!!data && data.length > 0) || offset > 1n || t.u32(TENSOR.externalBuffer, 0) !== 0;
  const shape = dims && dims.length > 0 ? dims : constant || t.bool(TENSOR.hasRank, false) || dims ? [] : null;
  const q = readQuantization(t);
  const info: TensorInfo = {
    id,
    shape,
    dtype,
    isConstant: constant,
    isWeight: constant && !variable && isWeightDType(dtype) && !((dtype === 'int32' || dtype === 'int64') && !q),
  };
  if (q) info.quantization = q;
  if (constant && shape && !q) {
    const n = numel(shape);
    let start = -1;
    if (data && data.length > 0) start = data.start;
    else if (offset > 1n && Number(offset) < ctx.bytes.length) start = Number(offset);
    if (start >= 0 && n <= MAX_FOLD_ELEMENTS) {
      const values = readValues(ctx, start, n, dtype);
      if (values) {
        info.data = values;
        info.allZero = dataAllZero(values);
      }
    }
  }
  return info;
}

/** Quantization parameters when `scale` is non-empty (§2.4 "quantization presence"). */
function readQuantization(t: Table): Quantization | undefined {
  const q = t.table(TENSOR.quantization);
  const scale = q?.f32s(QUANTIZATION.scale);
  if (!q || !scale || scale.length === 0) return undefined;
  const out: Quantization = { scale, zeroPoint: q.i64s(QUANTIZATION.zeroPoint) ?? [] };
  if (scale.length > 1) out.axis = q.i32(QUANTIZATION.quantizedDimension, 0);
  return out;
}

/** `n` little-endian elements of `dtype` at `start`, or undefined for types not folded. */
function readValues(ctx: ModelCtx, start: number, n: number, dtype: DType): TensorData | undefined {
  const bb = ctx.bb;
  const size: Partial<Record<DType, number>> = { float32: 4, int32: 4, int64: 8, int8: 1, uint8: 1, int16: 2, bool: 1 };
  const s = size[dtype];
  if (!s || start + n * s > ctx.bytes.length) return undefined;
  const vals = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const p = start + k * s;
    vals[k] =
      dtype === 'float32'
        ? bb.readFloat32(p)
        : dtype === 'int32'
          ? bb.readInt32(p)
          : dtype === 'int64'
            ? Number(bb.readInt64(p))
            : dtype === 'int8'
              ? bb.readInt8(p)
              : dtype === 'int16'
                ? bb.readInt16(p)
                : bb.readUint8(p);
  }
  return makeData(dtype, vals);
}

/** One `Operator` table (§2.5) as a node, or null for ops that do nothing at inference. */
function readOperator(
  ctx: ModelCtx,
  t: Table,
  k: number,
  ref: (i: number) => string,
  tensors: Map<string, TensorInfo>,
  prefix: string,
  file: string,
): Node | null {
  const code = ctx.codes[t.u32(OPERATOR.opcodeIndex, 0)];
  if (!code) throw new ModelFormatError(file, `operator ${k} has opcode index ${t.u32(OPERATOR.opcodeIndex, 0)}, beyond the ${ctx.codes.length} operator codes`);
  const inputs = (t.i32s(OPERATOR.inputs) ?? []).map(ref);
  const outputs = (t.i32s(OPERATOR.outputs) ?? []).map(ref);
  const first = outputs.find((o) => o);
  const name = first ? first.slice(prefix.length) : `op_${k}`;
  const options = t.u8(OPERATOR.builtinOptionsType, 0) !== 0 ? t.table(OPERATOR.builtinOptions) : null;
  if (!code.custom) {
    const flow = controlFlow(ctx, code.name, options, inputs, outputs, name, prefix, file, tensors);
    if (flow !== undefined) return flow;
  }
  const op: TfliteOp = { name: code.name, custom: code.custom, nodeName: name, inputs, outputs, options, tensor: (id) => tensors.get(id) };
  const m = mapTfliteOp(op);
  const node: Node = { name, op: m.op, domain: m.domain, inputs: m.inputs, outputs: m.outputs, attrs: m.attrs };
  if (m.fusedActivation) node.fusedActivation = m.fusedActivation;
  return node;
}

/**
 * IF (IfOptions: then 0, else 1), WHILE (WhileOptions: cond 0, body 1), CALL (CallOptions:
 * subgraph 0) and CALL_ONCE (variable initialisation, skipped) as IR control flow; undefined for
 * other ops.
 */
function controlFlow(
  ctx: ModelCtx,
  op: string,
  options: Table | null,
  inputs: string[],
  outputs: string[],
  name: string,
  prefix: string,
  file: string,
  tensors: Map<string, TensorInfo>,
): Node | null | undefined {
  const sub = (index: number, args: string[], tag: string): Graph => bindInputs(readSubgraph(ctx, index, `${prefix}${name}/${tag}/`, file), args, `${prefix}${name}/${tag}`);
  if (op === 'IF') {
    const args = inputs.slice(1);
    return {
      name,
      op: 'If',
      domain: '',
      inputs: [inputs[0] ?? ''],
      outputs,
      attrs: {},
      subgraphs: { then_branch: sub(options?.i32(0, 0) ?? 0, args, 'then'), else_branch: sub(options?.i32(1, 0) ?? 0, args, 'else') },
    };
  }
  if (op === 'CALL') {
    const called = sub(options?.u32(0, 0) ?? 0, inputs, 'call');
    const cond = `${prefix}${name}/always`;
    tensors.set(cond, { id: cond, shape: [], dtype: 'bool', isConstant: true, isWeight: false, data: [1] });
    return { name, op: 'If', domain: '', inputs: [cond], outputs, attrs: {}, subgraphs: { then_branch: called, else_branch: called } };
  }
  if (op === 'WHILE') {
    const body = readSubgraph(ctx, options?.i32(1, 0) ?? 0, `${prefix}${name}/body/`, file);
    const iter = `${prefix}${name}/body/iteration`;
    const cond = `${prefix}${name}/body/condition`;
    body.tensors.set(iter, { id: iter, shape: [], dtype: 'int64', isConstant: false, isWeight: false });
    body.tensors.set(cond, { id: cond, shape: [], dtype: 'bool', isConstant: false, isWeight: false });
    const loopBody: Graph = { ...body, inputs: [iter, cond, ...body.inputs], outputs: [cond, ...body.outputs] };
    return { name, op: 'Loop', domain: '', inputs: ['', '', ...inputs], outputs, attrs: {}, subgraphs: { body: loopBody } };
  }
  if (op === 'CALL_ONCE') {
    ctx.warnings.push(`CALL_ONCE '${name}' (variable initialisation) is not counted`);
    return null;
  }
  return undefined;
}

/** A subgraph whose inputs are read from the caller's `args` (Identity nodes bind them). */
function bindInputs(g: Graph, args: string[], prefix: string): Graph {
  const binds: Node[] = g.inputs.map((id, i) => ({ name: `${prefix}/arg_${i}`, op: 'Identity', domain: '', inputs: [args[i] ?? ''], outputs: [id], attrs: {} }));
  return { ...g, inputs: [], nodes: [...binds, ...g.nodes] };
}

/**
 * The graph with the file's intermediate shapes dropped (inputs given new shapes: the stored
 * shapes no longer hold, so the registry recomputes them).
 */
function forgetIntermediateShapes(g: Graph): Graph {
  const keep = new Set(g.inputs);
  const tensors = new Map<string, TensorInfo>();
  for (const [id, t] of g.tensors) tensors.set(id, t.isConstant || keep.has(id) ? t : { ...t, shape: null });
  return { ...g, tensors };
}
