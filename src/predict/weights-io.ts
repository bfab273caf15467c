/**
 * The bundled weights file `models/perfsage/weights.json`:
 * `{ format: "edgeperf-perfsage-v1", config, weightSpecs, weightData: base64 }`, written with
 * `tf.io.encodeWeights` and read with `tf.io.decodeWeights` (float32, tfjs weights manifest specs).
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_NAMES } from '../cost/features.ts';
import { PerfSageModel, weightShapes, type PerfSageConfig } from './perfsage.ts';

/** Format tag of the weights file. */
export const WEIGHTS_FORMAT = 'edgeperf-perfsage-v1';

/** JSON form of a trained PerfSAGE model. */
export interface WeightsFile {
  format: string;
  config: PerfSageConfig;
  weightSpecs: tf.io.WeightsManifestEntry[];
  /** Base64 of the concatenated float32 buffer described by `weightSpecs`. */
  weightData: string;
}

/** Serialises a model's weights (in `weightShapes` order) to the JSON form. */
export async function encodeModel(model: PerfSageModel): Promise<WeightsFile> {
  const named: tf.NamedTensorMap = {};
  for (const name of Object.keys(weightShapes(model.config))) named[name] = model.weights[name] as tf.Tensor;
  const { data, specs } = await tf.io.encodeWeights(named);
  return { format: WEIGHTS_FORMAT, config: model.config, weightSpecs: specs, weightData: Buffer.from(data).toString('base64') };
}

/**
 * Reads the JSON form back into an inference model (plain tensors, not variables).
 * @throws Error when the format tag or a weight shape does not match, or when the weights were
 *   trained on other node features than `FEATURE_NAMES` (src/cost/features.ts) computes: their
 *   input layer would read every column shifted, a silent wrong number; the message starts with
 *   `source`, the file the weights were read from
 */
export function decodeModel(file: WeightsFile, source = 'models/perfsage/weights.json'): PerfSageModel {
  if (file.format !== WEIGHTS_FORMAT) {
    throw new Error(`${source} has format '${file.format}', expected '${WEIGHTS_FORMAT}'`);
  }
  const trained = file.config.featureNames;
  if (trained.length !== FEATURE_NAMES.length || trained.some((n, i) => n !== FEATURE_NAMES[i])) {
    const missing = FEATURE_NAMES.filter((n) => !trained.includes(n));
    const extra = trained.filter((n) => !FEATURE_NAMES.includes(n));
    throw new Error(
      `${source} was trained on ${trained.length} node features, this EdgePerf computes ${FEATURE_NAMES.length}` +
        (missing.length > 0 ? ` (not in the weights: ${missing.join(', ')})` : '') +
        (extra.length > 0 ? ` (only in the weights: ${extra.join(', ')})` : '') +
        (missing.length + extra.length === 0 ? ' (same names, other order)' : '') +
        ': use weights trained with these features (npm run train)',
    );
  }
  const buf = Buffer.from(file.weightData, 'base64');
  const ab = new Uint8Array(buf).buffer;
  const named = tf.io.decodeWeights(ab, file.weightSpecs);
  return new PerfSageModel(file.config, named);
}
