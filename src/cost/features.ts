/**
 * Per-node feature vectors and data edges for the PerfSAGE GNN, read from a `ModelAnalysis`.
 *
 * Features follow ../shared/DESIGN.md ("Cost features"): op one-hot, MACs, input/output/weight
 * bytes, kernel, stride, groups, channels, spatial size, dtype, fused activation, then channel
 * alignment (`channelAlignment`) and width (`widthOf`); quantities that span decades are
 * log1p-scaled. Only executed nodes (see `isExecuted`) become GNN nodes.
 */
import type { ModelAnalysis } from '../core/types.ts';
import type { Graph, Node, Shape, TensorInfo } from '../graph/ir.ts';
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
  'channels_in_mult8',
  'channels_in_mult16',
  'channels_out_mult8',
  'channels_out_mult16',
  'channels_in_fill16',
  'channels_out_fill16',
  'log1p_width_in',
  'log1p_width_out',
] as const;

/**
 * The channel-alignment columns (the last six of `NUMERIC_FEATURES`) of a row with `cin` input
 * and `cout` output channels: `cin % 8 == 0`, `cin % 16 == 0`, `cout % 8 == 0`, `cout % 16 == 0`
 * (1 or 0; 0 for a count of 0), then the fill of 16-wide tiles `c / (16·⌈c/16⌉)` for cin and cout
 * (1 when aligned, 17 channels → 0.53; 0 for a count of 0).
 *
 * Why: onnxruntime's CPU kernels (MLAS) run a Conv in the blocked NCHWc layout only when its
 * channel counts are multiples of the block size (`MlasNchwcGetBlockSize`: 8 with AVX2, 16 with
 * AVX-512; onnxruntime `nchwc_transformer.cc`), and its SGEMM kernels compute 8- or 16-wide
 * column tiles, so latency is a staircase in the channel count that log channels cannot show:
 * measured here (Intel Xeon, AVX-512, onnxruntime 1.30, 1 thread; 8×C×32×32 input, 3×3 conv)
 * 16 → 17 output channels 0.59 → 0.80 ms, 31 / 32 / 33 input channels 2.28 / 1.52 / 2.34 ms.
 */
export function channelAlignment(cin: number, cout: number): number[] {
  const mult = (c: number, b: number): number => (c > 0 && c % b === 0 ? 1 : 0);
  const fill = (c: number): number => (c > 0 ? c / (16 * Math.ceil(c / 16)) : 0);
  return [mult(cin, 8), mult(cin, 16), mult(cout, 8), mult(cout, 16), fill(cin), fill(cout)];
}

/**
 * The width columns (the last two of `NUMERIC_FEATURES`): log1p of the innermost spatial extent
 * of the node's first data input and of its output (W of NCHW `[N, C, H, W]` and NHWC
 * `[N, H, W, C]`, L of a 1-D `[N, C, L]`; 1 for a tensor of rank < 3). With `log1p_spatial_*`
 * (H·W) they tell a 4×256 map from a 256×4 one.
 *
 * Why: onnxruntime's blocked convolutions (MLAS `snchwc.cpp`) run one output row at a time over
 * the output width, so a fixed H·W costs more as rows get shorter. Measured on the
 * `cpu-onnxruntime` rows (session 18, `batched` family, 2-D graphs, n 2,721; bench/residuals.ts,
 * last line): the residual ln(measured / predicted) of the head fitted without these columns
 * correlates −0.54 with the MAC-weighted ln(W / H) of a graph's Convs (−0.08 with them), and
 * graphs whose MAC-weighted output W is ≤ 4 ran 21–34% slower than it predicted. A 3×3 conv
 * 16 → 16 channels at batch 8 and H·W = 4,096 (`edgeperf measure --runs 50`, AMD EPYC family 25,
 * 1 thread, beside a training job: CV 20–27%): 4×1024 4.07 ms, 64×64 4.69 ms, 1024×4 5.49 ms,
 * 2048×2 5.69 ms.
 */
export function widthOf(t: TensorInfo | undefined, layout: Graph['layout']): number {
  const d = dims(t?.shape);
  if (!d || d.length < 3) return 1;
  return (layout === 'NCHW' ? d[d.length - 1] : d[d.length - 2]) as number;
}

