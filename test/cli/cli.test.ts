/** The bundled CLI (dist/cli.js) on real models. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const FIX = join(ROOT, 'test/fixtures/onnx');
let tmp: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli.js'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  tmp = mkdtempSync(join(tmpdir(), 'edgeperf-cli-'));
  writeFileSync(join(tmp, 'broken.onnx'), 'this is not a model');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('edgeperf predict', () => {
  it('prints one JSON object per file, continues past a bad file, exits 1', () => {
    const r = cli('predict', join(FIX, 'light_squeezenet.onnx'), 'broken.onnx', join(FIX, 'light_bvlc_alexnet.onnx'), '--json');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(Object.keys(lines[0])).toEqual(['file', 'format', 'nodes', 'macs', 'params', 'memory', 'predictions', 'warnings']);
    expect(lines[0].predictions.map((p: { target: string }) => p.target)).toEqual(['raspberry-pi-4', 'pixel-3']);
    expect(lines[0].predictions[0]).toMatchObject({ metric: 'latency', unit: 'ms' });
    expect(lines[0].predictions[0].value).toBeGreaterThan(0);
    expect(lines[1]).toEqual({ file: 'broken.onnx', error: expect.stringContaining('broken.onnx') });
    expect(lines[2].file).toMatch(/alexnet/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints each prediction as {target, metric, unit, value, interval, ood, ood_reasons}', () => {
    const r = cli('predict', join(FIX, 'light_bvlc_alexnet.onnx'), join(FIX, 'light_squeezenet.onnx'), '--json', '-t', 'pixel-3');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.file)).toEqual([join(FIX, 'light_bvlc_alexnet.onnx'), join(FIX, 'light_squeezenet.onnx')]);
    for (const l of lines) {
      expect(l.predictions).toHaveLength(1);
      const p = l.predictions[0];
      expect(Object.keys(p)).toEqual(['target', 'metric', 'unit', 'value', 'interval', 'ood', 'ood_reasons']);
      expect(p).toMatchObject({ target: 'pixel-3', metric: 'latency', unit: 'ms' });
      expect(p.interval[0]).toBeLessThan(p.value);
      expect(p.interval[1]).toBeGreaterThan(p.value);
      expect(typeof p.ood).toBe('boolean');
      expect(Array.isArray(p.ood_reasons)).toBe(true);
      expect(l.breakdown).toBeUndefined();
    }
  });

  it('--breakdown N: top layers per target with MACs, contribution, share and the overhead (JSON and text)', () => {
    const r = cli('predict', join(FIX, 'light_bvlc_alexnet.onnx'), '--json', '--breakdown', '3');
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(Object.keys(line)).toEqual(['file', 'format', 'nodes', 'macs', 'params', 'memory', 'predictions', 'breakdown', 'warnings']);
    expect(line.breakdown.map((b: { target: string }) => b.target)).toEqual(['raspberry-pi-4', 'pixel-3']);
    for (const [i, b] of line.breakdown.entries()) {
      expect(b.value).toBe(line.predictions[i].value);
      expect(b.layers).toHaveLength(3);
      // The top layer is one of AlexNet's convs or FCs (which one is the model's call).
      expect(b.layers[0].name).toMatch(/^(conv[1-5]|fc[6-8])$/);
      expect(b.layers[0].macs).toBeGreaterThan(4_000_000);
      expect(b.layers[0].share).toBeGreaterThanOrEqual(b.layers[1].share);
      expect(b.layers[0].share).toBeCloseTo(b.layers[0].value / b.value, 12);
      expect(b.rest.layers).toBe(line.nodes - 3);
      const total = b.layers.reduce((s: number, l: { value: number }) => s + l.value, 0) + b.rest.value + b.overhead.value;
      expect(Math.abs(total - b.value) / b.value).toBeLessThan(1e-6);
    }
    const text = cli('predict', join(FIX, 'light_bvlc_alexnet.onnx'), '-t', 'pixel-3', '--breakdown');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Top 10 layers on pixel-3, latency [0-9.]+ ms:/);
    expect(text.stdout).toMatch(/\| +1 \| (conv[1-5] +\| Conv|fc[6-8] +\| Gemm) +\| +[0-9.]+ M \| +[0-9.]+ ms \| +[0-9.]+% \|/);
    expect(text.stdout).toMatch(/\| +\| \(12 other layers\) +\|/);
    expect(text.stdout).toMatch(/\| +\| \(per-graph overhead\) +\|/);
    const misplaced = cli('predict', '--breakdown', join(FIX, 'light_bvlc_alexnet.onnx'));
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('put --breakdown after the files or write --breakdown=N');
  });

  it('exits 2 with the known ids for an unknown target', () => {
    const r = cli('predict', join(FIX, 'light_squeezenet.onnx'), '--target', 'toaster');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown target 'toaster'. Known targets: .*raspberry-pi-4/);
  });
});

describe('edgeperf diff / inspect / targets / synth', () => {
  it('diff prints the comment Markdown for the pair', () => {
    const r = cli('diff', join(FIX, 'light_squeezenet.onnx'), join(FIX, 'light_inception_v1.onnx'), '--target', 'pixel-3');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!-- edgeperf:default -->')).toBe(true);
    expect(r.stdout).toMatch(/\| pixel-3 \| latency \| [0-9.]+ ms → [0-9.]+ ms \|/);
  });

  it('diff --max-increase exits 1 when exceeded', () => {
    const r = cli('diff', join(FIX, 'light_squeezenet.onnx'), join(FIX, 'light_inception_v1.onnx'), '--max-increase', '5%');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('❌');
  });

  it('inspect prints a per-op table with totals', () => {
    const r = cli('inspect', join(FIX, 'light_bvlc_alexnet.onnx'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| Conv +\| +5 \|/);
    expect(r.stdout).toMatch(/\| Total/);
  });

  it('targets lists ids with held-out MAPE', () => {
    const r = cli('targets');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('raspberry-pi-4');
    expect(r.stdout).toContain('pixel-3');
  });

  it('synth nb201 writes one file per arch line', () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_1x1~2|';
    expect(cli('synth', 'nb201', arch, '-o', 'one.onnx').code).toBe(0);
    expect(existsSync(join(tmp, 'one.onnx'))).toBe(true);
    writeFileSync(join(tmp, 'archs.txt'), `${arch}\n${arch.replace('nor_conv_1x1', 'avg_pool_3x3')}\n`);
    expect(cli('synth', 'nb201', '--archs', 'archs.txt', '-o', 'out').code).toBe(0);
    expect(readdirSync(join(tmp, 'out')).sort()).toEqual(['0.onnx', '1.onnx']);
    const bad = cli('synth', 'nb201', '|nope~0|', '-o', 'x.onnx');
    expect(bad.code).toBe(2);
  });

  it('synth nb201 --archs checks every line first: a bad line is named and nothing is written', () => {
    const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_1x1~2|';
    writeFileSync(join(tmp, 'bad-archs.txt'), `${arch}\n|nope~0|\n`);
    const bad = cli('synth', 'nb201', '--archs', 'bad-archs.txt', '-o', 'badout');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^edgeperf: bad-archs.txt:2: nb201 arch '\|nope~0\|'/);
    expect(existsSync(join(tmp, 'badout'))).toBe(false);
    expect(cli('synth', 'nb201', arch, '--archs', 'bad-archs.txt', '-o', 'badout').stderr).toContain('not both');
    writeFileSync(join(tmp, 'darcy-archs.txt'), `${arch}\n\n${arch.replace('nor_conv_1x1', 'avg_pool_3x3')}\n`);
    expect(cli('synth', 'nb201', '--archs', 'darcy-archs.txt', '--task', 'darcy', '-o', 'darcy').code).toBe(0);
    expect(readdirSync(join(tmp, 'darcy')).sort()).toEqual(['0.onnx', '2.onnx']);
    const p = cli('predict', 'darcy/0.onnx', 'darcy/2.onnx', '--json', '-t', 'pixel-3');
    expect(p.code).toBe(0);
    const [a, b] = p.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(a.macs).toBeGreaterThan(b.macs);
  });
});

describe('edgeperf synth fbnet', () => {
  it('writes one model from 22 ops, one per --archs line (names, indices, JSON list), and rejects a bad op', () => {
    const ops = 'k3_e1,k3_e1_g2,k3_e3,k3_e6,k5_e1,k5_e1_g2,k5_e3,k5_e6,skip,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,k3_e1,skip';
    expect(cli('synth', 'fbnet', ops, '-o', 'fb/one.onnx').code).toBe(0);
    const inspect = cli('inspect', 'fb/one.onnx', '--json');
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('Transpose');
    writeFileSync(join(tmp, 'fb-archs.txt'), `${ops}\n\n${JSON.stringify(new Array(22).fill('skip'))}\n${new Array(22).fill(7).join(',')}\n`);
    expect(cli('synth', 'fbnet', '--archs', 'fb-archs.txt', '-o', 'fbout', '--dataset', 'imagenet').code).toBe(0);
    expect(readdirSync(join(tmp, 'fbout')).sort()).toEqual(['0.onnx', '2.onnx', '3.onnx']);
    const bad = cli('synth', 'fbnet', ops.replace('k5_e6', 'k7_e6'), '-o', 'bad.onnx');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown op 'k7_e6' at layer 7; valid ops: k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip/);
    writeFileSync(join(tmp, 'fb-bad.txt'), `${ops}\n${ops.replace('k5_e6', 'k7_e6')}\n`);
    const badLine = cli('synth', 'fbnet', '--archs', 'fb-bad.txt', '-o', 'fbbad');
    expect(badLine.code).toBe(2);
    expect(badLine.stderr).toMatch(/^edgeperf: fb-bad.txt:2: fbnet arch '.*': unknown op 'k7_e6' at layer 7/);
    expect(existsSync(join(tmp, 'fbbad'))).toBe(false);
  });
});
