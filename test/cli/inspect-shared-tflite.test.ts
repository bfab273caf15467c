/**
 * Acceptance: every TFLite file and TF.js graph model in ../shared/models goes through the
 * bundled CLI's `edgeperf inspect` and `edgeperf predict --json` without an exception; compiled
 * delegate models get the "compiled for" result instead of a prediction.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = resolve(ROOT, '../shared/models');
const CLI = join(ROOT, 'dist/cli.js');
const files = existsSync(SHARED)
  ? readdirSync(SHARED, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.tflite') || (f.startsWith('tfjs-') && f.endsWith('.json')))
      .sort()
  : [];
/** Pre-processing graphs of CUSTOM Signal* ops and casts: no multiply-accumulates at all. */
const NO_MACS = new Set(['tflite-micro/audio_preprocessor_int8.tflite']);
const COMPILED: Record<string, string> = {
  'coral-test_data/mobilenet_v1_0.25_128_quant_edgetpu.tflite': 'edgetpu',
  'tflite-micro/person_detect_vela.tflite': 'ethos-u',
};

beforeAll(() => {
  if (!existsSync(CLI)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
});

describe.skipIf(files.length === 0)(`edgeperf inspect / predict on every TFLite and TF.js model of ${SHARED} (absent: skipped)`, () => {
  it('finds the shared TFLite and TF.js models', () => {
    expect(files.filter((f) => f.endsWith('.tflite')).length).toBeGreaterThanOrEqual(27);
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('inspect %s', (f) => {
    const r = spawnSync(process.execPath, [CLI, 'inspect', '--json', join(SHARED, f)], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { format: string; totals: { macs: number; nodes: number }; warnings: string[]; compiled_for?: string };
    expect(out.format).toBe(f.endsWith('.json') ? 'tfjs' : 'tflite');
    expect(out.totals.nodes).toBeGreaterThan(0);
    if (COMPILED[f]) expect(out.compiled_for).toBe(COMPILED[f]);
    else if (!NO_MACS.has(f)) expect(out.totals.macs, f).toBeGreaterThan(0);
    // the file's shapes agree with the registry's rules; TF.js weight files next to model.json are read
    expect(out.warnings.filter((w) => /shape rule gives|weight files not read|unknown/.test(w))).toEqual([]);
  });

  it('predict --json over all of them: one JSON line per file, "compiled for" for delegate models', (ctx) => {
    const r = spawnSync(process.execPath, [CLI, 'predict', '--json', ...files.map((f) => join(SHARED, f))], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    if (lines.length === 0) {
      // The predictor itself could not load (e.g. weights being retrained): one line, no stack.
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      ctx.skip(`predictor not loadable here: ${r.stderr.trim()}`);
    }
    expect(lines).toHaveLength(files.length);
    const byFile = new Map(lines.map((l) => JSON.parse(l) as { file: string; error?: string; macs?: number; predictions?: unknown[] }).map((o) => [o.file, o]));
    for (const f of files) {
      const o = byFile.get(join(SHARED, f))!;
      expect(o, f).toBeDefined();
      if (COMPILED[f]) expect(o.error).toBe(`${join(SHARED, f)}: compiled for ${COMPILED[f]}: cost not predictable from the graph (analyse the model before compilation instead)`);
      else {
        expect(o.error, f).toBeUndefined();
        expect(o.predictions!.length, f).toBeGreaterThan(0);
      }
    }
    expect(r.status).toBe(1); // the delegate models are results without predictions
  });
});
