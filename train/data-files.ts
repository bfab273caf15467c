/**
 * Locating one measurement file under the data folder, with the same `--data DIR` argument,
 * default (`../shared/data`) and exit-with-a-message behaviour as `resolveDataDir` of
 * train/dataset.ts (which does this for the NB201 CSV).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argValue, DEFAULT_DATA_DIR } from './dataset.ts';

/** Where a measurement file comes from publicly, for the message printed when it is absent. */
export interface DataSource {
  /** Path of the file inside the data folder, e.g. `fbnet/latency_ms.jsonl`. */
  file: string;
  /** One line per public source (repository, folder, license). */
  sources: string[];
  /** How to lay the rebuilt file out (columns / JSON fields). */
  format: string;
}

/** The data folder of `--data DIR` in `argv`, else `DEFAULT_DATA_DIR` (absolute). */
export function dataDirArg(argv = process.argv): string {
  return resolve(argValue('data', argv) ?? DEFAULT_DATA_DIR);
}

/**
 * The message printed when `source.file` is missing under `dir`: where it was looked for, the
 * public sources to rebuild it from, its format, and the `--data DIR` flag.
 */
export function missingDataMessage(dir: string, source: DataSource): string {
  const path = join(dir, source.file);
  return [
    `No measurements at ${path}.`,
    'These measurements are public but not shipped with EdgePerf. Rebuild them from:',
    ...source.sources.map((s) => `  - ${s}`),
    source.format,
    `and pass its parent folder with --data DIR (the file must be DIR/${source.file}).`,
  ].join('\n');
}

/**
 * Resolves the data folder for a script (`--data DIR`, default `../shared/data`); when
 * `source.file` is absent there, prints `missingDataMessage` and exits with code 1, as
 * `resolveDataDir` does.
 * @returns the absolute data folder
 */
export function resolveDataFile(source: DataSource, argv = process.argv): string {
  const dir = dataDirArg(argv);
  if (!existsSync(join(dir, source.file))) {
    console.error(missingDataMessage(dir, source));
    process.exit(1);
  }
  return dir;
}
