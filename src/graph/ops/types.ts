/**
 * The op registry contract (see ../../../../shared/DESIGN.md, "The op registry is the heart") and
 * the helpers every op family file uses to read attributes and inputs.
 */
import { ShapeError } from '../../core/errors.ts';
import type { AttrValue, ConstTensor, DType, Layout, Node, Shape, TensorData, TensorInfo } from '../ir.ts';
import { formatShape, isConcrete } from '../tensor.ts';

/** Node inputs aligned with `Node.inputs`; `undefined` for an omitted optional input (''). */
export type Inputs = readonly (TensorInfo | undefined)[];

/** What an op rule may need beyond its node and inputs. */
export interface OpContext {
  /** Opset of the node's domain (ONNX default-domain opset for '' ops); 0 when unknown. */
  opset: number;
  /** Records a user-visible warning (e.g. a data-dependent dim bounded from above). */
  warn(message: string): void;
  /**
   * Layout of image-like tensors of the graph (`Graph.layout`); absent means NCHW (ONNX).
   * Layout-dependent rules (Conv, pools, ...) read it through `channelsLast`.
   */
  layout?: Layout;
}

/** A context with no opset (rules then decide by which attributes/inputs are present). */
export const NO_CONTEXT: OpContext = { opset: 0, warn: () => {} };

/** One operator kind: shape rule, dtype rule, MACs, elementwise ops, folding. */
export interface OpSpec {
  /** Canonical name, e.g. "Conv", "MatMul" (ONNX spelling). */
  op: string;
  /** Operator domain: '' (ai.onnx, the default) or e.g. 'com.microsoft'. */
  domain?: string;
  /**
   * Output shapes (concrete dims) from input tensors and attributes, one per node output.
   * Throws `ShapeError` naming node and rule; throws `DataDependentShape` when a needed input
   * value (e.g. Reshape's `shape`) is not a known constant.
   */
  inferShapes(node: Node, inputs: Inputs, ctx?: OpContext): Shape[];
  /** Output dtypes, one per output; default: the dtype of the first present input. */
  inferTypes?(node: Node, inputs: Inputs): DType[];
  /**
   * Multiply-accumulates of one inference, following the conventional definition (thop/fvcore):
   * only convolutions, fully-connected layers, matrix products and recurrent cells count.
   */
  macs(node: Node, inputs: Inputs, outputs: readonly TensorInfo[], ctx?: OpContext): number;
  /** Non-MAC arithmetic estimate (see `NodeCost.elementwiseOps`); default 0. */
  elementwiseOps?(node: Node, inputs: Inputs, outputs: readonly TensorInfo[], ctx?: OpContext): number;
  /**
   * Output values when every input is a constant with data (small tensors only); absent when
   * the op is not foldable with data. Shapes of the outputs follow `inferShapes`.
   */
  fold?(node: Node, inputs: readonly (ConstTensor | undefined)[], ctx?: OpContext): ConstTensor[];
  /**
   * Whether output 0 is all zero given which inputs are all-zero constants (used to propagate
   * `Mul(x, 0)` edges, e.g. NAS-Bench-201 `none` edges). Absent: never known zero.
   */
  zero?(node: Node, inputs: Inputs): boolean;
  /** Fold even when inputs are not constant (Shape, Size: their value is the static shape). */
  alwaysFold?: boolean;
  /** Never fold, even when all inputs are constant (e.g. DequantizeLinear of int8 weights). */
  noFold?: boolean;
}

/**
 * True when `node`'s image-like tensors are channels-last (N, spatial..., C): its own
 * `data_format` attribute when present (TF.js: 'NHWC'/'NCHW', 'NWC', 'NDHWC'...), else the graph
 * layout in `ctx` (TFLite and TF.js graphs are NHWC, ONNX NCHW).
 */
export function channelsLast(node: Node, ctx?: OpContext): boolean {
  const f = node.attrs['data_format'];
  if (typeof f === 'string' && f.length > 0) return f.startsWith('N') && f.endsWith('C');
  return ctx?.layout === 'NHWC';
}

/** Spatial dims of an image-like shape (NCHW: dims 2..; channels-last: dims 1..-1). */
export function spatialDims(shape: readonly number[], last: boolean): number[] {
  return last ? shape.slice(1, -1) : shape.slice(2);
}

