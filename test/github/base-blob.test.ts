import { getOctokit } from '@actions/github';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseBlobReader } from '../../src/github/base-blob.ts';
import { startFakeGitHub, type FakeGitHub } from '../e2e/fake-github.ts';

const MODEL = readFileSync(resolve(import.meta.dirname, '../fixtures/onnx/light_bvlc_alexnet.onnx'));
let tmp: string;
let origin: string;
let baseSha: string;
let gh: FakeGitHub;
const git = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'edgeperf-blob-'));
  origin = join(tmp, 'origin');
  mkdirSync(join(origin, 'm'), { recursive: true });
  git(origin, 'init', '-q', '-b', 'main');
  git(origin, 'config', 'user.email', 'a@b.c');
  git(origin, 'config', 'user.name', 'a');
  writeFileSync(join(origin, 'm/x.onnx'), MODEL);
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'base');
  baseSha = git(origin, 'rev-parse', 'HEAD');
  writeFileSync(join(origin, 'm/x.onnx'), 'changed');
  git(origin, 'commit', '-q', '-am', 'head');
  gh = await startFakeGitHub({ owner: 'o', repo: 'r', number: 1, files: [], pageSize: 100, blobs: { [`${baseSha}:m/x.onnx`]: MODEL } });
});
afterAll(async () => {
  await gh.close();
  rmSync(tmp, { recursive: true, force: true });
});

const reader = (cwd: string, logs: string[]) =>
  new BaseBlobReader({ cwd, sha: baseSha, octokit: getOctokit('t', { baseUrl: gh.url }), owner: 'o', repo: 'r', log: (m) => logs.push(m) });

describe('BaseBlobReader', () => {
  it('reads the blob at the base commit with git, byte for byte', async () => {
    const logs: string[] = [];
    expect(Buffer.compare(await reader(origin, logs).read('m/x.onnx'), MODEL)).toBe(0);
    expect(logs).toEqual([]);
  });

  it('fetches the base commit once in a shallow clone', async () => {
    const ws = join(tmp, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth=1', `file://${origin}`, ws]);
    const logs: string[] = [];
    const r = reader(ws, logs);
    expect(Buffer.compare(await r.read('m/x.onnx'), MODEL)).toBe(0);
    expect(Buffer.compare(await r.read('m/x.onnx'), MODEL)).toBe(0);
    expect(logs.filter((l) => l.includes('fetching'))).toHaveLength(1);
  });

  it('falls back to the contents API (raw, binary-safe) outside a git repository', async () => {
    const plain = join(tmp, 'plain');
    mkdirSync(plain);
    const logs: string[] = [];
    expect(Buffer.compare(await reader(plain, logs).read('m/x.onnx'), MODEL)).toBe(0);
    expect(logs.join('\n')).toMatch(/contents API/);
    await expect(reader(plain, []).read('m/missing.onnx')).rejects.toThrow(/m\/missing\.onnx: cannot read the base version .*HTTP 404/);
  });
});
