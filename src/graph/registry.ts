/**
 * The op registry: one `OpSpec` per canonical op (ONNX spelling), looked up by domain and name.
 * Adding an op = adding an entry to one family file in ./ops/ (shape rule, MACs, folding).
 * Ops not found here are kept with the shapes the file declares, count 0 MACs and are reported
 * as unsupported (see ModelAnalysis.unsupportedOps).
 */
import { CONV_OPS } from './ops/conv.ts';
import { ELEMENTWISE_OPS } from './ops/elementwise.ts';
import { MATMUL_OPS } from './ops/matmul.ts';
import { NORM_OPS } from './ops/norm.ts';
import { POOL_OPS } from './ops/pool.ts';
import { QUANT_OPS } from './ops/quant.ts';
import { REDUCE_OPS } from './ops/reduce.ts';
import { RESIZE_OPS } from './ops/resize.ts';
import { RNN_OPS } from './ops/rnn.ts';
import { SCAN_STACK, SHAPE_OPS } from './ops/shape-ops.ts';
import type { OpSpec } from './ops/types.ts';

export type { Inputs, OpContext, OpSpec } from './ops/types.ts';

const REGISTRY = new Map<string, OpSpec>();
for (const spec of [
  ...ELEMENTWISE_OPS,
  ...SHAPE_OPS,
  ...CONV_OPS,
  ...POOL_OPS,
  ...MATMUL_OPS,
  ...REDUCE_OPS,
  ...NORM_OPS,
  ...RNN_OPS,
  ...RESIZE_OPS,
  ...QUANT_OPS,
  SCAN_STACK,
]) {
  REGISTRY.set(key(spec.domain ?? '', spec.op), spec);
}

function key(domain: string, op: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${op}`;
}

/**
 * The spec of an op, or undefined when the registry does not know it.
 * @param op canonical op name (`Conv`)
 * @param domain '' / 'ai.onnx' for the default domain; other domains are looked up exactly, and
 *   ops of the 'com.microsoft' domain fall back to the default-domain op of the same name.
 */
export function getOpSpec(op: string, domain = ''): OpSpec | undefined {
  const exact = REGISTRY.get(key(domain, op));
  if (exact) return exact;
  if (domain === 'com.microsoft') return REGISTRY.get(key('', op));
  return undefined;
}

/** Names of every registered op (default domain first), for docs and `edgeperf inspect`. */
export function registeredOps(): string[] {
  return [...REGISTRY.values()].map((s) => (s.domain ? `${s.domain}.${s.op}` : s.op)).sort();
}
