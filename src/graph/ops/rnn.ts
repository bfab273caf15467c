/**
 * Recurrent layers: LSTM, GRU, RNN.
 *
 * Source: ONNX Operators.md, LSTM/GRU/RNN. X is [seq, batch, input] (layout 0, default) or
 * [batch, seq, input] (layout 1, opset 14+); W is [dirs, gates·hidden, input].
 * Outputs (layout 0): Y [seq, dirs, batch, hidden], Y_h / Y_c [dirs, batch, hidden];
 * (layout 1): Y [batch, seq, dirs, hidden], Y_h / Y_c [batch, dirs, hidden].
 * MACs = seq · batch · dirs · gates · hidden · (input + hidden): the input and recurrent
 * matrix-vector products of every gate at every step (gates: LSTM 4, GRU 3, RNN 1); gate
 * nonlinearities and the cell update go to elementwise ops (≈ 3·gates per hidden unit per step).
 * TFLite's LSTM, UNIDIRECTIONAL_SEQUENCE_LSTM and SVDF (separate weight tensors per gate) are
 * registered in domain 'tflite' below.
 */
import type { Node, Shape } from '../ir.ts';
import { numel } from '../tensor.ts';
import type { Inputs, OpSpec } from './types.ts';
import { attrInt, attrStr, fail, shapeOf } from './types.ts';

interface RnnDims {
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  dirs: number;
  layout: number;
}

function rnnDims(node: Node, inputs: Inputs, gates: number): RnnDims {
  const x = shapeOf(node, inputs, 0);
  const w = shapeOf(node, inputs, 1);
  if (x.length !== 3 || w.length !== 3) fail(node, `expected 3-D X and W, got [${x.join(',')}] and [${w.join(',')}]`);
  const layout = attrInt(node, 'layout', 0);
  const dirs = attrStr(node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  const hidden = attrInt(node, 'hidden_size', Math.floor((w[1] as number) / gates));
  const [seq, batch] = layout === 0 ? [x[0] as number, x[1] as number] : [x[1] as number, x[0] as number];
  return { seq, batch, input: x[2] as number, hidden, dirs, layout };
}

function rnnSpec(op: string, gates: number, states: number): OpSpec {
  return {
    op,
    inferShapes: (node, inputs) => {
      const d = rnnDims(node, inputs, gates);
      const y: Shape = d.layout === 0 ? [d.seq, d.dirs, d.batch, d.hidden] : [d.batch, d.seq, d.dirs, d.hidden];
      const h: Shape = d.layout === 0 ? [d.dirs, d.batch, d.hidden] : [d.batch, d.dirs, d.hidden];
      return node.outputs.slice(0, 1 + states).map((_o, i) => (i === 0 ? y : [...h]));
    },
    macs: (node, inputs) => {
      if (!inputs[0]?.shape || !inputs[1]?.shape) return 0;
      const d = rnnDims(node, inputs, gates);
      return d.seq * d.batch * d.dirs * gates * d.hidden * (d.input + d.hidden);
    },
    elementwiseOps: (node, inputs) => {
      if (!inputs[0]?.shape || !inputs[1]?.shape) return 0;
      const d = rnnDims(node, inputs, gates);
      return d.seq * d.batch * d.dirs * d.hidden * 3 * gates;
    },
  };
}

/** Elements of input `i` when present with a known shape, else 0. */
function elems(inputs: Inputs, i: number): number {
  const s = inputs[i]?.shape;
  return s ? numel(s) : 0;
}

/**
 * TFLite LSTM (one step per batch row) and UNIDIRECTIONAL_SEQUENCE_LSTM (domain 'tflite').
 * Inputs (tflite-format.md §7, UnidirectionalSequenceLSTMOptions): [0] X [B,T,I] ([T,B,I] when
 * time_major), [1..4] input→gate weights [U,I], [5..8] recurrent weights [U,R], [9..11]
 * peepholes, [12..15] gate biases, [16] projection weights [R,U], [17] projection bias, [18,19]
 * states; omitted inputs are ''. Output: X's leading dims plus R (R = U without projection).
 * MACs per step = Σ present gate weights (4·U·(I+R), 3· for CIFG) + projection (R·U); steps =
 * elements of X / I. Elementwise: ≈ 15 per cell unit per step (gates, cell update, peepholes).
 */
function tfliteLstm(op: string): OpSpec {
  const steps = (inputs: Inputs): number => {
    const x = inputs[0]?.shape as number[] | undefined;
    return x && x.length > 0 ? numel(x) / Math.max(1, x[x.length - 1] as number) : 0;
  };
  return {
    op,
    domain: 'tflite',
    inferShapes: (node, inputs) => {
      const x = shapeOf(node, inputs, 0);
      const r = shapeOf(node, inputs, 8);
      if (x.length < 2 || r.length !== 2) fail(node, `expected X of rank ≥ 2 and recurrent weights [U,R], got [${x.join(',')}] and [${r.join(',')}]`);
      return [[...x.slice(0, -1), r[1] as number]];
    },
    macs: (_node, inputs) => {
      let perStep = elems(inputs, 16);
      for (let i = 1; i <= 8; i++) perStep += elems(inputs, i);
      return steps(inputs) * perStep;
    },
    elementwiseOps: (_node, inputs) => {
      const u = (inputs[8]?.shape?.[0] as number | undefined) ?? 0;
      return steps(inputs) * u * 15;
    },
  };
}

/**
 * TFLite SVDF (domain 'tflite', tflite-format.md §7 SVDFOptions): [0] X [B,I], [1] feature
 * weights [F,I], [2] time weights [F,M], [3] bias [U], [4] state [B, M·F]; rank r gives
 * U = F / r units. Output [B, U]. MACs = B·F·(I + M) (feature projection, then the time filter
 * over the memory of M steps). Elementwise: B·F·M (state shift) + B·U (rank sum, bias).
 */
const svdf: OpSpec = {
  op: 'SVDF',
  domain: 'tflite',
  inferShapes: (node, inputs) => {
    const x = shapeOf(node, inputs, 0);
    const wf = shapeOf(node, inputs, 1);
    const rank = attrInt(node, 'rank', 1);
    const f = wf[0] as number;
    if (x.length !== 2 || wf.length !== 2 || rank <= 0 || f % rank !== 0) {
      fail(node, `expected X [B,I], feature weights [F,I] and F divisible by rank ${rank}, got [${x.join(',')}] and [${wf.join(',')}]`);
    }
    return [[x[0] as number, f / rank]];
  },
  macs: (_node, inputs) => {
    const x = inputs[0]?.shape as number[] | undefined;
    if (!x) return 0;
    return (x[0] as number) * (elems(inputs, 1) + elems(inputs, 2));
  },
  elementwiseOps: (_node, inputs, outputs) => {
    const x = inputs[0]?.shape as number[] | undefined;
    return (x ? (x[0] as number) * elems(inputs, 2) : 0) + (outputs[0]?.shape ? numel(outputs[0].shape) : 0);
  },
};

/** Every recurrent op spec. */
export const RNN_OPS: OpSpec[] = [
  rnnSpec('LSTM', 4, 2),
  rnnSpec('GRU', 3, 1),
  rnnSpec('RNN', 1, 1),
  tfliteLstm('UnidirectionalSequenceLSTM'),
  tfliteLstm('LSTM'),
  svdf,
];
