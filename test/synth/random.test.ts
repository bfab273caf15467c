import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { extractFeatures } from '../../src/cost/features.ts';
import { loadOrt, measureModels } from '../../src/measure/ort.ts';
import { buildRandomOnnx, FAMILIES, RANGES, sampleRandom } from '../../src/synth/random/index.ts';

const SEEDS = Array.from({ length: 10 }, (_v, i) => i);
const ortMissing = await loadOrt().then(
  () => '',
  (e: Error) => e.message,
);

describe('synth random', () => {
  it('has the eight families of issue #5 and classic (LRN-era CNNs)', () => {
    expect([...FAMILIES].sort()).toEqual(['audio-1d', 'classic', 'inception', 'mlp', 'mobilenet', 'plain-conv', 'resnet', 'transformer', 'unet']);
  });

  it('classic: LRN after the stem in most samples, wide Gemm classifiers in some', () => {
    const graphs = SEEDS.map((seed) => analyzeModel(buildRandomOnnx('classic', seed, 'external'), `classic-${seed}.onnx`).graph);
    const withLrn = graphs.filter((g) => g.nodes.some((n) => n.op === 'LRN'));
    expect(withLrn.length).toBeGreaterThanOrEqual(6);
    for (const g of withLrn) {
      const lrn = g.nodes.find((n) => n.op === 'LRN');
      expect(lrn?.attrs['size']).toBe(5);
    }
    const gemms = graphs.map((g) => g.nodes.filter((n) => n.op === 'Gemm').length);
    expect(gemms.filter((c) => c === 3).length).toBeGreaterThanOrEqual(2);
    expect(gemms.filter((c) => c === 1).length).toBeGreaterThanOrEqual(2);
  });

  it('rejects an unknown family, listing the known ones', () => {
    expect(() => buildRandomOnnx('vgg', 0)).toThrow(ConfigError);
    expect(() => buildRandomOnnx('vgg', 0)).toThrow(/Known families: plain-conv, mobilenet/);
  });

  describe.each([...FAMILIES])('%s', (family) => {
    const built = SEEDS.map((seed) => ({ seed, ...sampleRandom(family, seed) }));

    it('analyses without unknown ops or warnings, MACs and nodes within RANGES', () => {
      for (const b of built) {
        const a = analyzeModel(b.bytes, `${family}-${b.seed}.onnx`);
        expect(a.unsupportedOps, `${family}-${b.seed}`).toEqual([]);
        expect(a.warnings, `${family}-${b.seed}`).toEqual([]);
        expect(a.macs).toBeGreaterThanOrEqual(RANGES.minMacs);
        expect(a.macs).toBeLessThanOrEqual(RANGES.maxMacs);
        // The generator's own MAC bookkeeping agrees with the analyser's op registry.
        expect(a.macs).toBe(b.macs);
        expect(a.nodes).toBeGreaterThanOrEqual(RANGES.minNodes);
        expect(a.nodes).toBeLessThanOrEqual(RANGES.maxNodes);
      }
    });

    it('same seed → identical bytes; different seeds → different graphs', () => {
      const again = buildRandomOnnx(family, 3);
      expect(Buffer.from(again).equals(Buffer.from((built[3] as { bytes: Uint8Array }).bytes))).toBe(true);
      const sizes = new Set(built.map((b) => `${b.macs}/${b.nodes}`));
      expect(sizes.size).toBeGreaterThanOrEqual(8);
      const hashes = new Set(built.map((b) => Buffer.from(b.bytes).toString('base64')));
      expect(hashes.size).toBe(SEEDS.length);
    });

    it.skipIf(ortMissing !== '')(`runs in onnxruntime-node${ortMissing ? ` (skipped: ${ortMissing})` : ''}`, async () => {
      const { results, failures } = await measureModels(
        built.map((b) => ({ file: `${family}-${b.seed}.onnx`, bytes: b.bytes })),
        { runs: 1, warmup: 0 },
      );
      expect(failures).toEqual([]);
      expect(results).toHaveLength(SEEDS.length);
    });
  });

  it('external (shape-only) weights give the same graph as real weights: same features, MACs, params', () => {
    for (const family of FAMILIES) {
      const real = analyzeModel(buildRandomOnnx(family, 3), `${family}.onnx`);
      const dry = analyzeModel(buildRandomOnnx(family, 3, 'external'), `${family}-ext.onnx`);
      expect(dry.macs, family).toBe(real.macs);
      expect(dry.params, family).toBe(real.params);
      const fr = extractFeatures(real);
      const fd = extractFeatures(dry);
      expect(Array.from(fd.x), family).toEqual(Array.from(fr.x));
      expect(Array.from(fd.edgeSrc), family).toEqual(Array.from(fr.edgeSrc));
    }
  });
});
