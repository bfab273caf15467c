/**
 * The shape pass: one walk over the graph in topological order that
 * - infers every tensor's shape and dtype with the op registry (declared shapes for unknown ops),
 * - folds constants (shape subgraphs such as Shape→Gather→Unsqueeze→Concat→Reshape vanish;
 *   data is kept only up to `MAX_FOLD_ELEMENTS`, larger constants keep shape + dtype),
 * - propagates all-zero constants (NAS-Bench-201 `none` edges `Mul(x, 0)`: the product is a zero
 *   constant, `Add(x, 0)` is x, `Conv(0, W)` is 0, and whatever then has only constant inputs
 *   folds away, as the TFLite converter does),
 * - removes Identity, inference Dropout and no-op Cast by rewiring their consumers,
 * - inlines `If` branches (the taken one when the condition folds, else the costlier one, with a
 *   warning) and `Loop` bodies (once, with `Node.repeat` = trip count when it is constant).
 * Dead-code elimination and the final graph are built by ./dce.ts.
 * Cost: O(nodes + tensors) apart from folding small constants.
 */
import { ShapeError } from '../core/errors.ts';
import type { ConstTensor, DType, Graph, Node, Shape, TensorInfo } from './ir.ts';
import { MAX_FOLD_ELEMENTS } from './ir.ts';
import { getOpSpec } from './registry.ts';
import { DataDependentShape, isZero } from './ops/types.ts';
import type { Inputs, OpContext, OpSpec } from './ops/types.ts';
import { Scope } from './scope.ts';
import { broadcastShapes, constData, isConcrete, isFloatDType, isWeightDType, numel } from './tensor.ts';
import { finalizeGraph } from './dce.ts';

/**
 * Largest float `ConstantOfShape` output whose values are materialised: such outputs are
 * placeholders for stripped weights (ONNX "light" models), their values are never needed.
 */
const MAX_PLACEHOLDER_ELEMENTS = 1024;

/** Maps a tensor id of the graph being walked to its id in the flattened graph. */
type Naming = (id: string) => string;

/**
 * Resolves symbolic or missing dims of the graph inputs: from `inputShapes[name]` when given,
 * else dim 0 (batch) becomes 1 and any other dim `defaultDim` (1 unless the caller retries),
 * else 1 with a warning naming the input and the dim (never silently).
 * @returns a new graph (tensors map copied) with concrete input shapes
 * @throws ShapeError when `inputShapes[name]` has the wrong rank
 */
export function resolveInputShapes(
  graph: Graph,
  inputShapes: Record<string, number[]> = {},
  defaultDim = 1,
): Graph {
  const pending = graph.inputs.some((id) => {
    const t = graph.tensors.get(id);
    return !!t && (!!inputShapes[id] || !isConcrete(t.shape));
  });
  if (!pending) return graph;
  const tensors = new Map(graph.tensors);
  const warnings = [...graph.warnings];
  for (const id of graph.inputs) {
    const t = tensors.get(id);
    if (!t) continue;
    const given = inputShapes[id];
    if (given) {
      if (t.shape && t.shape.length !== given.length) {
        throw new ShapeError(id, 'input', `inputShapes['${id}'] = [${given.join(',')}] has rank ${given.length}, the model declares [${t.shape.join(',')}]`);
      }
      t.shape?.forEach((d, i) => {
        if (typeof d === 'number' && d !== given[i]) {
          warnings.push(`input '${id}': dim ${i} is ${d} in the model, overridden to ${given[i]} by inputShapes`);
        }
      });
      tensors.set(id, { ...t, shape: [...given] });
      continue;
    }
    if (!t.shape) {
      warnings.push(`input '${id}' has no declared shape; set inputShapes['${id}'] to analyse it`);
      continue;
    }
    if (isConcrete(t.shape)) continue;
    const shape = t.shape.map((d, i) => {
      if (typeof d === 'number') return d;
      const what = d === '' ? 'unnamed dynamic dim' : `'${d}'`;
      const assumed = i === 0 ? 1 : defaultDim;
      warnings.push(`input '${id}': dim ${i} (${what}) is dynamic; assumed ${assumed} (set inputShapes['${id}'] to override)`);
      return assumed;
    });
    tensors.set(id, { ...t, shape });
  }
  return { ...graph, tensors, warnings };
}

