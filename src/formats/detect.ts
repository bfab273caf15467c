/**
 * Model format detection by content (never by file extension), pure function of bytes:
 * - Git LFS pointer text (`version https://git-lfs.github.com/spec/v1`) → ModelFormatError
 *   telling the user to check out LFS files;
 * - TFLite: FlatBuffer file identifier "TFL3" at bytes 4..8 (TFLite schema.fbs `file_identifier`);
 * - TF.js graph/layers model: JSON with `modelTopology` and `weightsManifest` (the TF.js reader
 *   rejects layers models with the conversion command);
 * - ONNX: a protobuf `ModelProto` that decodes with a non-empty graph.
 */
import { ModelFormatError } from '../core/errors.ts';
import type { ModelFormat } from '../graph/ir.ts';
import { decodeOnnx } from './onnx.ts';
import { parseTfjsGraphModel } from './tfjs.ts';

const LFS_PREFIX = 'version https://git-lfs.github.com/spec/v1';

/**
 * Cheap checks on the first bytes: LFS pointers throw, TFLite and TF.js are recognised; returns
 * undefined when the bytes may be ONNX (which only a decode can confirm).
 * @throws ModelFormatError for Git LFS pointers and JSON that is not a TF.js model
 */
export function sniffFormat(bytes: Uint8Array, file: string): ModelFormat | undefined {
  if (bytes.length === 0) throw new ModelFormatError(file, 'empty file');
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 64)));
  if (head.startsWith(LFS_PREFIX)) {
    throw new ModelFormatError(
      file,
      'is a Git LFS pointer, not the model: check out LFS files (`lfs: true` in actions/checkout, or `git lfs pull`)',
    );
  }
  if (bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33) {
    return 'tflite';
  }
  const first = head.trimStart()[0];
  if (first === '{') {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new ModelFormatError(file, 'looks like JSON but does not parse; a TF.js model.json was expected');
    }
    if (json && typeof json === 'object' && 'modelTopology' in json && 'weightsManifest' in json) return 'tfjs';
    throw new ModelFormatError(file, 'is JSON but not a TF.js model (no modelTopology and weightsManifest)');
  }
  return undefined;
}

/**
 * The format of a model file, from its content.
 * @throws ModelFormatError (naming `file`) for LFS pointers and unrecognised or unreadable bytes
 */
export function detectFormat(bytes: Uint8Array, file: string): ModelFormat {
  const sniffed = sniffFormat(bytes, file);
  if (sniffed) return sniffed;
  try {
    decodeOnnx(bytes, file);
    return 'onnx';
  } catch {
    throw new ModelFormatError(file, 'unrecognised model format: not ONNX (protobuf ModelProto), TFLite (TFL3) or TF.js (model.json)');
  }
}

/**
 * Why a file selected by the `models` globs is not a model to report, or undefined when it is
 * one (or may be one: errors are for the readers to report). Only `.json` files are ever skipped:
 * the default glob for model.json files also matches JSON that is not a TF.js graph model (package manifests, Keras
 * layers models), which is skipped with this reason instead of being reported as an error.
 */
export function skipReason(path: string, bytes: Uint8Array): string | undefined {
  if (!path.toLowerCase().endsWith('.json')) return undefined;
  if (parseTfjsGraphModel(bytes)) return undefined;
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  if (/"format"\s*:\s*"layers-model"/.test(head) || /"class_name"/.test(head)) {
    return 'a TF.js layers model (only graph models are read: tensorflowjs_converter --input_format=tfjs_layers_model --output_format=tfjs_graph_model)';
  }
  return 'not a TF.js graph model';
}
