/** Tiny hand-built model results for the pure report tests. */
import type { ModelResult, Prediction, TargetInfo } from '../../src/core/types.ts';
import type { Graph, Node } from '../../src/graph/ir.ts';

/** Layers as [name, op, contribution per target in ms]. */
export type LayerSpec = [string, string, Record<string, number>];

/**
 * A successful result whose latency per target is the sum of its layers' contributions plus
 * `overhead` ms.
 */
export function okResult(
  file: string,
  layers: LayerSpec[],
  opts: { overhead?: number; macs?: number; params?: number; weights?: number; peak?: number; targets?: string[] } = {},
): ModelResult {
  const targets = opts.targets ?? Object.keys(layers[0]?.[2] ?? { 'pixel-3': 0 });
  const nodes: Node[] = layers.map(([name, op]) => ({ name, op, domain: '', inputs: [], outputs: [], attrs: {} }));
  const graph: Graph = { name: 'g', format: 'onnx', layout: 'NCHW', opset: 13, nodes, tensors: new Map(), inputs: [], outputs: [], warnings: [] };
  const overhead = opts.overhead ?? 0;
  const predictions: Prediction[] = targets.map((t) => {
    const contributions = layers.map(([, , c]) => c[t] ?? 0);
    const value = contributions.reduce((a, b) => a + b, overhead);
    return { target: t, metric: 'latency', unit: 'ms', value, interval: [value * 0.9, value * 1.1], ood: false, contributions, overhead };
  });
  return {
    ok: true,
    predictions,
    analysis: {
      file,
      format: 'onnx',
      graph,
      costs: [],
      nodes: nodes.length,
      macs: opts.macs ?? 1e6,
      params: opts.params ?? 1e4,
      memory: { weightsBytes: opts.weights ?? 4e4, peakActivationBytes: opts.peak ?? 1e5 },
      unsupportedOps: [],
      warnings: [],
    },
  };
}

/** A one-layer result with the given latency (ms) per target. */
export function simple(file: string, latency: Record<string, number>, more: Parameters<typeof okResult>[2] = {}): ModelResult {
  return okResult(file, [['conv1', 'Conv', latency]], more);
}

/** A failed result. */
export function failed(file: string, error = `${file}: not an ONNX model (bad protobuf)`): ModelResult {
  return { ok: false, file, error };
}

/** A result for a model compiled for an accelerator, as `evaluateModel` returns it. */
export function compiled(file: string, delegate = 'ethos-u'): ModelResult {
  return {
    ok: false,
    kind: 'compiled',
    compiledFor: delegate,
    file,
    error: `${file}: compiled for ${delegate}: cost not predictable from the graph (analyse the model before compilation instead)`,
  };
}

/** Target descriptions as the registry would give them. */
export const TARGETS: TargetInfo[] = [
  {
    id: 'raspberry-pi-4',
    device: 'Raspberry Pi 4 (Cortex-A72)',
    runtime: 'TFLite',
    metrics: ['latency'],
    accuracy: { latency: { n: 120, mape: 8.2, within10: 0.71, kendallTau: 0.88 } },
  },
  {
    id: 'pixel-3',
    device: 'Pixel 3 (Snapdragon 845)',
    runtime: 'TFLite',
    metrics: ['latency'],
    accuracy: { latency: { n: 120, mape: 6.4, within10: 0.8, kendallTau: 0.9 } },
  },
];