/**
 * Runs the shape/fold pass and dead-code elimination over `graph`.
 * Graph input shapes should be resolved first (`resolveInputShapes`); remaining symbolic dims
 * of inputs are taken as 1 with a warning.
 * @returns the executed graph: nodes that remain after folding, inlining and DCE, in
 *   topological order; every tensor they touch with a concrete shape where one could be inferred
 * @throws ShapeError when an op's shape rule fails (names node and rule)
 */
export function inferGraph(graph: Graph): Graph {
  const g = resolveInputShapes(graph);
  const scope = new Scope();
  // Non-ONNX graphs have no ONNX opset: rules then decide by the attributes and inputs present.
  const opset = g.format === 'onnx' ? (g.opsets?.[''] ?? g.opset) : 0;
  for (const id of g.inputs) {
    const t = g.tensors.get(id);
    if (t) scope.set({ ...t, isConstant: false, isWeight: false });
  }
  runGraph(g, (id) => id, '', scope, opset);
  return finalizeGraph(g, scope);
}

/** Ids defined inside `g`: node outputs, its constants (initializers, Constant values), inputs. */
function localIds(g: Graph): Set<string> {
  const ids = new Set<string>(g.inputs);
  for (const n of g.nodes) for (const o of n.outputs) if (o) ids.add(o);
  for (const [id, t] of g.tensors) if (t.isConstant) ids.add(id);
  return ids;
}

/**
 * Walks the nodes of `g` (top-level graph or an inlined subgraph) into `scope`.
 * @param naming local id → global id
 * @param namePrefix prefix of node names (the enclosing If/Loop node's name + '/')
 */
function runGraph(g: Graph, naming: Naming, namePrefix: string, scope: Scope, opset: number): void {
  for (const [id, t] of g.tensors) {
    if (!t.isConstant) continue;
    const gid = naming(id);
    scope.set(gid === id ? t : { ...t, id: gid });
  }
  const ctx: OpContext = { opset, warn: (m) => scope.warnings.push(m), layout: g.layout };
  for (const local of g.nodes) {
    const node: Node = {
      ...local,
      name: namePrefix + local.name,
      inputs: local.inputs.map((id) => (id === '' ? '' : scope.resolve(naming(id)))),
      outputs: local.outputs.map((id) => (id === '' ? '' : naming(id))),
    };
    processNode(node, local, g, naming, scope, ctx);
  }
}

/** Declared shape of a local tensor (value_info / graph outputs), symbols taken as 1 (warned). */
function declared(g: Graph, localId: string, node: Node, scope: Scope): { shape: number[] | null; dtype: DType } {
  const t = g.tensors.get(localId);
  if (!t || !t.shape) return { shape: null, dtype: t?.dtype ?? 'unknown' };
  let symbolic = false;
  const shape = t.shape.map((d) => {
    if (typeof d === 'number') return d;
    symbolic = true;
    return 1;
  });
  if (symbolic) {
    scope.warnings.push(`node '${node.name}' (${node.op}): declared output shape [${t.shape.join(',')}] has dynamic dims; assumed 1`);
  }
  return { shape, dtype: t.dtype };
}

