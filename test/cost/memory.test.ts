import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferLifetimes, planArena } from '../../src/cost/memory.ts';
import type { BufferLife } from '../../src/cost/memory.ts';
import { analyzeModel } from '../../src/core/analyze.ts';
import { buildModel, f32 } from '../helpers/onnx-builder.ts';

describe('greedy-by-size arena planner (TFLite GreedyMemoryPlanner)', () => {
  it('chain x → a → b → c: peak 300 bytes, placements as the greedy rule gives', () => {
    const bufs: BufferLife[] = [
      { id: 'x', size: 100, first: 0, last: 0 },
      { id: 'a', size: 200, first: 0, last: 1 },
      { id: 'b', size: 50, first: 1, last: 2 },
      { id: 'c', size: 10, first: 2, last: 2 },
    ];
    const { placements, peak } = planArena(bufs);
    expect(peak).toBe(300);
    expect(Object.fromEntries(placements.map((p) => [p.id, p.offset]))).toEqual({ a: 0, x: 200, b: 200, c: 0 });
    // with 64-byte alignment x moves to 256
    expect(planArena(bufs, 64).peak).toBe(356);
  });

  it('diamond a → (b, c) → d: peak 256 bytes (a, b and c live together)', () => {
    const bufs: BufferLife[] = [
      { id: 'x', size: 64, first: 0, last: 0 },
      { id: 'a', size: 128, first: 0, last: 2 },
      { id: 'b', size: 96, first: 1, last: 3 },
      { id: 'c', size: 32, first: 2, last: 3 },
      { id: 'd', size: 16, first: 3, last: 3 },
    ];
    const { placements, peak } = planArena(bufs);
    expect(peak).toBe(256);
    expect(Object.fromEntries(placements.map((p) => [p.id, p.offset]))).toEqual({ a: 0, b: 128, x: 128, c: 224, d: 0 });
  });

  it('lifetimes from a real graph: inputs from the start, outputs to the end', () => {
    // x[1,4] → Relu → r → Sigmoid → s (output); x also read by the last node
    const a = analyzeModel(
      buildModel({
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['r'] },
          { op: 'Sigmoid', inputs: ['r'], outputs: ['s'] },
          { op: 'Add', inputs: ['s', 'x'], outputs: ['y'] },
        ],
        inputs: [f32('x', [1, 4])],
        outputs: [f32('y', null), f32('r', null)],
      }),
      'm.onnx',
    );
    const life = Object.fromEntries(bufferLifetimes(a.graph).map((b) => [b.id, [b.first, b.last, b.size]]));
    expect(life).toEqual({ x: [0, 2, 16], r: [0, 2, 16], s: [1, 2, 16], y: [2, 2, 16] });
    expect(a.memory.peakActivationBytes).toBe(64);
  });

  it('property: no two buffers that are live together overlap; peak is between the live-sum bound and the total', () => {
    const buffer = fc
      .record({ size: fc.integer({ min: 1, max: 1000 }), first: fc.integer({ min: 0, max: 20 }), len: fc.integer({ min: 0, max: 10 }) })
      .map(({ size, first, len }) => ({ size, first, last: first + len }));
    fc.assert(
      fc.property(fc.array(buffer, { minLength: 1, maxLength: 40 }), (raw) => {
        const bufs = raw.map((b, i) => ({ ...b, id: `t${i}` }));
        const { placements, peak } = planArena(bufs);
        for (let i = 0; i < placements.length; i++) {
          for (let j = i + 1; j < placements.length; j++) {
            const p = placements[i]!;
            const q = placements[j]!;
            const timeOverlap = p.first <= q.last && q.first <= p.last;
            const memOverlap = p.offset < q.offset + q.size && q.offset < p.offset + p.size;
            if (timeOverlap && memOverlap) return false;
          }
        }
        let liveMax = 0;
        for (let t = 0; t <= 30; t++) liveMax = Math.max(liveMax, bufs.filter((b) => b.first <= t && t <= b.last).reduce((s, b) => s + b.size, 0));
        const total = bufs.reduce((s, b) => s + b.size, 0);
        return peak >= liveMax && peak <= total;
      }),
      { numRuns: 300 },
    );
  });
});
