/**
 * Per-node feature vectors and data edges for the PerfSAGE GNN, read from a `ModelAnalysis`.
 *
 * Features follow ../shared/DESIGN.md ("Cost features"): op one-hot, MACs, input/output/weight
 * bytes, kernel, stride, groups, channels, spatial size, dtype, fused activation; quantities that
 * span decades are log1p-scaled. Only executed nodes (see `isExecuted`) become GNN nodes.
 */
import type { ModelAnalysis } from '../core/types.ts';
import type { DType, Graph, Node, Shape, TensorInfo } from '../graph/ir.ts';
import { dtypeBytes } from '../graph/tensor.ts';

/**
 * Op vocabulary of the one-hot block (canonical IR op names; `DepthwiseConv` = Conv with
 * group = input channels > 1). Any other op maps to `other`.
 */
export const OP_VOCAB = [
  'Conv',
  'DepthwiseConv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'Relu',
  'Clip',
  'Sigmoid',
  'HardSwish',
  'HardSigmoid',
  'Tanh',
  'LeakyRelu',
  'PRelu',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'AveragePool',
  'MaxPool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'ReduceMean',
  'BatchNormalization',
  'LayerNormalization',
  'Softmax',
  'Concat',
  'Split',
  'Slice',
  'Pad',
  'Resize',
  'Reshape',
  'Flatten',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Gather',
  'Cast',
  'other',
] as const;

/** One entry of `OP_VOCAB`. */
export type OpToken = (typeof OP_VOCAB)[number];

/** Names of the numeric features after the one-hot block, in column order. */
export const NUMERIC_FEATURES = [
  'log1p_macs',
  'log1p_input_bytes',
  'log1p_output_bytes',
  'log1p_weight_bytes',
  'kernel',
  'stride',
  'log1p_groups',
  'depthwise',
  'log1p_channels_in',
  'log1p_channels_out',
  'log1p_spatial_in',
  'log1p_spatial_out',
  'dtype_bytes',
  'fused_activation',
  'n_data_inputs',
  'is_graph_input',
  'is_graph_output',
] as const;

/** Full feature names: `op=<token>` for the one-hot block, then `NUMERIC_FEATURES`. */
export const FEATURE_NAMES: readonly string[] = [...OP_VOCAB.map((o) => `op=${o}`), ...NUMERIC_FEATURES];

/** Number of columns F of a feature row. */
export const NUM_FEATURES = FEATURE_NAMES.length;

/** Features of the executed part of one graph. */
export interface GraphFeatures {
  /** For each GNN node i, its index in `analysis.graph.nodes` ([n]). */
  nodeIndex: number[];
  /** Op token per GNN node ([n]); `other` for ops outside `OP_VOCAB`. */
  ops: OpToken[];
  /** Original op name per GNN node ([n]), for OOD reasons. */
  rawOps: string[];
  /** Row-major features [n, NUM_FEATURES], unnormalised. */
  x: Float32Array;
  /** Directed data edges producer → consumer, local node indices ([E] each). */
  edgeSrc: Int32Array;
  edgeDst: Int32Array;
}


/**
 * A node runs at inference time when it is not a `Constant` and produces at least one
 * non-constant output (folded nodes, if the analysis keeps them, produce constants).
 */
export function isExecuted(node: Node, graph: Graph): boolean {
  if (node.op === 'Constant') return false;
  const outs = node.outputs.filter((o) => o !== '');
  if (outs.length === 0) return false;
  return outs.some((o) => graph.tensors.get(o)?.isConstant !== true);
}

function numAttr(node: Node, key: string): number | undefined {
  const v = node.attrs[key];
  return typeof v === 'number' ? v : undefined;
}

function maxIntsAttr(node: Node, key: string): number {
  const v = node.attrs[key];
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'number') return Math.max(...(v as number[]));
  if (typeof v === 'number') return v;
  return 0;
}

function dims(shape: Shape | null | undefined): number[] | null {
  if (!shape) return null;
  return shape.map((d) => (typeof d === 'number' ? d : 1));
}

/** Channel count of an activation tensor: dim 1 (NCHW) or the last dim (NHWC); rank ≤ 2 → last dim. */
function channelsOf(t: TensorInfo | undefined, layout: Graph['layout']): number {
  const d = dims(t?.shape);
  if (!d || d.length === 0) return 0;
  if (d.length <= 2) return d[d.length - 1] as number;
  return (layout === 'NCHW' ? d[1] : d[d.length - 1]) as number;
}

