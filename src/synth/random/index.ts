/**
 * Random ONNX graph families for `edgeperf synth random` (issue #5): seeded, reproducible
 * samples of the architectures users ship, with real seeded float32 weights so onnxruntime can
 * run them. Every sample is held to its family's bounds (`familyRanges`: `RANGES`, 1 M–2 G MACs and
 * 10–400 compute nodes, unless the family names its own) by rejection over a fixed, seed-derived
 * sequence of attempts.
 */
import { ConfigError } from '../../core/errors.ts';
import { type Built, type GraphBuilder, RANGES, type Ranges, type Rng, sampleInRange } from './common.ts';
import type { WeightMode } from '../onnx-writer.ts';
import { audio1d } from './audio-1d.ts';
import { BATCHED_RANGES, batched } from './batched.ts';
import { classic } from './classic.ts';
import { DETECTOR_RANGES, detector } from './detector.ts';
import { googlenet } from './googlenet.ts';
import { inception } from './inception.ts';
import { mlp } from './mlp.ts';
import { mobilenet } from './mobilenet.ts';
import { plainConv } from './plain-conv.ts';
import { resnet } from './resnet.ts';
import { transformer } from './transformer.ts';
import { unet } from './unet.ts';

export { RANGES, type Built, type Ranges } from './common.ts';

const SAMPLERS: Record<string, (r: Rng, g: GraphBuilder) => Uint8Array> = {
  'plain-conv': plainConv,
  mobilenet,
  resnet,
  inception,
  unet,
  mlp,
  transformer,
  'audio-1d': audio1d,
  classic,
  detector,
  batched,
  googlenet,
};

/** Families with their own MAC / node bounds (the rest use `RANGES`). */
const FAMILY_RANGES: Record<string, Ranges> = { detector: DETECTOR_RANGES, batched: BATCHED_RANGES };

/** MAC and compute-node bounds the samples of `family` are held to. */
export function familyRanges(family: string): Ranges {
  return FAMILY_RANGES[family] ?? RANGES;
}

/** Family names, in a fixed order. */
export const FAMILIES: readonly string[] = Object.keys(SAMPLERS);

/**
 * Samples one graph of `family` with its tracked MACs and compute-node count.
 * @param seed any integer; the same (family, seed) gives identical bytes
 * @throws ConfigError for an unknown family (listing the known ones)
 */
export function sampleRandom(family: string, seed: number, weights: WeightMode = 'random'): Built {
  const sampler = SAMPLERS[family];
  if (!sampler) throw new ConfigError('--family', `unknown family '${family}'. Known families: ${FAMILIES.join(', ')}`);
  return sampleInRange(family, seed, sampler, weights, familyRanges(family));
}

/**
 * ONNX bytes of one random graph of `family` (single float32 input `input` with static shape,
 * single output).
 * @param seed any integer; the same (family, seed) gives identical bytes
 * @param weights `random` (default, real seeded float32 weights) or `external` (the same graph,
 *   shape-only weights: for featurising)
 * @throws ConfigError for an unknown family (listing the known ones)
 */
export function buildRandomOnnx(family: string, seed: number, weights: WeightMode = 'random'): Uint8Array {
  return sampleRandom(family, seed, weights).bytes;
}
