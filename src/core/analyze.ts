/**
 * The analysis pipeline: bytes → format detection → reader → shape pass (inline subgraphs,
 * infer shapes, fold constants, propagate zeros, DCE) → per-node costs → memory.
 * Pure functions of bytes and options; no I/O.
 */
import { EdgePerfError, ModelFormatError, ShapeError } from './errors.ts';
import type { LoadOptions, ModelAnalysis } from './types.ts';
import type { Graph } from '../graph/ir.ts';
import { sniffFormat } from '../formats/detect.ts';
import { readOnnx } from '../formats/onnx.ts';
import { readTflite } from '../formats/tflite.ts';
import { readTfjs } from '../formats/tfjs.ts';
import { compiledDelegate, compiledMessage } from '../formats/delegates.ts';
import { inferGraph } from '../graph/shapes.ts';
import { costTotals, nodeCosts } from '../cost/costs.ts';
import { estimateMemory } from '../cost/memory.ts';

/**
 * Analyses one model file.
 * @param bytes file content
 * @param file path as the user names it (repo-relative in the action); used in messages
 * @param opts `inputShapes` for dynamic input dims (else 1, with a warning)
 * @throws ModelFormatError naming `file` for unreadable/unsupported files (Git LFS pointers,
 *   truncated bytes, training graphs, TF.js layers models) and for shape rules that fail
 *   (message names the node and the rule)
 */
export function analyzeModel(bytes: Uint8Array, file: string, opts: LoadOptions = {}): ModelAnalysis {
  const format = sniffFormat(bytes, file);
  const read = format === 'tflite' ? readTflite : format === 'tfjs' ? readTfjs : readOnnx;
  const graph = read(bytes, file, opts);
  try {
    return analyzeGraph(graph, file);
  } catch (first) {
    // Dynamic dims defaulted to 1 can be too small for the graph (a 3x3 pool on a 1x1 image):
    // retry with larger defaults, and say which value was used.
    if (!(first instanceof ModelFormatError) || opts.defaultDim !== undefined || !hasDefaultedDims(graph)) throw first;
    for (const defaultDim of FALLBACK_DIMS) {
      try {
        const a = analyzeGraph(read(bytes, file, { ...opts, defaultDim }), file);
        a.warnings.unshift(
          `dynamic input dims: 1 does not fit this graph (${first.problem.replace(/ \(dynamic input dims were defaulted.*$/s, '')}); analysed with ${defaultDim} instead. Set input-shapes for exact figures.`,
        );
        return a;
      } catch {
        // try the next size
      }
    }
    throw first;
  }
}

/**
 * Non-batch sizes tried, in order, for dynamic input dims when 1 does not fit the graph: a common
 * image side (224, ImageNet) and a common audio frame (512 samples at 16 kHz, Silero VAD).
 */
export const FALLBACK_DIMS = [224, 512] as const;

/** A warning of `resolveInputShapes` about a defaulted dim: input name, dim index. */
const DEFAULTED = /^input '([^']+)': dim (\d+) .*is dynamic; assumed \d+/;

function hasDefaultedDims(graph: Graph): boolean {
  return graph.warnings.some((w) => DEFAULTED.test(w));
}

/**
 * The part of a shape error that says what to do when input dims were defaulted: the inputs
 * concerned, the shapes assumed, and the `input-shapes` syntax with `?` at each defaulted dim.
 */
function defaultedInputsHint(graph: Graph): string {
  const dims = new Map<string, Set<number>>();
  for (const w of graph.warnings) {
    const m = DEFAULTED.exec(w);
    if (m) dims.set(m[1]!, (dims.get(m[1]!) ?? new Set<number>()).add(Number(m[2])));
  }
  const first = [...dims][0];
  if (!first) return '';
  const [name, open] = first;
  const shapeOf = (id: string) => graph.tensors.get(id)?.shape ?? [];
  const assumed = [...dims.keys()].map((n) => `'${n}' as ${shapeOf(n).join('x')}`).join(', ');
  const pattern = shapeOf(name).map((d, i) => (i > 0 && open.has(i) ? '?' : String(d))).join('x');
  return ` (dynamic input dims were defaulted: ${assumed}; set input-shapes with the real sizes, e.g. --input-shapes "${name}=${pattern}" with each ? replaced)`;
}

/**
 * Analyses a graph built in memory (or read by a format reader): shape pass, costs, memory.
 * @throws ModelFormatError naming `file`, the node and the rule when a shape rule fails
 */
export function analyzeGraph(graph: Graph, file: string): ModelAnalysis {
  let g: Graph;
  try {
    g = inferGraph(graph);
  } catch (e) {
    if (e instanceof ShapeError) {
      const hint = defaultedInputsHint(graph);
      throw new ModelFormatError(file, e.message + hint);
    }
    if (e instanceof EdgePerfError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new ModelFormatError(file, `internal error while analysing the graph (please report): ${why}`);
  }
  const costs = nodeCosts(g);
  const totals = costTotals(g, costs);
  const unsupported = new Set<string>();
  for (const c of costs) if (!c.known) unsupported.add(c.op);
  const compiledFor = compiledDelegate(g);
  const warnings = compiledFor ? [compiledMessage(file, compiledFor).slice(file.length + 2), ...g.warnings] : g.warnings;
  return {
    file,
    format: g.format,
    graph: g,
    costs,
    nodes: g.nodes.length,
    macs: totals.macs,
    params: totals.params,
    memory: estimateMemory(g, totals.weightBytes),
    unsupportedOps: [...unsupported].sort(),
    warnings,
    ...(compiledFor ? { compiledFor } : {}),
  };
}
