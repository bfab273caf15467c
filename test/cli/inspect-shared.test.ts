/**
 * Acceptance: every ONNX file in ../shared/models goes through `edgeperf inspect` (the bundled
 * CLI) without an exception; a file it cannot read (the training graph) gets one line naming it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = resolve(ROOT, '../shared/models');
const files = existsSync(SHARED)
  ? readdirSync(SHARED, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.onnx'))
      .sort()
  : [];
const TRAINING_GRAPHS = new Set(['onnx-backend-small/test_gradient_of_add.onnx']);

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli.js'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
});

describe.skipIf(files.length === 0)(`edgeperf inspect on every ONNX file of ${SHARED} (absent: skipped)`, () => {
  it('finds the shared ONNX models', () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(files)('%s', (f) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'inspect', join(SHARED, f)], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    if (TRAINING_GRAPHS.has(f)) {
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(f.split('/').pop());
      expect(lines[0]).toMatch(/training graph/);
    } else {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/\| Total/);
    }
  });
});
