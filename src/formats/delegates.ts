/**
 * Compiled delegate graphs: a TFLite model whose work was compiled for an accelerator runs as one
 * opaque CUSTOM op (the Edge TPU compiler's `edgetpu-custom-op`, Arm Vela's `ethos-u`, ...), so
 * its cost cannot be read from the graph (tflite-format.md §8: the payload is in
 * `custom_options` or in input tensors). Such models are recognised and reported, never
 * predicted as the near-zero cost of the few CPU ops around the compiled op.
 */
import type { Graph } from '../graph/ir.ts';

/** Custom op names of known accelerator compilers → the delegate named in reports. */
const DELEGATE_OPS: ReadonlyArray<[RegExp, string]> = [
  [/^edgetpu-custom-op$/i, 'edgetpu'],
  [/^ethos-?u$/i, 'ethos-u'],
  [/^ethos-?n$/i, 'ethos-n'],
  [/^(vx-delegate|vsi-npu)$/i, 'vsi-npu'],
  [/^(qnn|hexagon)/i, 'hexagon'],
];

/**
 * The delegate a graph was compiled for, or undefined: the first executed CUSTOM op
 * (domain 'tflite.custom') whose name is a known compiler's, or a builtin DELEGATE op.
 */
export function compiledDelegate(graph: Graph): string | undefined {
  for (const n of graph.nodes) {
    if (n.domain === 'tflite' && n.op === 'DELEGATE') return 'a delegate (DELEGATE op)';
    if (n.domain !== 'tflite.custom') continue;
    for (const [re, name] of DELEGATE_OPS) if (re.test(n.op)) return name;
  }
  return undefined;
}

/** The user-facing message for a compiled model (also the error of its prediction result). */
export function compiledMessage(file: string, delegate: string): string {
  return `${file}: compiled for ${delegate}: cost not predictable from the graph (analyse the model before compilation instead)`;
}
