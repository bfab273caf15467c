import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RANDOM_CSV, RANDOM_EXTRA_CSVS, readRandomCsv, readRandomRows } from '../../train/corpus.ts';

const HEADER = 'family,seed,median_ms,p10_ms,p90_ms,cv,cpu,ort_version';

describe('readRandomRows', () => {
  it('averages a graph measured in two passes geometrically and keeps first-seen order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeperf-rows-'));
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, [HEADER, 'batched,0,2,1.9,2.1,0.02,X,1.30.0', 'batched,1,8,7,9,0.10,X,1.30.0'].join('\n') + '\n');
    writeFileSync(b, [HEADER, 'batched,1,2,1.9,2.1,0.04,X,1.30.0', 'detector,5,3,2.9,3.1,0.01,X,1.30.0'].join('\n') + '\n');
    const rows = readRandomRows([a, b]);
    expect(rows.map((r) => `${r.family}:${r.seed}`)).toEqual(['batched:0', 'batched:1', 'detector:5']);
    expect(rows[0]?.ms).toBe(2);
    expect(rows[1]?.ms).toBeCloseTo(4, 12); // √(8·2)
    expect(rows[1]?.cv).toBeCloseTo(0.07, 12);
  });

  it('divides out the drift between batches with the reference graph timed in each (ref_ms)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeperf-rows-'));
    const a = join(dir, 'ref.csv');
    // Reference medians 2, 2, 4, 1: geometric mean 2, so rows scale by 1, 1, 1/2, 2.
    writeFileSync(a, [`${HEADER},ref_ms`, 'mlp,0,3,2.9,3.1,0.02,X,1.30.0,2', 'unet,0,5,4.9,5.1,0.02,X,1.30.0,2', 'mlp,1,8,7.9,8.1,0.02,X,1.30.0,4', 'unet,1,6,5.9,6.1,0.02,X,1.30.0,1'].join('\n') + '\n');
    expect(readRandomCsv(a).map((r) => r.ms)).toEqual([3, 5, 4, 12]);
    writeFileSync(a, [`${HEADER},ref_ms`, 'mlp,0,3,2.9,3.1,0.02,X,1.30.0,0'].join('\n') + '\n');
    expect(() => readRandomCsv(a)).toThrow(/ref\.csv: line 2: ref_ms '0'/);
  });

  it('reads the committed sets: every extra graph of the second pass was measured in the first', () => {
    const first = new Set(RANDOM_EXTRA_CSVS.filter((f) => !f.includes('remeasured')).flatMap((f) => readRandomCsv(f).map((r) => `${r.family}:${r.seed}`)));
    const second = RANDOM_EXTRA_CSVS.filter((f) => f.includes('remeasured')).flatMap((f) => readRandomCsv(f));
    expect(second.length).toBeGreaterThan(0);
    for (const r of second) expect(first.has(`${r.family}:${r.seed}`)).toBe(true);
    expect(readRandomRows([RANDOM_CSV])).toHaveLength(5625);
    expect(readRandomRows([RANDOM_CSV, ...RANDOM_EXTRA_CSVS]).length).toBe(5625 + first.size);
  });
});