/** A shape rule needed a value (shape, axes, pads, sizes ...) that is not a known constant. */
export class DataDependentShape extends ShapeError {}

/** Throws a `ShapeError` for `node`. */
export function fail(node: Node, problem: string): never {
  throw new ShapeError(node.name, node.op, problem);
}

/** Integer attribute (ONNX INT), or `def`. */
export function attrInt(node: Node, name: string, def: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : def;
}

/** Float attribute (ONNX FLOAT), or `def`. */
export function attrFloat(node: Node, name: string, def: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : def;
}

/** String attribute (ONNX STRING), or `def`. */
export function attrStr(node: Node, name: string, def: string): string {
  const v = node.attrs[name];
  return typeof v === 'string' ? v : def;
}

/** Integer-list attribute (ONNX INTS), or undefined when absent. */
export function attrInts(node: Node, name: string): number[] | undefined {
  const v: AttrValue | undefined = node.attrs[name];
  if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number')) return v as number[];
  if (typeof v === 'number') return [v];
  return undefined;
}

/** True when the attribute is present. */
export function hasAttr(node: Node, name: string): boolean {
  return node.attrs[name] !== undefined;
}

/** The input at `i`, or undefined when omitted. */
export function input(inputs: Inputs, i: number): TensorInfo | undefined {
  return inputs[i];
}

/** Concrete shape of input `i`; throws ShapeError when missing or unknown. */
export function shapeOf(node: Node, inputs: Inputs, i: number): number[] {
  const t = inputs[i];
  if (!t) fail(node, `input ${i} is required but missing`);
  if (!isConcrete(t.shape)) fail(node, `input ${i} ('${t.id}') has unknown shape ${formatShape(t.shape)}`);
  return t.shape;
}

/** Data of input `i` when it is a constant with data (or an `allZero` constant), else undefined. */
export function dataOf(inputs: Inputs, i: number): TensorData | undefined {
  const t = inputs[i];
  if (!t || !t.isConstant) return undefined;
  return t.data;
}

/**
 * Values of a constant integer input (shape, axes, pads, starts ...), or undefined when the input
 * is omitted. Throws `DataDependentShape` when it is present but not a known constant.
 */
export function intsOf(node: Node, inputs: Inputs, i: number, what: string): number[] | undefined {
  return floatsOf(node, inputs, i, what)?.map((v) => Math.trunc(v));
}

/**
 * Values of a constant numeric input (Resize scales; `intsOf` truncates them), or undefined when
 * the input is omitted. Throws `DataDependentShape` when it is present but not a known constant.
 */
export function floatsOf(node: Node, inputs: Inputs, i: number, what: string): number[] | undefined {
  const t = inputs[i];
  if (!t) return undefined;
  if (t.shape && t.shape.length === 1 && t.shape[0] === 0) return [];
  const d = t.isConstant ? t.data : undefined;
  if (!d) {
    throw new DataDependentShape(node.name, node.op, `${what} (input ${i}, '${t.id}') is not a constant`);
  }
  return Array.from(d as ArrayLike<number>);
}

/** The dtype of the first present input ('unknown' when none). */
export function firstDType(inputs: Inputs): DType {
  for (const t of inputs) if (t) return t.dtype;
  return 'unknown';
}

/** Zero rule: output is zero when input 0 is an all-zero constant. */
export function zeroFirst(_node: Node, inputs: Inputs): boolean {
  return isZero(inputs[0]);
}

/** Zero rule: output is zero when any input is an all-zero constant (products). */
export function zeroAny(_node: Node, inputs: Inputs): boolean {
  return inputs.some((t) => isZero(t));
}

/** Zero rule: output is zero when every present input is an all-zero constant (sums, concat). */
export function zeroAll(_node: Node, inputs: Inputs): boolean {
  let any = false;
  for (const t of inputs) {
    if (!t) continue;
    if (!isZero(t)) return false;
    any = true;
  }
  return any;
}

/** True for a constant known to be all zero. */
export function isZero(t: TensorInfo | undefined): boolean {
  return !!t && t.isConstant && t.allZero === true;
}

/** Number of elements of output `i` (0 when unknown). */
export function outElems(outputs: readonly TensorInfo[], i = 0): number {
  const s = outputs[i]?.shape;
  if (!s) return 0;
  let n = 1;
  for (const d of s) n *= typeof d === 'number' ? d : 1;
  return n;
}