function processNode(node: Node, local: Node, g: Graph, naming: Naming, scope: Scope, ctx: OpContext): void {
  const ins: (TensorInfo | undefined)[] = node.inputs.map((id, i) => {
    if (id === '') return undefined;
    const t = scope.get(id);
    if (!t) throw new ShapeError(node.name, node.op, `input ${i} '${id}' is not produced by any node, initializer or graph input`);
    return t;
  });
  const isDefault = node.domain === '' || node.domain === 'ai.onnx';
  if (isDefault && node.op === 'If') return inlineIf(node, ins, naming, scope, ctx);
  if (isDefault && node.op === 'Loop') return inlineLoop(node, ins, naming, scope, ctx);

  const spec = getOpSpec(node.op, node.domain);
  if (!spec) return executeUnknown(node, local, g, scope);

  // Identity and inference Dropout: consumers read the input directly; Dropout's mask is all ones.
  if (isDefault && (node.op === 'Identity' || node.op === 'Dropout') && node.inputs[0]) {
    alias(scope, node.outputs[0], node.inputs[0]);
    const mask = node.outputs[1];
    if (mask && ins[0]) scope.set({ id: mask, shape: ins[0].shape, dtype: 'bool', isConstant: true, isWeight: false });
    if (mask) scope.folded.add(mask);
    return;
  }

  const present = ins.filter((t): t is TensorInfo => !!t);
  const allConst = present.length > 0 && present.every((t) => t.isConstant);
  if (!spec.noFold && (spec.alwaysFold || allConst) && (present.length > 0 || spec.op === 'Constant')) {
    if (foldNode(node, spec, ins, scope, ctx)) return;
  }

  // Zero propagation with non-constant operands: Mul(x, 0) = 0, MatMul(x, 0) = 0, ...
  if (spec.zero && present.some((t) => isZero(t)) && spec.zero(node, ins)) {
    if (constantOutputs(node, spec, ins, scope, ctx, true)) return;
  }

  // Add/Sub/Sum with zero operands: the output is the one non-zero operand.
  if (isDefault && rewriteAddZero(node, ins, scope)) return;
  // Cast to the dtype it already has.
  if (isDefault && node.op === 'Cast' && ins[0] && spec.inferTypes?.(node, ins)[0] === ins[0].dtype) {
    alias(scope, node.outputs[0], node.inputs[0]!);
    return;
  }

  execute(node, local, g, spec, ins, scope, ctx);
}

function alias(scope: Scope, from: string | undefined, to: string): void {
  if (from) scope.alias.set(from, to);
}

/** `Add(x, 0)`, `Sub(x, 0)`, `Sum(x, 0, ...)` → x when the broadcast does not change x. */
function rewriteAddZero(node: Node, ins: Inputs, scope: Scope): boolean {
  const op = node.op;
  if (op !== 'Add' && op !== 'Sum' && op !== 'Sub') return false;
  if (op === 'Sub' && (!isZero(ins[1]) || isZero(ins[0]))) return false;
  const present = ins.filter((t): t is TensorInfo => !!t);
  const zeros = present.filter((t) => isZero(t));
  if (zeros.length === 0) return false;
  const rest = present.filter((t) => !isZero(t));
  if (op === 'Sum' && rest.length >= 2) {
    // Drop the zero operands when they do not widen the broadcast.
    const all = present.map((t) => t.shape).filter(isConcrete);
    const kept = rest.map((t) => t.shape).filter(isConcrete);
    const a = all.length === present.length ? broadcastShapes(all) : null;
    const b = kept.length === rest.length ? broadcastShapes(kept) : null;
    if (a && b && sameShape(a, b)) node.inputs = rest.map((t) => t.id);
    return false;
  }
  if (rest.length !== 1) return false;
  const x = rest[0]!;
  if (!isConcrete(x.shape)) return false;
  const shapes = present.map((t) => t.shape).filter(isConcrete);
  if (shapes.length !== present.length) return false;
  const b = broadcastShapes(shapes);
  if (!b || b.length !== x.shape.length || b.some((d, i) => d !== x.shape![i])) return false;
  if (zeros.some((z) => z.dtype !== x.dtype && z.dtype !== 'unknown')) return false;
  alias(scope, node.outputs[0], x.id);
  return true;
}