/** Spatial size (product of the dims other than batch and channel) of a rank ≥ 3 tensor, else 1. */
function spatialOf(t: TensorInfo | undefined, layout: Graph['layout']): number {
  const d = dims(t?.shape);
  if (!d || d.length < 3) return 1;
  const sp = layout === 'NCHW' ? d.slice(2) : d.slice(1, -1);
  return sp.reduce((a, b) => a * b, 1);
}

/** The vocabulary token of a node (`DepthwiseConv` for grouped convs with group = C_in > 1). */
export function opToken(node: Node, graph: Graph): OpToken {
  if (node.op === 'Conv') {
    const group = numAttr(node, 'group') ?? 1;
    const first = graph.tensors.get(node.inputs[0] ?? '');
    const cin = channelsOf(first, graph.layout);
    if (node.attrs['depthwise'] === true || (group > 1 && group === cin)) return 'DepthwiseConv';
    return 'Conv';
  }
  return (OP_VOCAB as readonly string[]).includes(node.op) ? (node.op as OpToken) : 'other';
}

/**
 * Extracts GNN features from an analysis: one row per executed node of `analysis.graph`, in
 * graph order, and the data edges between executed nodes (an edge per distinct producer →
 * consumer pair through a non-constant tensor).
 */
export function extractFeatures(analysis: ModelAnalysis): GraphFeatures {
  const graph = analysis.graph;
  const nodeIndex: number[] = [];
  const local = new Map<number, number>();
  graph.nodes.forEach((n, i) => {
    if (isExecuted(n, graph)) {
      local.set(i, nodeIndex.length);
      nodeIndex.push(i);
    }
  });
  const n = nodeIndex.length;
  const F = NUM_FEATURES;
  const x = new Float32Array(n * F);
  const ops: OpToken[] = [];
  const rawOps: string[] = [];
  const producer = new Map<string, number>();
  for (const gi of nodeIndex) {
    for (const o of (graph.nodes[gi] as Node).outputs) if (o) producer.set(o, local.get(gi) as number);
  }
  const graphInputs = new Set(graph.inputs);
  const graphOutputs = new Set(graph.outputs);
  const src: number[] = [];
  const dst: number[] = [];
  const nOps = OP_VOCAB.length;
  nodeIndex.forEach((gi, li) => {
    const node = graph.nodes[gi] as Node;
    const cost = analysis.costs[gi];
    const tok = opToken(node, graph);
    ops.push(tok);
    rawOps.push(node.op);
    const row = li * F;
    x[row + OP_VOCAB.indexOf(tok)] = 1;
    const dataInputs = node.inputs.filter((t) => t !== '' && graph.tensors.get(t)?.isConstant !== true);
    const inT = graph.tensors.get(dataInputs[0] ?? '');
    const outT = graph.tensors.get(node.outputs.find((o) => o !== '') ?? '');
    const group = numAttr(node, 'group') ?? 1;
    let kernel = maxIntsAttr(node, 'kernel_shape');
    if (kernel === 0 && node.op === 'Conv') {
      const wt = dims(graph.tensors.get(node.inputs[1] ?? '')?.shape);
      if (wt && wt.length >= 3) kernel = Math.max(...wt.slice(graph.layout === 'NCHW' ? 2 : 1, graph.layout === 'NCHW' ? undefined : -1));
    }
    const vals: number[] = [
      Math.log1p(cost?.macs ?? 0),
      Math.log1p(cost?.inputBytes ?? 0),
      Math.log1p(cost?.outputBytes ?? 0),
      Math.log1p(cost?.weightBytes ?? 0),
      kernel,
      maxIntsAttr(node, 'strides'),
      Math.log1p(group),
      tok === 'DepthwiseConv' ? 1 : 0,
      Math.log1p(channelsOf(inT, graph.layout)),
      Math.log1p(channelsOf(outT, graph.layout)),
      Math.log1p(spatialOf(inT, graph.layout)),
      Math.log1p(spatialOf(outT, graph.layout)),
      dtypeBytes(outT?.dtype ?? 'unknown'),
      node.fusedActivation && node.fusedActivation !== 'NONE' ? 1 : 0,
      dataInputs.length,
      dataInputs.some((t) => graphInputs.has(t)) ? 1 : 0,
      node.outputs.some((t) => graphOutputs.has(t)) ? 1 : 0,
    ];
    vals.forEach((v, k) => {
      x[row + nOps + k] = Number.isFinite(v) ? v : 0;
    });
    const seen = new Set<number>();
    for (const t of dataInputs) {
      const p = producer.get(t);
      if (p !== undefined && p !== li && !seen.has(p)) {
        seen.add(p);
        src.push(p);
        dst.push(li);
      }
    }
  });
  return { nodeIndex, ops, rawOps, x, edgeSrc: Int32Array.from(src), edgeDst: Int32Array.from(dst) };
}
