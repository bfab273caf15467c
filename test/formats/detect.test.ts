import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/core/errors.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { detectFormat } from '../../src/formats/detect.ts';

const fixture = (name: string): Uint8Array =>
  readFileSync(fileURLToPath(new URL(`../fixtures/onnx/${name}`, import.meta.url)));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The first 16 bytes of a TFLite flatbuffer: root offset, then the "TFL3" file identifier. */
const TFLITE_HEAD = new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0x12, 0, 0x1c, 0, 0x04, 0]);

describe('detectFormat', () => {
  it('recognises ONNX by decoding a ModelProto with a graph', () => {
    expect(detectFormat(fixture('test_Conv2d.onnx'), 'a.onnx')).toBe('onnx');
  });

  it('recognises TFLite by the TFL3 identifier at bytes 4..8, whatever the extension', () => {
    expect(detectFormat(TFLITE_HEAD, 'model.bin')).toBe('tflite');
  });

  it('recognises a TF.js model.json', () => {
    const json = JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [] });
    expect(detectFormat(text(json), 'model.json')).toBe('tfjs');
  });

  it('rejects JSON that is not a TF.js model', () => {
    expect(() => detectFormat(text('{"a": 1}'), 'x.json')).toThrow(/x\.json: is JSON but not a TF\.js model/);
  });

  it('tells the user to fetch Git LFS files', () => {
    const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 12345\n';
    expect(() => detectFormat(text(pointer), 'models/a.onnx')).toThrow(ModelFormatError);
    expect(() => detectFormat(text(pointer), 'models/a.onnx')).toThrow(/models\/a\.onnx: is a Git LFS pointer.*lfs: true/);
  });

  it('rejects unrecognised bytes and empty files', () => {
    expect(() => detectFormat(text('GIF89a....'), 'x.onnx')).toThrow(/x\.onnx: unrecognised model format/);
    expect(() => detectFormat(new Uint8Array(), 'x.onnx')).toThrow(/x\.onnx: empty file/);
  });
});

describe('analyzeModel on non-ONNX formats', () => {
  it('a truncated TFLite header gives a one-line ModelFormatError naming the file', () => {
    expect(() => analyzeModel(TFLITE_HEAD, 'm.tflite')).toThrow(/^m\.tflite: not a readable TFLite model \(truncated or corrupt FlatBuffer/);
  });
  it('a TF.js layers model is rejected with the converter command', () => {
    const json = JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential' }, weightsManifest: [] });
    expect(() => analyzeModel(text(json), 'model.json')).toThrow(/model\.json: is a TF\.js layers model; only graph models are read.*--output_format=tfjs_graph_model/);
  });
});