/** Shapes and dtypes of the outputs by the op's rule; throws ShapeError/DataDependentShape. */
function inferOutputs(node: Node, spec: OpSpec, ins: Inputs, ctx: OpContext): { shapes: Shape[]; dtypes: DType[] } {
  for (let i = 0; i < ins.length; i++) {
    const t = ins[i];
    if (t && !isConcrete(t.shape)) {
      throw new DataDependentShape(node.name, node.op, `input ${i} '${t.id}' has unknown shape`);
    }
  }
  const shapes = spec.inferShapes(node, ins, ctx);
  const first = ins.find((t) => t)?.dtype ?? 'unknown';
  const dtypes = spec.inferTypes ? spec.inferTypes(node, ins) : node.outputs.map(() => first);
  return { shapes, dtypes };
}

/** True when a folded output is (derived from) a stored weight: it will be a weight buffer. */
function derivedWeight(node: Node, ins: Inputs, dtype: DType, scope: Scope): boolean {
  if (!isWeightDType(dtype)) return false;
  if (node.op === 'ConstantOfShape') {
    // ConstantOfShape fed by a stored shape stands for a stripped weight (ONNX "light" models).
    return isFloatDType(dtype) && !!ins[0] && !scope.isFolded(ins[0].id);
  }
  if (node.op === 'Constant') return true;
  let weight = false;
  for (const t of ins) {
    if (!t) continue;
    if (scope.isFromActivation(t.id)) return false;
    if (t.isWeight) weight = true;
  }
  return weight;
}

/**
 * Folds a node whose inputs are all constant (or that is `alwaysFold`): outputs become constants,
 * with data when the op can compute it and it is small. Returns false when the shape rule needs
 * data that is not available (the node is then executed).
 */
function foldNode(node: Node, spec: OpSpec, ins: Inputs, scope: Scope, ctx: OpContext): boolean {
  return constantOutputs(node, spec, ins, scope, ctx, false);
}

function constantOutputs(node: Node, spec: OpSpec, ins: Inputs, scope: Scope, ctx: OpContext, zeroByRule: boolean): boolean {
  let shapes: Shape[];
  let dtypes: DType[];
  try {
    ({ shapes, dtypes } = inferOutputs(node, spec, ins, ctx));
  } catch (e) {
    if (e instanceof DataDependentShape) return false;
    throw e;
  }
  let values: ConstTensor[] | undefined;
  // Placeholder weights (ConstantOfShape in light models) keep values only when tiny.
  const limit = node.op === 'ConstantOfShape' && isFloatDType(dtypes[0] ?? 'unknown') ? MAX_PLACEHOLDER_ELEMENTS : MAX_FOLD_ELEMENTS;
  const small = shapes.every((s) => numel(s) <= limit);
  const fromAct = zeroByRule || ins.some((t) => t && scope.isFromActivation(t.id));
  // Constants that stand for activations (zero propagation) need no values, only shapes.
  if (spec.fold && small && (!fromAct || spec.alwaysFold)) {
    const datas = ins.map((t) => {
      if (!t) return undefined;
      const d = constData(t) ?? (spec.alwaysFold ? [] : undefined);
      return d ? ({ ...t, isConstant: true, shape: t.shape as number[], data: d } as ConstTensor) : null;
    });
    if (!datas.includes(null)) values = spec.fold(node, datas as (ConstTensor | undefined)[], ctx);
  }
  const zero = zeroByRule || (!values && !!spec.zero && spec.zero(node, ins));
  node.outputs.forEach((id, i) => {
    if (!id) return;
    const v = values?.[i];
    const dtype = v?.dtype ?? dtypes[i] ?? 'unknown';
    const weight = !fromAct && derivedWeight(node, ins, dtype, scope);
    const placeholder = weight && node.op === 'ConstantOfShape';
    const t: TensorInfo = {
      id,
      shape: v?.shape ?? shapes[i] ?? null,
      dtype,
      isConstant: true,
      isWeight: weight,
    };
    if (v && v.data.length <= MAX_FOLD_ELEMENTS) t.data = v.data;
    // Placeholder weights of light models carry no meaningful value: never zero-propagated.
    if (!placeholder) {
      if (v ? v.allZero : zero && (i === 0 || node.op === 'Split')) t.allZero = true;
    }
    scope.set(t);
    scope.folded.add(id);
    if (fromAct) scope.fromActivation.add(id);
  });
  return true;
}

