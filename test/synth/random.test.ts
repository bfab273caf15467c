import { describe, expect, it } from 'vitest';
import { analyzeModel } from '../../src/core/analyze.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { extractFeatures } from '../../src/cost/features.ts';
import { loadOrt, measureModels } from '../../src/measure/ort.ts';
import { buildRandomOnnx, FAMILIES, familyRanges, RANGES, sampleRandom } from '../../src/synth/random/index.ts';

const SEEDS = Array.from({ length: 10 }, (_v, i) => i);
const ortMissing = await loadOrt().then(
  () => '',
  (e: Error) => e.message,
);

describe('synth random', () => {
  it('has the eight families of issue #5, classic (LRN-era CNNs), detector, batched and googlenet', () => {
    expect([...FAMILIES].sort()).toEqual(['audio-1d', 'batched', 'classic', 'detector', 'googlenet', 'inception', 'mlp', 'mobilenet', 'plain-conv', 'resnet', 'transformer', 'unet']);
    // The first nine (train/data/cpu-onnxruntime.csv) come first (train/corpus.ts FIRST_FAMILIES slices them).
    expect(FAMILIES.slice(9)).toEqual(['detector', 'batched', 'googlenet']);
  });

  it('detector and batched name their own ranges; the others use RANGES', () => {
    expect(familyRanges('mobilenet')).toBe(RANGES);
    expect(familyRanges('detector')).toEqual({ minMacs: 5e6, maxMacs: 4e9, minNodes: 30, maxNodes: 700 });
    expect(familyRanges('batched')).toEqual({ minMacs: 1e6, maxMacs: 1e9, minNodes: 1, maxNodes: 60 });
  });

  it('detector: DB detectors at 256–640 px and text-line classifiers, exported with unfused BN and decomposed hard-swish', () => {
    const graphs = Array.from({ length: 20 }, (_v, seed) => analyzeModel(buildRandomOnnx('detector', seed, 'external'), `detector-${seed}.onnx`).graph);
    const inShape = (g: (typeof graphs)[number]): number[] => g.tensors.get(g.inputs[0] as string)?.shape as number[];
    const dets = graphs.filter((g) => g.nodes.some((n) => n.op === 'ConvTranspose'));
    expect(dets.length).toBeGreaterThanOrEqual(8);
    for (const g of dets) {
      const [b, c, h, w] = inShape(g);
      expect([b, c, h === w]).toEqual([1, 3, true]);
      expect(h).toBeGreaterThanOrEqual(256);
      expect(g.tensors.get(g.outputs[0] as string)?.shape).toEqual([1, 1, h, w]);
    }
    const lines = graphs.filter((g) => g.nodes.some((n) => n.op === 'Softmax'));
    expect(lines.length + dets.length).toBe(graphs.length);
    expect(lines.some((g) => (inShape(g)[0] as number) > 1)).toBe(true);
    for (const g of lines) expect([32, 48]).toContain(inShape(g)[2]);
    expect(graphs.filter((g) => g.nodes.some((n) => n.op === 'BatchNormalization')).length).toBeGreaterThanOrEqual(8);
    // Decomposed hard-swish: Clip → Mul → Div with no HardSwish op.
    const decomposed = graphs.filter((g) => g.nodes.some((n) => n.op === 'Div') && !g.nodes.some((n) => n.op === 'HardSwish'));
    expect(decomposed.length).toBeGreaterThanOrEqual(5);
  });

  it('batched: every input has batch ≥ 2; single-conv graphs and channel counts off the multiples of 8 occur', () => {
    const graphs = Array.from({ length: 20 }, (_v, seed) => analyzeModel(buildRandomOnnx('batched', seed, 'external'), `batched-${seed}.onnx`).graph);
    for (const g of graphs) expect(g.tensors.get(g.inputs[0] as string)?.shape?.[0]).toBeGreaterThanOrEqual(2);
    expect(graphs.some((g) => g.nodes.length === 1)).toBe(true);
    const convOut = graphs.flatMap((g) => g.nodes.filter((n) => n.op === 'Conv').map((n) => g.tensors.get(n.outputs[0] as string)?.shape?.[1] as number));
    expect(convOut.filter((c) => c % 8 !== 0).length).toBeGreaterThan(convOut.length / 2);
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

  it('googlenet: two LRNs, each right after a MaxPool (the stem of GoogLeNet), then Inception modules joined by Concat', () => {
    for (const seed of SEEDS) {
      const g = analyzeModel(buildRandomOnnx('googlenet', seed, 'external'), `googlenet-${seed}.onnx`).graph;
      const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
      const lrns = g.nodes.filter((n) => n.op === 'LRN');
      expect(lrns.map((n) => producer.get(n.inputs[0] as string)?.op)).toEqual(['MaxPool', 'Relu']);
      // The second LRN's Relu follows the stem's 3x3 conv; a MaxPool reads the LRN.
      expect(g.nodes.some((n) => n.op === 'MaxPool' && n.inputs[0] === lrns[1]?.outputs[0])).toBe(true);
      const concats = g.nodes.filter((n) => n.op === 'Concat');
      expect(concats.length).toBeGreaterThanOrEqual(1);
      for (const c of concats) expect(c.inputs).toHaveLength(4);
    }
  });

  it('rejects an unknown family, listing the known ones', () => {
    expect(() => buildRandomOnnx('vgg', 0)).toThrow(ConfigError);
    expect(() => buildRandomOnnx('vgg', 0)).toThrow(/Known families: plain-conv, mobilenet/);
  });

  describe.each([...FAMILIES])('%s', (family) => {
    const built = SEEDS.map((seed) => ({ seed, ...sampleRandom(family, seed) }));

    it('analyses without unknown ops or warnings, MACs and nodes within its ranges', () => {
      const ranges = familyRanges(family);
      for (const b of built) {
        const a = analyzeModel(b.bytes, `${family}-${b.seed}.onnx`);
        expect(a.unsupportedOps, `${family}-${b.seed}`).toEqual([]);
        expect(a.warnings, `${family}-${b.seed}`).toEqual([]);
        expect(a.macs).toBeGreaterThanOrEqual(ranges.minMacs);
        expect(a.macs).toBeLessThanOrEqual(ranges.maxMacs);
        // The generator's own MAC bookkeeping agrees with the analyser's op registry.
        expect(a.macs).toBe(b.macs);
        expect(a.nodes).toBeGreaterThanOrEqual(ranges.minNodes);
        expect(a.nodes).toBeLessThanOrEqual(ranges.maxNodes);
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
