import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../src/cost/features.ts';
import { initBackend } from '../../src/predict/backend.ts';
import { loadBundledModel } from '../../src/predict/predictor.ts';
import { decodeModel, encodeModel, type WeightsFile } from '../../src/predict/weights-io.ts';
import { readWeights } from '../../train/infer.ts';

let file: WeightsFile;

beforeAll(async () => {
  await initBackend();
  file = await encodeModel(loadBundledModel());
});

const withFeatures = (names: string[]): WeightsFile => ({ ...file, config: { ...file.config, featureNames: names } });

describe('weights.json round trip and feature check', () => {
  it('decodes what it encodes, with the features this build computes', () => {
    const m = decodeModel(file);
    expect(m.config.featureNames).toEqual([...FEATURE_NAMES]);
    expect(m.config.heads).toEqual(file.config.heads);
  });

  it('refuses weights trained on other node features and names the columns that differ', () => {
    const older = FEATURE_NAMES.filter((n) => !n.startsWith('channels_'));
    expect(() => decodeModel(withFeatures(older))).toThrow(
      `models/perfsage/weights.json was trained on ${older.length} node features, this EdgePerf computes ${FEATURE_NAMES.length} (not in the weights: channels_in_mult8, channels_in_mult16, channels_out_mult8, channels_out_mult16, channels_in_fill16, channels_out_fill16)`,
    );
    const swapped = [...FEATURE_NAMES];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    expect(() => decodeModel(withFeatures(swapped), '/tmp/candidate/weights.json')).toThrow('/tmp/candidate/weights.json was trained on');
    expect(() => decodeModel(withFeatures(swapped))).toThrow('(same names, other order)');
  });

  it('every committed weights.json under models/ loads with the features this build computes', () => {
    // The cross-space model of `npm run evaluate` (models/perfsage/nb201-only) once lagged a
    // feature change and gave the model card a wrong section; a stale file fails here instead.
    const found = readdirSync('models', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('weights.json')).sort();
    expect(found).toEqual(['perfsage/nb201-only/weights.json', 'perfsage/weights.json']);
    for (const f of found) {
      const path = join('models', f);
      expect(readWeights(path).config.featureNames).toEqual([...FEATURE_NAMES]);
    }
  });
});