/** Ops that are no-ops when their output shape equals their input shape. */
const NO_OP_IF_SAME_SHAPE = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Expand', 'Tile']);

function sameShape(a: Shape | null, b: Shape | null): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Records an executed registry op: outputs by its shape rule (declared shapes as fallback).
 * TFLite files store every tensor's shape and dtype: there the file's values win (the rule still
 * runs, as a check; a disagreement or a failing rule is reported as a warning, not an error).
 */
function execute(node: Node, local: Node, g: Graph, spec: OpSpec, ins: Inputs, scope: Scope, ctx: OpContext): void {
  let shapes: (Shape | null)[];
  let dtypes: DType[];
  const trustFile = g.format === 'tflite';
  const decl = trustFile ? local.outputs.map((id) => (id ? declared(g, id, node, scope) : { shape: null, dtype: 'unknown' as DType })) : undefined;
  const fileShapes = decl && decl.every((d, i) => !local.outputs[i] || d.shape) ? decl : undefined;
  try {
    ({ shapes, dtypes } = inferOutputs(node, spec, ins, ctx));
    if (fileShapes) {
      const differs = node.outputs.findIndex((id, i) => id && !sameShape(shapes[i] ?? null, fileShapes[i]!.shape));
      if (differs >= 0) {
        scope.warnings.push(
          `node '${node.name}' (${node.op}): shape rule gives [${(shapes[differs] ?? []).join(',')}] for output ${differs}, the file declares [${(fileShapes[differs]!.shape ?? []).join(',')}]; used the file's`,
        );
      }
      shapes = fileShapes.map((d) => d.shape);
      dtypes = fileShapes.map((d, i) => (d.dtype !== 'unknown' ? d.dtype : (dtypes[i] ?? 'unknown')));
    }
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    if (fileShapes) {
      if (!(e instanceof DataDependentShape)) scope.warnings.push(`node '${node.name}' (${node.op}): ${e.problem}; used the shapes the file declares`);
      shapes = fileShapes.map((d) => d.shape);
      const first = ins.find((t) => t)?.dtype ?? 'unknown';
      dtypes = fileShapes.map((d) => (d.dtype !== 'unknown' ? d.dtype : first));
    } else {
      if (!(e instanceof DataDependentShape)) throw e;
      const decl2 = local.outputs.map((id) => declared(g, id, node, scope));
      shapes = decl2.map((d) => d.shape);
      const first = ins.find((t) => t)?.dtype ?? 'unknown';
      dtypes = decl2.map((d, i) => (d.dtype !== 'unknown' ? d.dtype : (spec.inferTypes?.(node, ins)[i] ?? first)));
      const how = shapes.every((s) => s) ? 'used the shapes the file declares' : 'output shape unknown';
      scope.warnings.push(`node '${node.name}' (${node.op}): ${e.problem}; ${how}`);
    }
  }
  // A reshape-like op that leaves the shape unchanged is a no-op: consumers read its input.
  if (NO_OP_IF_SAME_SHAPE.has(node.op) && node.outputs.length === 1 && ins[0] && sameShape(shapes[0] ?? null, ins[0].shape)) {
    alias(scope, node.outputs[0], ins[0].id);
    return;
  }
  const outs: TensorInfo[] = node.outputs.map((id, i) => ({
    id,
    shape: shapes[i] ?? null,
    dtype: dtypes[i] ?? 'unknown',
    isConstant: false,
    isWeight: false,
  }));
  for (const t of outs) if (t.id) scope.set(t);
  let macs = 0;
  if (outs.every((t) => !t.id || t.shape)) {
    macs = spec.macs(node, ins, outs, ctx) * (node.repeat ?? 1);
  }
  scope.executed.push(node);
  scope.macs.push(macs);
}

