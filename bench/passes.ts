/**
 * Repeatability of the measured label passes: how far two passes over the same generated graphs
 * disagree, per family, with and without the reference-graph correction (train/README.md,
 * "Passes"). This is the noise floor under any MAPE measured against these labels.
 *
 *   node --import tsx bench/passes.ts [FILE.csv ...]     (default: RANDOM_EXTRA_CSVS)
 *
 * For every pair of files and every family they share (labels ≥ 0.5 ms in the first file, as
 * the test split counts them): n; the level, the geometric mean of B/A (the machine's speed
 * between the hours); the MAPE of B/level against A, raw and drift-corrected by `ref_ms` where a
 * file has it (train/corpus.ts `readRandomCsv`). Last, each file against the average of all the
 * others (`readRandomRows`, every pass scaled to the first pass's level). Reads only train/data.
 */
import { basename } from 'node:path';
import { markdownTable } from 'markdown-table';
import { geometricMean } from '../src/measure/stats.ts';
import { RANDOM_EXTRA_CSVS, readRandomCsv, readRandomRows, type RandomRow } from '../train/corpus.ts';
import { MIN_MS } from '../train/metrics.ts';

const files = process.argv.slice(2).length ? process.argv.slice(2) : RANDOM_EXTRA_CSVS;
const byKey = (rows: readonly RandomRow[]): Map<string, number> => new Map(rows.map((r) => [`${r.family}:${r.seed}`, r.ms]));
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Level (geometric mean B/A) and MAPE of B/level against A over the keys of `keys`. */
function agreement(a: Map<string, number>, b: Map<string, number>, keys: readonly string[]): { level: number; mape: number } {
  const level = geometricMean(keys.map((k) => (b.get(k) as number) / (a.get(k) as number)));
  const mape = keys.reduce((s, k) => s + Math.abs((b.get(k) as number) / level / (a.get(k) as number) - 1), 0) / keys.length;
  return { level, mape };
}

const raw = files.map((f) => byKey(readRandomCsv(f, false)));
const corrected = files.map((f) => byKey(readRandomCsv(f)));
// A file whose reference correction changes some row (it has `ref_ms`): only then is "corrected" shown.
const corrects = raw.map((m, i) => [...m].some(([k, v]) => v !== (corrected[i] as Map<string, number>).get(k)));
const families = [...new Set(corrected.flatMap((m) => [...m.keys()].map((k) => k.split(':')[0] as string)))].sort();

const rows: string[][] = [['family', 'pass A', 'pass B', 'n', 'level B/A', 'MAPE raw', 'MAPE corrected']];
for (const fam of families) {
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      const [a, b] = [corrected[i] as Map<string, number>, corrected[j] as Map<string, number>];
      const keys = [...a.keys()].filter((k) => k.startsWith(`${fam}:`) && b.has(k) && (a.get(k) as number) >= MIN_MS);
      if (keys.length === 0) continue;
      const r = agreement(raw[i] as Map<string, number>, raw[j] as Map<string, number>, keys);
      const c = agreement(a, b, keys);
      rows.push([fam, basename(files[i] as string), basename(files[j] as string), String(keys.length), `×${c.level.toFixed(3)}`, pct(r.mape), corrects[i] || corrects[j] ? pct(c.mape) : '—']);
    }
  }
}
console.log(markdownTable(rows, { align: ['l', 'l', 'l', 'r', 'r', 'r', 'r'] }));

// Each file against the average of the others (the label without it).
const loo: string[][] = [['pass', 'n', 'MAPE against the average of the other passes']];
for (let i = 0; i < files.length; i++) {
  const others = byKey(readRandomRows(files.filter((_, j) => j !== i)));
  const mine = corrected[i] as Map<string, number>;
  const keys = [...mine.keys()].filter((k) => others.has(k) && (others.get(k) as number) >= MIN_MS);
  if (keys.length === 0) continue;
  loo.push([basename(files[i] as string), String(keys.length), pct(agreement(others, mine, keys).mape)]);
}
console.log();
console.log(markdownTable(loo, { align: ['l', 'r', 'r'] }));
