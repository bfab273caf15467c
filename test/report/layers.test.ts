import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import type { ModelAnalysis, Prediction } from '../../src/core/types.ts';
import { loadPredictor } from '../../src/predict/predictor.ts';
import { breakdown, layerContributions } from '../../src/report/layers.ts';
import { okResult } from './helpers.ts';

const ok = (r: ReturnType<typeof okResult>) => {
  if (!r.ok) throw new Error('expected an ok result');
  return r;
};

describe('breakdown (hand-built result)', () => {
  const r = ok(
    okResult(
      'm.onnx',
      [
        ['stem', 'Conv', { 'pixel-3': 2 }],
        ['Relu_3', 'Relu', { 'pixel-3': 0.5 }],
        ['head', 'Gemm', { 'pixel-3': 4 }],
        ['body', 'Conv', { 'pixel-3': 3 }],
      ],
      { overhead: 0.5 },
    ),
  );
  const p = r.predictions[0]!;

  it('ranks layers by contribution with shares of the value; top + rest + overhead = value', () => {
    const b = breakdown(r.analysis, p, 2)!;
    expect(p.value).toBe(10);
    expect(b.layers.map((l) => [l.name, l.op, l.value, l.share])).toEqual([
      ['head', 'Gemm', 4, 0.4],
      ['body', 'Conv', 3, 0.3],
    ]);
    expect(b.overhead).toEqual({ value: 0.5, share: 0.05 });
    expect(b.rest).toEqual({ layers: 2, value: 2.5, share: 0.25 });
    expect(b.layers.reduce((s, l) => s + l.value, 0) + b.rest.value + b.overhead.value).toBe(b.value);
  });

  it('names layers as the diff does (generic node names fall back to <op>#k)', () => {
    expect([...layerContributions(r.analysis, p).keys()]).toEqual(['stem', 'Relu#1', 'head', 'body']);
    expect(breakdown(r.analysis, p, 10)!.rest).toEqual({ layers: 0, value: 0, share: 0 });
  });

  it('is null for a prediction without per-node contributions', () => {
    const { contributions: _c, ...bare } = p;
    expect(breakdown(r.analysis, bare as Prediction)).toBeNull();
  });
});

describe('breakdown (bundled predictor, BVLC AlexNet)', () => {
  let analysis: ModelAnalysis;
  let predictions: Prediction[];
  beforeAll(async () => {
    const file = resolve(import.meta.dirname, '../fixtures/onnx/light_bvlc_alexnet.onnx');
    analysis = analyzeModel(readFileSync(file), 'light_bvlc_alexnet.onnx');
    const predictor = await loadPredictor();
    predictions = await predictor.predict(analysis, predictor.targets().map((t) => t.id));
  });

  it('contributions plus overhead equal the value within 1e-6 relative, for every target', () => {
    expect(predictions.length).toBeGreaterThanOrEqual(9);
    for (const p of predictions) {
      const b = breakdown(analysis, p, 5)!;
      const sum = p.contributions!.reduce((s, c) => s + c, 0) + p.overhead!;
      expect(Math.abs(sum - p.value) / p.value).toBeLessThan(1e-6);
      const parts = b.layers.reduce((s, l) => s + l.value, 0) + b.rest.value + b.overhead.value;
      expect(Math.abs(parts - p.value) / p.value).toBeLessThan(1e-6);
      expect(b.layers.length + b.rest.layers).toBe(analysis.graph.nodes.length);
    }
  });

  it('the top 3 layers on raspberry-pi-4 and pixel-3 are AlexNet convs / FCs / LRNs with their real MACs, in decreasing share', () => {
    // BVLC AlexNet (grouped conv2/4/5): the convs and FCs hold all its MACs and weights; which of
    // them ranks first is the model's call (fc6 moves 151 MB of weights for 38 M MACs). An LRN
    // (0 MACs, but a normalisation over 5 channels at 55×55×96: 37% of AlexNet on onnxruntime,
    // train/README.md) may rank among them since the encoder learnt LRN from the random families.
    const convMacs: Record<string, number> = {
      conv1: 101_616_768,
      conv2: 207_667_200,
      conv3: 127_401_984,
      conv4: 95_551_488,
      conv5: 63_700_992,
      fc6: 37_748_736,
      fc7: 16_777_216,
      fc8: 4_096_000,
    };
    for (const id of ['raspberry-pi-4', 'pixel-3']) {
      const p = predictions.find((x) => x.target === id && x.metric === 'latency')!;
      const top = breakdown(analysis, p, 3)!.layers;
      for (const l of top) {
        if (l.op === 'LRN') {
          expect(l.macs, l.name).toBe(0);
          continue;
        }
        expect(l.op).toBe(l.name.startsWith('fc') ? 'Gemm' : 'Conv');
        expect(l.macs, l.name).toBe(convMacs[l.name]);
      }
      expect(top.filter((l) => l.op !== 'LRN').length, id).toBeGreaterThanOrEqual(2);
      expect(top[0]!.share).toBeGreaterThanOrEqual(top[1]!.share);
      expect(top[1]!.share).toBeGreaterThanOrEqual(top[2]!.share);
      expect(top.reduce((s, l) => s + l.share, 0)).toBeGreaterThan(0.4);
    }
  });
});