/** Full feature names: `op=<token>` for the one-hot block, then `NUMERIC_FEATURES`. */
export const FEATURE_NAMES: readonly string[] = [...OP_VOCAB.map((o) => `op=${o}`), ...NUMERIC_FEATURES];

/** Number of columns F of a feature row. */
export const NUM_FEATURES = FEATURE_NAMES.length;

/** Features of the executed part of one graph. */
export interface GraphFeatures {
  /**
   * For each GNN node i, its index in `analysis.graph.nodes` ([n]); a node with an expanded fused
   * activation appears twice (its row, then the activation's).
   */
  nodeIndex: number[];
  /** Op token per GNN node ([n]); `other` for ops outside `OP_VOCAB`. */
  ops: OpToken[];
  /** Op name per GNN node ([n]) after `canonicalOp` (IR spelling otherwise), for OOD reasons. */
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

/**
 * The op as the GNN sees it: the node's canonical IR op, except two spellings of the same
 * computation that depend on the exporter, mapped onto the ONNX/PyTorch spelling the predictor was
 * trained on (TFLite and TF.js classifier heads write them the other way):
 * - `ReduceMean` over exactly the spatial axes of a rank ≥ 3 input → `GlobalAveragePool`
 *   (TFLite `MEAN` over [1, 2], Keras GlobalAveragePooling2D);
 * - `Reshape` from rank ≥ 3 to rank 2 keeping the batch dim → `Flatten`;
 * - `Sum` of two or more inputs → `Add` (ONNX Sum-8 of two inputs is Add-7 with the same
 *   broadcasting; Caffe2 exports such as the zoo ResNet-50 write residual adds as `Sum`, TFLite
 *   `ADD_N` / TF.js `AddN` read as `Sum`). An n-ary Sum reads as one Add row whose input bytes
 *   count every input.
 */
export function canonicalOp(node: Node, graph: Graph): string {
  if (node.op === 'ReduceMean') {
    const x = dims(graph.tensors.get(node.inputs[0] ?? '')?.shape);
    const axesIn = graph.tensors.get(node.inputs[1] ?? '');
    const axes = node.attrs['axes'] ?? (axesIn?.isConstant && axesIn.data ? Array.from(axesIn.data as ArrayLike<number>, Number) : undefined);
    if (x && x.length >= 3 && Array.isArray(axes) && axes.every((a) => typeof a === 'number')) {
      const r = x.length;
      const got = [...new Set((axes as number[]).map((a) => (a < 0 ? a + r : a)))].sort((a, b) => a - b);
      const spatial = Array.from({ length: r - 2 }, (_v, i) => (graph.layout === 'NCHW' ? i + 2 : i + 1));
      if (got.length === spatial.length && got.every((a, i) => a === spatial[i])) return 'GlobalAveragePool';
    }
  }
  if (node.op === 'Reshape') {
    const x = dims(graph.tensors.get(node.inputs[0] ?? '')?.shape);
    const y = dims(graph.tensors.get(node.outputs[0] ?? '')?.shape);
    if (x && y && x.length >= 3 && y.length === 2 && y[0] === x[0]) return 'Flatten';
  }
  if (node.op === 'Sum' && node.inputs.filter((i) => i !== '').length >= 2) return 'Add';
  return node.op;
}

/** The vocabulary token of a node (`DepthwiseConv` for grouped convs with group = C_in > 1). */
export function opToken(node: Node, graph: Graph): OpToken {
  const op = canonicalOp(node, graph);
  if (op === 'Conv') {
    const group = numAttr(node, 'group') ?? 1;
    const first = graph.tensors.get(node.inputs[0] ?? '');
    const cin = channelsOf(first, graph.layout);
    if (node.attrs['depthwise'] === true || (group > 1 && group === cin)) return 'DepthwiseConv';
    return 'Conv';
  }
  return (OP_VOCAB as readonly string[]).includes(op) ? (op as OpToken) : 'other';
}

/**
 * Fused activations (TFLite `fused_activation_function`, TF.js `fused_ops`) that get their own GNN
 * row, with the op the ONNX spelling of the same network uses as a separate node.
 */
const FUSED_ACTIVATION_OPS: Record<string, OpToken> = {
  RELU: 'Relu',
  RELU6: 'Clip',
  RELU_N1_TO_1: 'Clip',
  RELU_0_TO_1: 'Clip',
  TANH: 'Tanh',
  SIGMOID: 'Sigmoid',
  LEAKYRELU: 'LeakyRelu',
  PRELU: 'PRelu',
};

/** Number of elements of a tensor with a fully known shape, else −1. */
function numelOf(t: TensorInfo | undefined): number {
  const d = t?.shape;
  if (!d || d.some((v) => typeof v !== 'number')) return -1;
  return (d as number[]).reduce((a, b) => a * b, 1);
}

/**
 * The data input and channel count of a binary node whose other input is a constant of C
 * elements broadcast along the channel axis of a rank ≥ 3 activation (NCHW [1, C, 1, 1] or
 * [C, 1, 1]; NHWC [C]): a per-channel scale or shift. Null for anything else (a [C] constant on
 * NCHW data broadcasts along W, not C).
 */
function perChannelOperand(node: Node, graph: Graph): { data: string; c: number } | null {
  if (node.inputs.length !== 2) return null;
  const [a, b] = node.inputs.map((t) => graph.tensors.get(t));
  const [dataT, constT] = a?.isConstant ? [b, a] : [a, b];
  const d = dims(dataT?.shape);
  const k = dims(constT?.shape);
  if (!dataT || dataT.isConstant || !constT?.isConstant || !d || !k || d.length < 3 || k.length > d.length) return null;
  const c = channelsOf(dataT, graph.layout);
  const axis = graph.layout === 'NCHW' ? 1 : d.length - 1;
  // Right-align the constant's shape against the data's: only the channel axis may differ from 1.
  const aligned = k.every((v, j) => v === 1 || (j + d.length - k.length === axis && v === c));
  return aligned && numelOf(constT) === c ? { data: dataT.id, c } : null;
}

/**
 * Batch norms lowered to `Mul(x, scale[C]) → Add(·, shift[C])`, as the TFLite converter writes
 * an inference BatchNorm it cannot fold into a preceding conv (TFLite has no batch-norm kernel):
 * a Mul by a constant per-channel vector whose output feeds only an Add of a constant
 * per-channel vector. Returns Mul node index → Add node index.
 */
export function loweredBatchNorms(graph: Graph): Map<number, number> {
  const consumers = new Map<string, number[]>();
  graph.nodes.forEach((node, i) => {
    for (const t of node.inputs) if (t) consumers.set(t, [...(consumers.get(t) ?? []), i]);
  });
  const graphOutputs = new Set(graph.outputs);
  const perChannel = (node: Node): { data: string; c: number } | null => {
    const pc = perChannelOperand(node, graph);
    return pc && pc.c > 1 ? pc : null;
  };
  const out = new Map<number, number>();
  graph.nodes.forEach((node, i) => {
    if (node.op !== 'Mul' || node.fusedActivation && node.fusedActivation !== 'NONE' || !isExecuted(node, graph)) return;
    const y = node.outputs[0] ?? '';
    const users = consumers.get(y) ?? [];
    if (!perChannel(node) || graphOutputs.has(y) || users.length !== 1) return;
    const add = graph.nodes[users[0] as number] as Node;
    const pc = add.op === 'Add' ? perChannel(add) : null;
    if (pc && pc.data === y) out.set(i, users[0] as number);
  });
  return out;
}

/**
 * Nodes read as part of the convolution that produces their input, because the runtimes fold
 * them into it at load time and the predictor's training graphs were written folded:
 * - `BatchNormalization` right after a `Conv` (onnxruntime's `ConvBNFusion` at graph optimisation
 *   level basic and above; the TFLite converter and PyTorch Mobile's `optimize_for_mobile` fold it
 *   the same way; the NB201/FBNet builders write such convs folded, with weight + bias);
 * - `Mul` by a constant per-channel vector right after a `Conv` (onnxruntime's `ConvMulFusion`
 *   scales the weights), so a batch norm the TFLite converter would have folded but a graph
 *   spells as MUL + ADD after the conv folds too, as its ONNX `BatchNormalization` does;
 * - `Add` of a constant per-channel vector (or, for a 1-channel output, a one-element constant)
 *   right after a `Conv` or `ConvTranspose`: the op's own bias input `B` written as a separate
 *   node, as paddle2onnx exports it (onnxruntime's `ConvAddFusion` folds it for `Conv`; for
 *   `ConvTranspose` it runs the Add as its own pass over the output, 0.6 of the 102 ms of
 *   PP-OCRv4 det at 640², which the folded reading leaves out).
 * Only when the conv's output feeds nothing else and is not a graph output. Chains fold too
 * (Conv → BatchNormalization → bias Add, TFLite CONV → MUL → ADD); a fused activation (TFLite)
 * may sit on the last node of a chain only (extractFeatures gives it its row after the conv's); a
 * `BatchNormalization` or `Mul` after a `ConvTranspose` stays (onnxruntime runs it), as in the
 * generated DB-head training graphs. Per-channel: `perChannelOperand`.
 * Returns folded node index → index of the Conv / ConvTranspose it folds into.
 */
export function foldedIntoConv(graph: Graph): Map<number, number> {
  const uses = new Map<string, number>();
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const t of node.inputs) if (t) uses.set(t, (uses.get(t) ?? 0) + 1);
    for (const o of node.outputs) if (o) producer.set(o, i);
  });
  const graphOutputs = new Set(graph.outputs);
  const unfused = (n: Node): boolean => !n.fusedActivation || n.fusedActivation === 'NONE';
  /** The data input of a foldable BatchNormalization / per-channel Mul / bias Add, else undefined. */
  const dataInput = (node: Node): string | undefined => {
    if (node.op === 'BatchNormalization') return node.outputs.filter((o) => o !== '').length === 1 ? node.inputs[0] : undefined;
    return node.op === 'Add' || node.op === 'Mul' ? perChannelOperand(node, graph)?.data : undefined;
  };
  const out = new Map<number, number>();
  graph.nodes.forEach((node, i) => {
    if (!isExecuted(node, graph)) return;
    const t = dataInput(node);
    const p = t === undefined ? undefined : producer.get(t);
    if (t === undefined || p === undefined || uses.get(t) !== 1 || graphOutputs.has(t) || !unfused(graph.nodes[p] as Node)) return;
    const root = out.get(p) ?? p;
    const conv = graph.nodes[root] as Node;
    if (!unfused(conv) || !(conv.op === 'Conv' || (conv.op === 'ConvTranspose' && node.op === 'Add'))) return;
    out.set(i, root);
  });
  return out;
}