/** An op the registry does not know: declared shapes, 0 MACs, listed as unsupported. */
function executeUnknown(node: Node, local: Node, g: Graph, scope: Scope): void {
  node.outputs.forEach((id, i) => {
    if (!id) return;
    const d = declared(g, local.outputs[i]!, node, scope);
    scope.set({ id, shape: d.shape, dtype: d.dtype, isConstant: false, isWeight: false });
  });
  scope.executed.push(node);
  scope.macs.push(0);
}

function branchOf(node: Node, name: string): Graph | undefined {
  const s = node.subgraphs?.[name];
  if (s) return s;
  const a = node.attrs[name];
  return a && typeof a === 'object' && !Array.isArray(a) && 'nodes' in a ? a : undefined;
}

/**
 * The naming of subgraph `g` of `node`: its own tensors get the prefix `${node.name}/`, outer
 * references go through the enclosing graph's naming (subgraphs may read outer-scope tensors).
 */
function subgraphNaming(node: Node, g: Graph, outer: Naming): Naming {
  const prefix = `${node.name}/`;
  const locals = localIds(g);
  return (id) => (locals.has(id) ? prefix + id : outer(id));
}

/** Inlines subgraph `g` into `scope` under `naming`; returns the global ids of its outputs. */
function inlineBody(node: Node, g: Graph, scope: Scope, ctx: OpContext, naming: Naming): string[] {
  runGraph(g, naming, `${node.name}/`, scope, ctx.opset);
  return g.outputs.map((id) => scope.resolve(naming(id)));
}

/**
 * If: inline the taken branch when the condition is a known constant, else the branch with more
 * MACs (ties: more executed nodes, then then_branch), with a warning; a branch whose shape rules
 * fail for the given input shapes is not counted. Branch outputs replace the If outputs.
 */
function inlineIf(node: Node, ins: Inputs, outer: Naming, scope: Scope, ctx: OpContext): void {
  const thenG = branchOf(node, 'then_branch');
  const elseG = branchOf(node, 'else_branch');
  if (!thenG || !elseG) throw new ShapeError(node.name, 'If', 'then_branch/else_branch subgraph missing');
  const cond = ins[0];
  const data = cond ? constData(cond) : undefined;
  let chosen: Scope;
  let outs: string[];
  if (data && data.length > 0) {
    chosen = new Scope(scope);
    const taken = data[0] ? thenG : elseG;
    outs = inlineBody(node, taken, chosen, ctx, subgraphNaming(node, taken, outer));
  } else {
    // Try both branches. A branch whose shape rules fail for these input shapes (e.g. the 8 kHz
    // branch of a model fed a 16 kHz frame) cannot be the one that runs: count the other.
    const trial = (branch: Graph): { scope: Scope; outs: string[] } | ShapeError => {
      const s = new Scope(scope);
      try {
        return { scope: s, outs: inlineBody(node, branch, s, ctx, subgraphNaming(node, branch, outer)) };
      } catch (e) {
        if (e instanceof ShapeError) return e;
        throw e;
      }
    };
    const t = trial(thenG);
    const el = trial(elseG);
    if (t instanceof ShapeError && el instanceof ShapeError) throw t;
    let takeElse: boolean;
    if (t instanceof ShapeError || el instanceof ShapeError) {
      takeElse = t instanceof ShapeError;
      const failed = takeElse ? 'then' : 'else';
      const err = (takeElse ? t : el) as ShapeError;
      (takeElse ? (el as { scope: Scope }) : (t as { scope: Scope })).scope.warnings.push(
        `If '${node.name}': condition not constant and ${failed}_branch does not fit these input shapes (${err.message}); counted ${takeElse ? 'else' : 'then'}_branch`,
      );
    } else {
      // More MACs wins; on a tie, more executed nodes (then_branch on a full tie).
      const dm = el.scope.totalMacs() - t.scope.totalMacs();
      takeElse = dm > 0 || (dm === 0 && el.scope.executed.length > t.scope.executed.length);
      (takeElse ? el : t).scope.warnings.push(
        `If '${node.name}': condition not constant, counted the costlier branch (${takeElse ? 'else' : 'then'}_branch)`,
      );
    }
    const pick = (takeElse ? el : t) as { scope: Scope; outs: string[] };
    chosen = pick.scope;
    outs = pick.outs;
  }
  chosen.commit();
  node.outputs.forEach((id, i) => {
    if (id && outs[i]) alias(scope, id, outs[i]);
  });
}

