import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { UnknownTargetError } from '../../src/core/errors.ts';
import { initBackend } from '../../src/predict/backend.ts';
import { makeBatch, type GnnGraph } from '../../src/predict/batch.ts';
import { baseHeadWeights, encoderFingerprint, gnnGraphOf, servingHeadWeights, withOwnHead } from '../../src/predict/custom-target.ts';
import type { PerfSageModel } from '../../src/predict/perfsage.ts';
import { loadBundledModel } from '../../src/predict/predictor.ts';
import { decodeModel, encodeModel } from '../../src/predict/weights-io.ts';
import { buildRandomOnnx } from '../../src/synth/random/index.ts';

// A head of its own (PerfSageConfig.ownHeads): give head B the weights of head A and B must
// predict exactly what A predicts, while every other head is untouched.
let model: PerfSageModel;
let A: string;
let B: string;
const graphs = [
  gnnGraphOf(analyzeModel(buildRandomOnnx('mobilenet', 3, 'external'), 'mobilenet:3')),
  gnnGraphOf(analyzeModel(buildRandomOnnx('transformer', 5, 'external'), 'transformer:5')),
];

function totals(m: PerfSageModel, gs = graphs): number[][] {
  const T = m.config.heads.length;
  const flat = tf.tidy(() => Array.from(m.forward(makeBatch(gs, m.config.featMean, m.config.featStd)).total.dataSync()));
  return gs.map((_, i) => flat.slice(i * T, (i + 1) * T));
}

beforeAll(async () => {
  await initBackend();
  model = loadBundledModel();
  const shared = model.config.heads.filter((h) => !(model.config.ownHeads ?? []).includes(h));
  A = shared[0] as string;
  B = shared[1] as string;
});

describe('own heads', () => {
  it('serves one head with its own network and leaves the others as they were', () => {
    const m2 = withOwnHead(model, B, baseHeadWeights(model, A));
    const [before, after] = [totals(model), totals(m2)];
    const a = model.config.heads.indexOf(A);
    const b = model.config.heads.indexOf(B);
    for (let g = 0; g < graphs.length; g++) {
      const [x, y] = [before[g] as number[], after[g] as number[]];
      expect(x[a]).not.toBeCloseTo(x[b] as number, 3);
      expect(y[b]).toBeCloseTo(x[a] as number, 4);
      y.forEach((v, t) => {
        if (t !== b) expect(v).toBe(x[t]);
      });
    }
  });

  it('keeps the encoder fingerprint, serves the own head, and keeps the shared head as the calibration start', () => {
    const m2 = withOwnHead(model, B, baseHeadWeights(model, A));
    expect(m2.config.ownHeads).toContain(B);
    expect(encoderFingerprint(m2)).toBe(encoderFingerprint(model));
    const h = servingHeadWeights(m2, B);
    const ref = baseHeadWeights(model, A);
    expect(Array.from(h.w2)).toEqual(Array.from(ref.w2));
    expect(h.scale).toBeCloseTo(ref.scale, 6);
    expect(Array.from(baseHeadWeights(m2, B).w2)).toEqual(Array.from(baseHeadWeights(model, B).w2));
    expect(Array.from(servingHeadWeights(model, A).w2)).toEqual(Array.from(ref.w2));
  });

  it('survives weights.json encoding, and a graph without executed nodes gets the own overhead', async () => {
    const m2 = withOwnHead(model, B, baseHeadWeights(model, A));
    const m3 = decodeModel(JSON.parse(JSON.stringify(await encodeModel(m2))));
    expect(m3.config.ownHeads).toEqual(m2.config.ownHeads);
    expect(totals(m3)).toEqual(totals(m2));
    const empty: GnnGraph = { n: 0, x: new Float32Array(0), edgeSrc: new Int32Array(0), edgeDst: new Int32Array(0) };
    const t = totals(m2, [empty])[0] as number[];
    expect(t[model.config.heads.indexOf(B)]).toBeCloseTo(t[model.config.heads.indexOf(A)] as number, 6);
  });

  it('rejects an unknown head', () => {
    expect(() => withOwnHead(model, 'no-such-board/latency', baseHeadWeights(model, A))).toThrow(UnknownTargetError);
  });
});