/**
 * Extracts GNN features from an analysis: one row per executed node of `analysis.graph`, in
 * graph order, and the data edges between executed nodes (an edge per distinct producer →
 * consumer pair through a non-constant tensor).
 *
 * A BatchNormalization, per-channel Mul or bias Add that the runtimes fold into the conv before
 * it (`foldedIntoConv`) gets no row of its own: its consumers read from the conv's row (or from
 * the row of its fused activation), so its cost is the conv's.
 *
 * Two spellings of the same computation are read as the ONNX graphs the predictor was trained on:
 * - A node with a fused activation listed in `FUSED_ACTIVATION_OPS` gets a second row right after
 *   its own (its `nodeIndex`, so its contribution adds to the node's), shaped as the separate
 *   activation node of the unfused graph: the measured TFLite runtime fused it, but the ONNX
 *   graphs have it as its own node. The node's own row then has `fused_activation` 0, and its
 *   consumers read from the activation row.
 * - A lowered batch norm (`loweredBatchNorms`: TFLite MUL + ADD by per-channel constants) is one
 *   `BatchNormalization` row shaped as the ONNX node (MACs 0, the Mul's input bytes, the Add's
 *   output bytes, 4 per-channel vectors of weights: γ, β, μ, σ² as ONNX stores them, where TFLite
 *   stores scale and shift). Its `nodeIndex` is the Mul's; the Add's fused activation, if any,
 *   follows as an activation row with the Add's index.
 */
