/** Shared pieces of the CLI commands: exit codes, target options, predictor loading. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, UnknownTargetError } from '../core/errors.ts';
import { resolveTargets } from '../core/pipeline.ts';
import type { LoadOptions, Predictor, TargetInfo } from '../core/types.ts';
import { tfjsWeightPaths } from '../formats/tfjs.ts';
import { DEFAULT_TARGETS, parseTargets } from '../config/inputs.ts';
import { findCustomTargetFiles, loadCustomTargets } from '../predict/custom-target.ts';
import { loadPredictor } from '../predict/predictor.ts';

/** Exit codes: 0 ok; 1 a model failed or a budget was exceeded; 2 bad usage, config or target. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Commander option collector: `--target a --target b,c` → ['a', 'b', 'c']. */
export function collectTargets(value: string, previous: string[]): string[] {
  return [...previous, ...parseTargets(value, '--target')];
}

/** The exit code for an error thrown by a command: usage errors 2, others 1. */
export function exitCodeFor(err: unknown): number {
  return err instanceof ConfigError || err instanceof UnknownTargetError ? EXIT.usage : EXIT.failed;
}

/**
 * Loads the predictor with the calibrated targets matched by `customGlobs` (files written by
 * `edgeperf calibrate`, relative to the working directory).
 * @throws ConfigError naming a custom target file that is invalid or calibrated on other weights
 */
export async function loadCliPredictor(customGlobs: readonly string[] = []): Promise<Predictor> {
  const files = customGlobs.length > 0 ? await findCustomTargetFiles(customGlobs, process.cwd(), '--custom-targets') : [];
  return loadPredictor({ customTargets: await loadCustomTargets(files, process.cwd()) });
}

/**
 * Loads the predictor (with the custom targets of `customGlobs`) and resolves `ids` (default
 * raspberry-pi-4, pixel-3).
 * @throws UnknownTargetError listing the known ids
 */
export async function predictorFor(ids: string[], customGlobs: readonly string[] = []): Promise<{ predictor: Predictor; targets: TargetInfo[] }> {
  const predictor = await loadCliPredictor(customGlobs);
  const targets = resolveTargets(predictor, ids.length > 0 ? [...new Set(ids)] : DEFAULT_TARGETS);
  return { predictor, targets };
}

/** Reads a model file; the error names the file. */
export async function readModel(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(file, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`);
  }
}

/**
 * Load options for one model file: `base` plus, for a TF.js model.json, the bytes of its weight
 * files read from next to it (missing ones are skipped: the reader then warns).
 */
export async function loadOptionsFor(file: string, bytes: Uint8Array, base: LoadOptions): Promise<LoadOptions> {
  const paths = tfjsWeightPaths(bytes);
  if (paths.length === 0) return base;
  const weightShards: Record<string, Uint8Array> = {};
  for (const p of paths) {
    try {
      weightShards[p] = await readFile(join(dirname(file), p));
    } catch {
      // optional: the reader warns that constant values were not available
    }
  }
  return { ...base, weightShards };
}
