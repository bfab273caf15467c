import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyIndex, RANDOM_CSV, RANDOM_EXTRA_CSVS, randomSplit, readRandomCsv, readRandomRows, TRAIN_ONLY_SEEDS } from '../../train/corpus.ts';
import { splitOf } from '../../train/dataset.ts';

const HEADER = 'family,seed,median_ms,p10_ms,p90_ms,cv,cpu,ort_version';

describe('readRandomRows', () => {
  it('averages a graph measured in two passes geometrically and keeps first-seen order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeperf-rows-'));
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, [HEADER, 'batched,0,2,1.9,2.1,0.02,X,1.30.0', 'batched,1,8,7,9,0.10,X,1.30.0', 'batched,2,4,3.9,4.1,0.02,X,1.30.0'].join('\n') + '\n');
    writeFileSync(b, [HEADER, 'batched,1,2,1.9,2.1,0.04,X,1.30.0', 'batched,2,4,3.9,4.1,0.02,X,1.30.0', 'detector,5,3,2.9,3.1,0.01,X,1.30.0'].join('\n') + '\n');
    const rows = readRandomRows([a, b]);
    expect(rows.map((r) => `${r.family}:${r.seed}`)).toEqual(['batched:0', 'batched:1', 'batched:2', 'detector:5']);
    // b's level against a over the shared graphs: geometric mean of 8/2 and 4/4 = 2, so b's rows
    // count ×2 before averaging: batched:1 √(8·4), batched:2 √(4·8), detector:5 3·2.
    expect(rows[0]?.ms).toBe(2);
    expect(rows[1]?.ms).toBeCloseTo(Math.sqrt(32), 12);
    expect(rows[2]?.ms).toBeCloseTo(Math.sqrt(32), 12);
    expect(rows[3]?.ms).toBeCloseTo(6, 12);
    expect(rows[1]?.cv).toBeCloseTo(0.07, 12);
  });

  it('reads a file that shares no graph with the earlier ones at its own level', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeperf-rows-'));
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    writeFileSync(a, [HEADER, 'batched,0,2,1.9,2.1,0.02,X,1.30.0'].join('\n') + '\n');
    writeFileSync(b, [HEADER, 'detector,0,3,2.9,3.1,0.01,X,1.30.0'].join('\n') + '\n');
    const [x, y] = readRandomRows([a, b]);
    expect(x?.ms).toBeCloseTo(2, 12);
    expect(y?.ms).toBeCloseTo(3, 12);
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

  it('reads the committed sets: a later pass re-measures its family\'s first file, or adds TRAIN-only graphs', () => {
    const isFirst = (f: string): boolean => /-(detector|batched|googlenet)\.csv$/.test(f);
    const first = new Set(RANDOM_EXTRA_CSVS.filter(isFirst).flatMap((f) => readRandomCsv(f).map((r) => `${r.family}:${r.seed}`)));
    expect(first.size).toBe(1250 + 1875 + 500);
    const later = RANDOM_EXTRA_CSVS.filter((f) => !isFirst(f)).flatMap((f) => readRandomCsv(f));
    expect(later.length).toBeGreaterThan(0);
    const added = new Set<string>();
    for (const r of later) {
      const key = `${r.family}:${r.seed}`;
      if (first.has(key)) continue;
      expect(randomSplit(key)).toBe('train');
      added.add(key);
    }
    // batched seeds 1875–3874 (session 17), the only graphs not in a first file.
    expect(added.size).toBe(2000);
    expect(readRandomRows([RANDOM_CSV])).toHaveLength(5625);
    expect(readRandomRows([RANDOM_CSV, ...RANDOM_EXTRA_CSVS]).length).toBe(5625 + first.size + added.size);
  });
});

describe('randomSplit', () => {
  it('keeps a family\'s TRAIN_ONLY_SEEDS in TRAIN and splits the rest by key hash', () => {
    expect(TRAIN_ONLY_SEEDS).toEqual({ batched: [1875, 3875] });
    // Below the threshold the key hash decides, as for every other family: batched seeds 0–1874
    // keep the 80/10/10 split they had, TEST graphs among them.
    const below = Array.from({ length: 1875 }, (_, s) => randomSplit(`batched:${s}`));
    expect(below).toEqual(Array.from({ length: 1875 }, (_, s) => splitOf(keyIndex(`batched:${s}`))));
    const tests = below.filter((x) => x === 'test').length;
    expect(tests).toBeGreaterThan(150);
    expect(tests).toBeLessThan(230);
    // From it on, TRAIN whatever the hash would say (some of these hash to VAL or TEST).
    const hashed = Array.from({ length: 2000 }, (_, i) => splitOf(keyIndex(`batched:${1875 + i}`)));
    expect(hashed.filter((x) => x !== 'train').length).toBeGreaterThan(100);
    for (let s = 1875; s < 3875; s++) expect(randomSplit(`batched:${s}`)).toBe('train');
    expect(randomSplit('detector:1875')).toBe(splitOf(keyIndex('detector:1875')));
    // Past the range, and the device sets' seeds 100000–100093, the hash decides again.
    const after = Array.from({ length: 94 }, (_, i) => `batched:${100000 + i}`).concat(['batched:3875']);
    expect(after.map(randomSplit)).toEqual(after.map((k) => splitOf(keyIndex(k))));
    expect(after.map(randomSplit)).toContain('test');
  });
});