/**
 * Loop(M?, cond?, v_initial...): the body is inlined once; its nodes get `repeat` = M when M is
 * constant, else 1 with a warning. Loop-carried values and the iteration number are fresh
 * non-constant tensors inside the body (they change between iterations, so nothing folds on
 * them); final values alias the body's outputs; scan outputs are stacked ([M, ...]).
 */
function inlineLoop(node: Node, ins: Inputs, outer: Naming, scope: Scope, ctx: OpContext): void {
  const body = branchOf(node, 'body');
  if (!body) throw new ShapeError(node.name, 'Loop', 'body subgraph missing');
  const m = ins[0] ? constData(ins[0]) : undefined;
  let trips = m && m.length > 0 ? Number(m[0]) : undefined;
  const condData = ins[1] ? constData(ins[1]) : undefined;
  if (condData && condData.length > 0 && !condData[0]) trips = 0;
  if (trips === undefined) {
    scope.warnings.push(`Loop '${node.name}': trip count not constant, counted the body once`);
  }
  const repeat = trips ?? 1;
  const naming = subgraphNaming(node, body, outer);
  body.inputs.forEach((id, i) => {
    const outer = i >= 2 ? ins[i] : undefined;
    const own = body.tensors.get(id);
    const shape = outer?.shape ?? (i < 2 ? [] : (own?.shape ?? null));
    const dtype: DType = i === 0 ? 'int64' : i === 1 ? 'bool' : (outer?.dtype ?? own?.dtype ?? 'unknown');
    scope.set({ id: naming(id), shape: shape && isConcrete(shape) ? shape : null, dtype, isConstant: false, isWeight: false });
  });
  const start = scope.executed.length;
  const outs = inlineBody(node, body, scope, ctx, naming);
  for (let k = start; k < scope.executed.length; k++) {
    const n = scope.executed[k]!;
    n.repeat = (n.repeat ?? 1) * repeat;
    scope.macs[k] = (scope.macs[k] ?? 0) * repeat;
  }
  const carried = node.inputs.length - 2;
  node.outputs.forEach((id, i) => {
    if (!id) return;
    const src = outs[1 + i];
    if (!src) return;
    if (i < carried) {
      alias(scope, id, src);
      return;
    }
    const t = scope.get(src);
    const stacked: Node = {
      name: `${node.name}/scan_${i - carried}`,
      op: 'ScanStack',
      domain: 'edgeperf',
      inputs: [src],
      outputs: [id],
      attrs: { count: repeat },
    };
    scope.set({
      id,
      shape: t?.shape ? [repeat, ...t.shape] : null,
      dtype: t?.dtype ?? 'unknown',
      isConstant: false,
      isWeight: false,
    });
    scope.executed.push(stacked);
    scope.macs.push(0);
  });
}
