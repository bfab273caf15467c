/** `edgeperf synth nb201|fbnet|random`: search-space and random networks as ONNX files (random weights). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { buildNb201Onnx, type Nb201Task } from '../synth/nb201.ts';
import { parseNb201Arch } from '../synth/nb201-arch.ts';
import { buildFbnetOnnx, parseFbnetArch, type FbnetDataset } from '../synth/fbnet.ts';
import { buildRandomOnnx } from '../synth/random/index.ts';

/**
 * Writes one model (`ARCH -o FILE.onnx`) or one per line of `--archs` (`DIR/<n>.onnx`, n counting
 * lines from 0; blank lines keep their number but write nothing). Every line of `--archs` is
 * checked before the first file is written, so a bad line writes nothing.
 * @param build bytes of one arch; `where` names the argument or `file:line` for messages
 * @param check throws a ConfigError naming `where` when the arch cannot be parsed (cheap, no build)
 * @param command and `what` name the command and its positional argument in errors
 * @throws ConfigError for a missing or doubled argument, an unreadable `--archs` file or a bad line
 */
async function writeArchs(
  arch: string | undefined,
  opts: { archs?: string; output: string },
  build: (arch: string, where: string) => Uint8Array,
  check: (arch: string, where: string) => void,
  command: string,
  what: string,
): Promise<number> {
  if (opts.archs) {
    if (arch) throw new ConfigError(command, `give either ${what} or --archs FILE, not both`);
    let text: string;
    try {
      text = await readFile(opts.archs, 'utf8');
    } catch {
      throw new ConfigError('--archs', `cannot read '${opts.archs}'`);
    }
    const lines = text
      .split(/\r?\n/)
      .map((line, n) => ({ arch: line.trim(), n, where: `${opts.archs}:${n + 1}` }))
      .filter((l) => l.arch !== '');
    for (const l of lines) check(l.arch, l.where);
    await mkdir(opts.output, { recursive: true });
    let written = 0;
    for (const l of lines) {
      await writeFile(join(opts.output, `${l.n}.onnx`), build(l.arch, l.where));
      written++;
    }
    process.stderr.write(`edgeperf: wrote ${written} models to ${opts.output}\n`);
    return 0;
  }
  if (!arch) throw new ConfigError(command, `give ${what} or --archs FILE`);
  await mkdir(dirname(opts.output), { recursive: true });
  await writeFile(opts.output, build(arch, 'ARCH'));
  return 0;
}

/** Options of `synth nb201`. */
export interface SynthOptions {
  /** File with one arch string per line; then `output` is a directory. */
  archs?: string;
  /** Output file (one arch) or directory (`--archs`). */
  output: string;
  seed?: number;
  /** NB201 task variant (default `cifar10`; `cifar100`, `ninapro`, `darcy` are the HW-NAS-Bench-360 graphs). */
  task?: Nb201Task;
}

/**
 * Writes one model (`ARCH_STR -o FILE.onnx`) or one per line of `--archs` (`DIR/<n>.onnx`, n
 * counting lines from 0; blank lines keep their number but write nothing).
 * @throws ConfigError for a missing argument or an invalid arch string (naming the line)
 */
export async function synthNb201Command(arch: string | undefined, opts: SynthOptions): Promise<number> {
  const build = (a: string, where: string) => {
    try {
      return buildNb201Onnx(a, { weights: 'random', ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.task ? { task: opts.task } : {}) });
    } catch (e) {
      throw new ConfigError(where, (e as Error).message);
    }
  };
  const check = (a: string, where: string) => {
    try {
      parseNb201Arch(a);
    } catch (e) {
      throw new ConfigError(where, (e as Error).message);
    }
  };
  return writeArchs(arch, opts, build, check, 'synth nb201', 'an ARCH_STR');
}

/** Options of `synth fbnet`. */
export interface SynthFbnetOptions {
  /** File with one arch per line; then `output` is a directory. */
  archs?: string;
  /** Output file (one arch) or directory (`--archs`). */
  output: string;
  seed?: number;
  /** Macro layout (default `cifar100`, the HW-NAS-Bench / HELP variant). */
  dataset?: FbnetDataset;
}

/**
 * The ops of one `--archs` line: comma-separated op names or indices (`k3_e1,skip,...`), a JSON
 * list (`["k3_e1", ...]`, HELP's `arch_str`, or `[0, 8, ...]`, `op_idx_list`), or a whole row of
 * fbnet/latency_ms.jsonl (`{"arch": {"arch_str": [...]}}`).
 */
function fbnetLineOps(line: string): string | Array<string | number> {
  if (!line.startsWith('{')) return line;
  const row = JSON.parse(line) as { arch?: { arch_str?: string[]; op_idx_list?: number[] }; arch_str?: string[]; op_idx_list?: number[] };
  const ops = row.arch?.arch_str ?? row.arch?.op_idx_list ?? row.arch_str ?? row.op_idx_list;
  if (!Array.isArray(ops)) throw new Error('JSON line has no arch.arch_str, arch.op_idx_list, arch_str or op_idx_list list');
  return ops;
}

/**
 * `edgeperf synth fbnet`: writes one FBNet model (`OP,OP,...,OP -o FILE.onnx`, 22 ops) or one per
 * line of `--archs` (`DIR/<n>.onnx`, n counting lines from 0; blank lines keep their number but
 * write nothing). Graphs per ../shared/specs/search-spaces.md 2.2–2.3, random weights.
 * @throws ConfigError for a missing argument or an invalid arch (naming the line and the token)
 */
export async function synthFbnetCommand(arch: string | undefined, opts: SynthFbnetOptions): Promise<number> {
  const build = (a: string, where: string) => {
    try {
      return buildFbnetOnnx(parseFbnetArch(fbnetLineOps(a)), {
        weights: 'random',
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.dataset ? { dataset: opts.dataset } : {}),
      });
    } catch (e) {
      throw new ConfigError(where, (e as Error).message);
    }
  };
  const check = (a: string, where: string) => {
    try {
      parseFbnetArch(fbnetLineOps(a));
    } catch (e) {
      throw new ConfigError(where, (e as Error).message);
    }
  };
  return writeArchs(arch, opts, build, check, 'synth fbnet', 'OP,OP,...,OP (22 ops)');
}

/** Options of `synth random`. */
export interface SynthRandomOptions {
  /** Family name (see `FAMILIES` in src/synth/random/index.ts). */
  family: string;
  /** First seed (default 0). */
  seed?: number;
  /** With `count`, write seeds seed..seed+count−1 to `output` as a directory. */
  count?: number;
  /** Output .onnx file, or directory with `count`. */
  output: string;
}

/**
 * `synth random`: one random graph of a family (`--family F --seed N -o FILE.onnx`) or `--count K`
 * of them (`-o DIR`, files DIR/<family>-<seed>.onnx for seeds N..N+K−1).
 * @throws ConfigError for an unknown family (listing the known ones)
 */
export async function synthRandomCommand(opts: SynthRandomOptions): Promise<number> {
  const seed = opts.seed ?? 0;
  if (opts.count === undefined) {
    const bytes = buildRandomOnnx(opts.family, seed);
    await mkdir(dirname(opts.output), { recursive: true });
    await writeFile(opts.output, bytes);
    return 0;
  }
  await mkdir(opts.output, { recursive: true });
  for (let s = seed; s < seed + opts.count; s++) {
    await writeFile(join(opts.output, `${opts.family}-${s}.onnx`), buildRandomOnnx(opts.family, s));
  }
  process.stderr.write(`edgeperf: wrote ${opts.count} models to ${opts.output}\n`);
  return 0;
}
