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
 */
import type { Node, Shape } from '../ir.ts';
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

/** Every recurrent op spec. */
export const RNN_OPS: OpSpec[] = [rnnSpec('LSTM', 4, 2), rnnSpec('GRU', 3, 1), rnnSpec('RNN', 1, 1)];
