/** `edgeperf synth nb201`: NAS-Bench-201 cells as ONNX files (random weights). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { buildNb201Onnx } from '../synth/nb201.ts';

/** Options of `synth nb201`. */
export interface SynthOptions {
  /** File with one arch string per line; then `output` is a directory. */
  archs?: string;
  /** Output file (one arch) or directory (`--archs`). */
  output: string;
  seed?: number;
}

/**
 * Writes one model (`ARCH_STR -o FILE.onnx`) or one per line of `--archs` (`DIR/<n>.onnx`, n
 * counting lines from 0; blank lines keep their number but write nothing).
 * @throws ConfigError for a missing argument or an invalid arch string (naming the line)
 */
export async function synthNb201Command(arch: string | undefined, opts: SynthOptions): Promise<number> {
  const build = (a: string, where: string) => {
    try {
      return buildNb201Onnx(a, { weights: 'random', ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
    } catch (e) {
      throw new ConfigError(where, (e as Error).message);
    }
  };
  if (opts.archs) {
    if (arch) throw new ConfigError('synth nb201', 'give either ARCH_STR or --archs FILE, not both');
    let text: string;
    try {
      text = await readFile(opts.archs, 'utf8');
    } catch {
      throw new ConfigError('--archs', `cannot read '${opts.archs}'`);
    }
    await mkdir(opts.output, { recursive: true });
    const lines = text.split(/\r?\n/);
    let written = 0;
    for (const [n, line] of lines.entries()) {
      if (line.trim() === '') continue;
      await writeFile(join(opts.output, `${n}.onnx`), build(line.trim(), `${opts.archs}:${n + 1}`));
      written++;
    }
    process.stderr.write(`edgeperf: wrote ${written} models to ${opts.output}\n`);
    return 0;
  }
  if (!arch) throw new ConfigError('synth nb201', 'give an ARCH_STR or --archs FILE');
  await mkdir(dirname(opts.output), { recursive: true });
  await writeFile(opts.output, build(arch, 'ARCH_STR'));
  return 0;
}
