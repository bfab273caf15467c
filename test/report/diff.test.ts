import { describe, expect, it } from 'vitest';
import { diffModel, layerChanges } from '../../src/report/diff.ts';
import { compiled, failed, okResult, simple } from './helpers.ts';

describe('diffModel', () => {
  it('computes Δ and Δ% per target: 10 ms → 11.4 ms is +1.4 ms, +14.0 %', () => {
    const d = diffModel({
      file: 'models/a.onnx',
      base: simple('models/a.onnx', { 'pixel-3': 10, 'raspberry-pi-4': 40 }),
      head: simple('models/a.onnx', { 'pixel-3': 11.4, 'raspberry-pi-4': 40 }),
    });
    expect(d.status).toBe('changed');
    const px = d.rows.find((r) => r.target === 'pixel-3')!;
    expect(px.base).toBe(10);
    expect(px.head).toBe(11.4);
    expect(px.delta).toBeCloseTo(1.4, 10);
    expect(px.deltaPct).toBeCloseTo(0.14, 10);
    expect(px.status).toBe('changed');
    expect(d.rows.find((r) => r.target === 'raspberry-pi-4')!.status).toBe('unchanged');
  });

  it('adds per-model rows: memory = weights + peak activations, MACs, params', () => {
    const d = diffModel({
      file: 'a.onnx',
      base: simple('a.onnx', { 'pixel-3': 1 }, { weights: 1000, peak: 500, macs: 2e6 }),
      head: simple('a.onnx', { 'pixel-3': 1 }, { weights: 3000, peak: 500, macs: 3e6 }),
    });
    const mem = d.rows.find((r) => r.metric === 'memory')!;
    expect(mem).toMatchObject({ target: '*', unit: 'B', base: 1500, head: 3500, delta: 2000 });
    expect(mem.deltaPct).toBeCloseTo(2000 / 1500);
    expect(d.rows.find((r) => r.metric === 'macs')).toMatchObject({ base: 2e6, head: 3e6, deltaPct: 0.5 });
    expect(d.base).toMatchObject({ macs: 2e6, weightsBytes: 1000 });
  });

  it('marks new and removed models, with one side null', () => {
    const added = diffModel({ file: 'c.onnx', base: null, head: simple('c.onnx', { 'pixel-3': 5 }) });
    expect(added.status).toBe('new');
    expect(added.rows[0]).toMatchObject({ base: null, head: 5, delta: null, deltaPct: null, status: 'new' });
    const removed = diffModel({ file: 'b.onnx', base: simple('b.onnx', { 'pixel-3': 5 }), head: null });
    expect(removed.status).toBe('removed');
    expect(removed.rows[0]).toMatchObject({ base: 5, head: null, status: 'removed' });
  });

  it('reports an unreadable head as an error with the message, and keeps base values', () => {
    const d = diffModel({ file: 'bad.onnx', base: simple('bad.onnx', { 'pixel-3': 5 }), head: failed('bad.onnx') });
    expect(d.status).toBe('error');
    expect(d.errors).toEqual(['bad.onnx: not an ONNX model (bad protobuf)']);
    expect(d.rows[0]).toMatchObject({ base: 5, head: null, status: 'error' });
  });

  it('is unchanged when a renamed model has identical predictions', () => {
    const r = simple('x.onnx', { 'pixel-3': 5 });
    const d = diffModel({ file: 'y.onnx', previousFile: 'x.onnx', base: r, head: r });
    expect(d.status).toBe('unchanged');
    expect(d.previousFile).toBe('x.onnx');
  });
});

describe('layerChanges', () => {
  it('matches layers by name, counts one-sided layers fully, ranks by change, keeps 5', () => {
    const base = okResult('m.onnx', [
      ['conv1', 'Conv', { 'pixel-3': 2 }],
      ['conv2', 'Conv', { 'pixel-3': 3 }],
      ['old_fc', 'Gemm', { 'pixel-3': 1.5 }],
      ['relu', 'Relu', { 'pixel-3': 0.1 }],
    ]);
    const head = okResult('m.onnx', [
      ['conv1', 'Conv', { 'pixel-3': 2 }], // unchanged: not listed
      ['conv2', 'Conv', { 'pixel-3': 5 }], // +2
      ['new_attn', 'MatMul', { 'pixel-3': 4 }], // +4, added
      ['relu', 'Relu', { 'pixel-3': 0.2 }], // +0.1
      ['a', 'Add', { 'pixel-3': 0.01 }],
      ['b', 'Add', { 'pixel-3': 0.02 }],
      ['c', 'Add', { 'pixel-3': 0.03 }],
    ]);
    const layers = layerChanges(base, head);
    expect(layers).toHaveLength(5);
    expect(layers.map((l) => l.name)).toEqual(['new_attn', 'conv2', 'old_fc', 'relu', 'c']);
    expect(layers[0]).toMatchObject({ op: 'MatMul', status: 'added' });
    expect(layers[0]!.deltas[0]).toMatchObject({ target: 'pixel-3', base: 0, head: 4, delta: 4 });
    expect(layers[2]).toMatchObject({ status: 'removed' });
    expect(layers[2]!.deltas[0]!.delta).toBeCloseTo(-1.5);
  });

  it('lists the costliest layers of a new model', () => {
    const head = okResult('n.onnx', [
      ['x', 'Conv', { 'pixel-3': 1 }],
      ['y', 'Conv', { 'pixel-3': 3 }],
    ]);
    expect(layerChanges(null, head).map((l) => [l.name, l.status])).toEqual([
      ['y', 'added'],
      ['x', 'added'],
    ]);
  });
});

describe('diffModel: models compiled for an accelerator', () => {
  it('gives status compiled with the delegate and the message under notPredictable, not errors', () => {
    const d = diffModel({ file: 'pd_vela.tflite', base: null, head: compiled('pd_vela.tflite') });
    expect(d.status).toBe('compiled');
    expect(d.compiledFor).toBe('ethos-u');
    expect(d.errors).toEqual([]);
    expect(d.notPredictable).toEqual(['pd_vela.tflite: compiled for ethos-u: cost not predictable from the graph (analyse the model before compilation instead)']);
    expect(d.rows).toEqual([]);
  });

  it('keeps base values when the head was compiled, rows marked compiled', () => {
    const d = diffModel({ file: 'm.tflite', base: simple('m.tflite', { 'pixel-3': 5 }), head: compiled('m.tflite', 'edgetpu') });
    expect(d.status).toBe('compiled');
    expect(d.compiledFor).toBe('edgetpu');
    expect(d.rows[0]).toMatchObject({ base: 5, head: null, status: 'compiled' });
  });

  it('a real error on the other side still makes the model an error', () => {
    const d = diffModel({ file: 'm.tflite', base: failed('m.tflite', 'm.tflite: truncated'), head: compiled('m.tflite') });
    expect(d.status).toBe('error');
    expect(d.errors).toEqual(['m.tflite: truncated']);
    expect(d.notPredictable).toHaveLength(1);
  });
});