export function extractFeatures(analysis: ModelAnalysis): GraphFeatures {
  const graph = analysis.graph;
  const folded = foldedIntoConv(graph);
  // A lowered batch norm right after a conv folds into it instead of becoming a BN row.
  const bnOf = new Map([...loweredBatchNorms(graph)].filter(([mul]) => !folded.has(mul)));
  /** Nodes without a row of their own → the node whose row they join (folded conv or lowered BN's Mul). */
  const mergedInto = new Map<number, number>([...folded, ...[...bnOf].map(([mul, add]): [number, number] => [add, mul])]);
  /** Outputs of the nodes merged into a node (by its index): their consumers read from its row. */
  const mergedOutputs = new Map<number, string[]>();
  for (const [m, owner] of mergedInto) mergedOutputs.set(owner, [...(mergedOutputs.get(owner) ?? []), ...(graph.nodes[m] as Node).outputs]);
  const gainsBias = new Set([...folded].filter(([f]) => (graph.nodes[f] as Node).op !== 'Mul').map(([, root]) => root));
  /** Conv index → the folded node whose fused activation (TFLite) follows the conv's row. */
  const actOwner = new Map([...folded].filter(([f]) => (graph.nodes[f] as Node).fusedActivation && (graph.nodes[f] as Node).fusedActivation !== 'NONE').map(([f, root]) => [root, f]));
  const outputsOf = (gi: number): string[] => [...(graph.nodes[gi] as Node).outputs, ...(mergedOutputs.get(gi) ?? [])];
  const nodeIndex: number[] = [];
  /** Activation token of each row that is an expanded fused activation. */
  const actOf: Array<OpToken | null> = [];
  const pushAct = (owner: Node, gi: number): void => {
    const act = owner.fusedActivation ? FUSED_ACTIVATION_OPS[owner.fusedActivation] : undefined;
    if (act) {
      nodeIndex.push(gi);
      actOf.push(act);
    }
  };
  graph.nodes.forEach((node, i) => {
    if (!isExecuted(node, graph) || mergedInto.has(i)) return;
    nodeIndex.push(i);
    actOf.push(null);
    const owner = bnOf.get(i) ?? actOwner.get(i) ?? i;
    pushAct(graph.nodes[owner] as Node, owner);
  });
  const n = nodeIndex.length;
  const F = NUM_FEATURES;
  const x = new Float32Array(n * F);
  const ops: OpToken[] = [];
  const rawOps: string[] = [];
  // The last row of a node (its activation row when expanded) produces its outputs.
  const producer = new Map<string, number>();
  nodeIndex.forEach((gi, li) => {
    for (const o of outputsOf(gi)) if (o) producer.set(o, li);
  });
  const graphInputs = new Set(graph.inputs);
  const graphOutputs = new Set(graph.outputs);
  const src: number[] = [];
  const dst: number[] = [];
  const nOps = OP_VOCAB.length;
  const put = (li: number, tok: OpToken, vals: number[]): void => {
    const row = li * F;
    x[row + OP_VOCAB.indexOf(tok)] = 1;
    vals.forEach((v, k) => {
      x[row + nOps + k] = Number.isFinite(v) ? v : 0;
    });
  };
  nodeIndex.forEach((gi, li) => {
    const node = graph.nodes[gi] as Node;
    const cost = analysis.costs[gi];
    const outT = graph.tensors.get(node.outputs.find((o) => o !== '') ?? '');
    const act = actOf[li];
    const bnAdd = bnOf.get(gi);
    const expanded = actOf[li + 1] !== undefined && actOf[li + 1] !== null && (nodeIndex[li + 1] === gi || nodeIndex[li + 1] === bnAdd || nodeIndex[li + 1] === actOwner.get(gi));
    if (act) {
      // The separate activation node: reads and writes the node's output, no weights.
      ops.push(act);
      rawOps.push(act);
      const bytes = cost?.outputBytes ?? 0;
      const ch = channelsOf(outT, graph.layout);
      const hw = spatialOf(outT, graph.layout);
      put(li, act, [
        0,
        Math.log1p(bytes),
        Math.log1p(bytes),
        0,
        0,
        0,
        Math.log1p(1),
        0,
        Math.log1p(ch),
        Math.log1p(ch),
        Math.log1p(hw),
        Math.log1p(hw),
        dtypeBytes(outT?.dtype ?? 'unknown'),
        0,
        1,
        0,
        node.outputs.some((t) => graphOutputs.has(t)) ? 1 : 0,
        ...channelAlignment(ch, ch),
        Math.log1p(widthOf(outT, graph.layout)),
        Math.log1p(widthOf(outT, graph.layout)),
      ]);
      src.push(li - 1);
      dst.push(li);
      return;
    }
    if (bnAdd !== undefined) {
      const addNode = graph.nodes[bnAdd] as Node;
      const addCost = analysis.costs[bnAdd];
      const inT = graph.tensors.get(node.inputs.find((t) => t !== '' && graph.tensors.get(t)?.isConstant !== true) ?? '');
      const yT = graph.tensors.get(addNode.outputs[0] ?? '');
      const c = channelsOf(inT, graph.layout);
      ops.push('BatchNormalization');
      rawOps.push('BatchNormalization');
      put(li, 'BatchNormalization', [
        0,
        Math.log1p(cost?.inputBytes ?? 0),
        Math.log1p(addCost?.outputBytes ?? 0),
        Math.log1p(4 * c * dtypeBytes(yT?.dtype ?? 'unknown')),
        0,
        0,
        Math.log1p(1),
        0,
        Math.log1p(c),
        Math.log1p(channelsOf(yT, graph.layout)),
        Math.log1p(spatialOf(inT, graph.layout)),
        Math.log1p(spatialOf(yT, graph.layout)),
        dtypeBytes(yT?.dtype ?? 'unknown'),
        0,
        1,
        inT && graphInputs.has(inT.id) ? 1 : 0,
        !expanded && addNode.outputs.some((t) => graphOutputs.has(t)) ? 1 : 0,
        ...channelAlignment(c, channelsOf(yT, graph.layout)),
        Math.log1p(widthOf(inT, graph.layout)),
        Math.log1p(widthOf(yT, graph.layout)),
      ]);
      const p = inT ? producer.get(inT.id) : undefined;
      if (p !== undefined && p !== li) {
        src.push(p);
        dst.push(li);
      }
      return;
    }
    const tok = opToken(node, graph);
    ops.push(tok);
    rawOps.push(canonicalOp(node, graph));
    const dataInputs = node.inputs.filter((t) => t !== '' && graph.tensors.get(t)?.isConstant !== true);
    const inT = graph.tensors.get(dataInputs[0] ?? '');
    const group = numAttr(node, 'group') ?? 1;
    let kernel = maxIntsAttr(node, 'kernel_shape');
    if (kernel === 0 && node.op === 'Conv') {
      const wt = dims(graph.tensors.get(node.inputs[1] ?? '')?.shape);
      if (wt && wt.length >= 3) kernel = Math.max(...wt.slice(graph.layout === 'NCHW' ? 2 : 1, graph.layout === 'NCHW' ? undefined : -1));
    }
    // A conv written without bias gains one when a batch norm or bias Add folds into it (a Mul
    // only scales its weights).
    const foldedBias = gainsBias.has(gi) && !(node.inputs[2] ?? '') ? channelsOf(outT, graph.layout) * dtypeBytes(outT?.dtype ?? 'unknown') : 0;
    put(li, tok, [
      Math.log1p(cost?.macs ?? 0),
      Math.log1p(cost?.inputBytes ?? 0),
      Math.log1p(cost?.outputBytes ?? 0),
      Math.log1p((cost?.weightBytes ?? 0) + foldedBias),
      kernel,
      maxIntsAttr(node, 'strides'),
      Math.log1p(group),
      tok === 'DepthwiseConv' ? 1 : 0,
      Math.log1p(channelsOf(inT, graph.layout)),
      Math.log1p(channelsOf(outT, graph.layout)),
      Math.log1p(spatialOf(inT, graph.layout)),
      Math.log1p(spatialOf(outT, graph.layout)),
      dtypeBytes(outT?.dtype ?? 'unknown'),
      !expanded && node.fusedActivation && node.fusedActivation !== 'NONE' ? 1 : 0,
      dataInputs.length,
      dataInputs.some((t) => graphInputs.has(t)) ? 1 : 0,
      !expanded && outputsOf(gi).some((t) => graphOutputs.has(t)) ? 1 : 0,
      ...channelAlignment(channelsOf(inT, graph.layout), channelsOf(outT, graph.layout)),
      Math.log1p(widthOf(inT, graph.layout)),
      Math.log1p(widthOf(outT, graph.layout)),
    ]);
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
