/**
 * End to end: the bundled action (dist/index.js) against a local fake GitHub API and a real git
 * repository whose head commit modifies, adds, removes and renames real ONNX models; a second
 * pull request changes TFLite and TF.js models defaults-only (no `models` input).
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/predict/backend.ts';
import { baseHeadWeights } from '../../src/predict/custom-target.ts';
import { targetFile } from '../helpers/custom-target-file.ts';
import { loadBundledModel } from '../../src/predict/predictor.ts';
import { startFakeGitHub, type FakeGitHub, type PrFile } from './fake-github.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIX = join(ROOT, 'test/fixtures/onnx');
const OWNER = 'octo-org';
const REPO = 'vision-models';
const PR = 42;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

function put(repo: string, path: string, bytes: Buffer | string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), bytes);
}

/** Parses the GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM`). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let tmp: string;
let repo: string;
let baseSha: string;
let headSha: string;
let eventPath: string;
let gh: FakeGitHub;

async function runAction(inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const runDir = mkdtempSync(join(tmp, 'run-'));
  const outputFile = join(runDir, 'output');
  const summaryFile = join(runDir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmp,
    NO_PROXY: '127.0.0.1',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_REPOSITORY_OWNER: OWNER,
    GITHUB_WORKSPACE: repo,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: headSha,
    GITHUB_REF: `refs/pull/${PR}/merge`,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runDir,
    'INPUT_GITHUB-TOKEN': 'ghs_fake',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...extraEnv,
  };
  const child = spawn(process.execPath, [join(ROOT, 'dist/index.js')], { cwd: repo, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8') };
}

/** The PR event: GitHub's own example payload, patched to our repository and commits. */
function writeEvent(dir: string, base: string, head: string): string {
  const require = createRequire(import.meta.url);
  const defs = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, any>[] }[];
  const example = structuredClone(defs.find((d) => d.name === 'pull_request')!.examples.find((e) => e.action === 'synchronize' || e.action === 'opened')!);
  example.number = PR;
  example.pull_request.number = PR;
  example.pull_request.base.sha = base;
  example.pull_request.head.sha = head;
  for (const r of [example.repository, example.pull_request.base.repo, example.pull_request.head.repo]) {
    r.name = REPO;
    r.full_name = `${OWNER}/${REPO}`;
    r.owner.login = OWNER;
  }
  const path = join(dir, 'event.json');
  writeFileSync(path, JSON.stringify(example));
  return path;
}

const FILES: PrFile[] = [
  { filename: '.github/edgeperf.yml', status: 'added' },
  { filename: 'README.md', status: 'modified' },
  { filename: 'models/a.onnx', status: 'modified' },
  { filename: 'models/b.onnx', status: 'removed' },
  { filename: 'models/broken.onnx', status: 'added' },
  { filename: 'models/c.onnx', status: 'added' },
  { filename: 'models/d.onnx', status: 'renamed', previous_filename: 'models/old/d.onnx' },
  { filename: 'train/notes.txt', status: 'added' },
];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/index.js'))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'edgeperf-e2e-'));
  repo = join(tmp, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'ci@example.com');
  git(repo, 'config', 'user.name', 'CI');
  const squeeze = readFileSync(join(FIX, 'light_squeezenet.onnx'));
  // Base: a = SqueezeNet, b = AlexNet, old/d = SqueezeNet.
  put(repo, 'README.md', '# vision models\n');
  put(repo, 'models/a.onnx', squeeze);
  copyFileSync(join(FIX, 'light_bvlc_alexnet.onnx'), join(repo, 'models/b.onnx'));
  put(repo, 'models/old/d.onnx', squeeze);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  baseSha = git(repo, 'rev-parse', 'HEAD');
  // Head: a replaced by the bigger Inception v1, b removed, c added, d renamed, a corrupt model added.
  copyFileSync(join(FIX, 'light_inception_v1.onnx'), join(repo, 'models/a.onnx'));
  git(repo, 'rm', '-q', 'models/b.onnx');
  copyFileSync(join(FIX, 'light_bvlc_alexnet.onnx'), join(repo, 'models/c.onnx'));
  git(repo, 'mv', 'models/old/d.onnx', 'models/d.onnx');
  put(repo, 'models/broken.onnx', squeeze.subarray(0, 1000));
  put(repo, 'README.md', '# vision models\n\nNow with Inception.\n');
  put(repo, 'train/notes.txt', 'notes\n');
  put(
    repo,
    '.github/edgeperf.yml',
    'budgets:\n  - models: "models/c.onnx"\n    target: pixel-3\n    metric: latency\n    max: 0.001 ms\n    level: warn\n',
  );
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'head');
  headSha = git(repo, 'rev-parse', 'HEAD');

  eventPath = writeEvent(tmp, baseSha, headSha);

  gh = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    number: PR,
    files: FILES,
    pageSize: 2,
    comments: [
      { id: 1, body: 'LGTM, but see the report:\n> <!-- edgeperf:default -->\n> old numbers', user: { login: 'alice', type: 'User' } },
      { id: 2, body: '<!-- edgeperf:other-workflow -->\nanother report', user: { login: 'github-actions[bot]', type: 'Bot' } },
      { id: 3, body: 'ok', user: { login: 'bob', type: 'User' } },
    ],
  });
}, 300_000);

afterAll(async () => {
  await gh?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const ours = () => gh.comments.filter((c) => c.body.startsWith('<!-- edgeperf:default -->'));

describe('the action on a pull request', () => {
  let first: RunResult;
  let second: RunResult;

  it('fails when max-increase 5% is exceeded, and creates one comment', async () => {
    first = await runAction({ 'max-increase': '5%', targets: 'raspberry-pi-4,pixel-3' });
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toMatch(/::error::EdgePerf budget exceeded: models\/a\.onnx /);
    expect(first.outputs.exceeded).toBe('true');
    expect(ours()).toHaveLength(1);
    expect(gh.comments).toHaveLength(4);
    // Pagination was followed for both list endpoints (2 items per page).
    expect(gh.requests.filter((r) => r.path.includes(`/pulls/${PR}/files`)).length).toBe(4);
    expect(gh.requests.some((r) => r.path.includes('/comments') && r.path.includes('page=2'))).toBe(true);
  });

  it('passes with max-increase 1000% and updates the same comment', async () => {
    const id = ours()[0]!.id;
    second = await runAction({ 'max-increase': '1000%' });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.outputs.exceeded).toBe('false');
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.id).toBe(id);
    expect(gh.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/comments/${id}`))).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    // Other comments untouched.
    expect(gh.comments.find((c) => c.id === 2)!.body).toBe('<!-- edgeperf:other-workflow -->\nanother report');
  });

  it('writes the rendered comment to EDGEPERF_E2E_DUMP when set (for reviewing the Markdown)', () => {
    if (process.env.EDGEPERF_E2E_DUMP) {
      writeFileSync(process.env.EDGEPERF_E2E_DUMP, ours()[0]!.body);
      writeFileSync(`${process.env.EDGEPERF_E2E_DUMP}.log`, first.stdout + first.stderr);
    }
  });

  it('puts the same Markdown in the comment, the job summary and the comment-body output', () => {
    const body = ours()[0]!.body;
    expect(second.outputs['comment-body']).toBe(body);
    expect(second.summary.trim()).toBe(body.trim());
  });

  it('names every changed model and every target; shows added, removed, renamed and errors', () => {
    const md = ours()[0]!.body;
    for (const m of ['models/a.onnx', 'models/b.onnx', 'models/c.onnx', 'models/d.onnx', 'models/broken.onnx']) {
      expect(md).toContain('`' + m + '`');
    }
    for (const t of ['raspberry-pi-4', 'pixel-3']) expect(md).toContain(`| ${t} | latency |`);
    expect(md).not.toContain('README.md');
    expect(md).toMatch(/`models\/b\.onnx` \| raspberry-pi-4 \| latency \| [0-9.]+ ms → — \|.*🗑️ removed/);
    expect(md).toMatch(/`models\/c\.onnx` \| raspberry-pi-4 \| latency \| — → [0-9.]+ ms \|.*🆕 new/);
    expect(md).toContain('`models/d.onnx` (renamed from `models/old/d.onnx`)');
    expect(md).toMatch(/\| `models\/broken\.onnx` \|.*❌ not analysed \|/);
    expect(md).toMatch(/<details><summary>Errors \(1\)<\/summary>\n\n- models\/broken\.onnx: /);
    expect(md).toContain('⚠️ 1 budget warning');
    expect(md).toMatch(/\*\*5 models\*\* \(1 changed, 2 new, 1 removed, 1 unchanged, 1 not analysed\)|\*\*5 models\*\*/);
  });

  it('writes the JSON report under RUNNER_TEMP', () => {
    const j = JSON.parse(readFileSync(second.outputs.report!, 'utf8'));
    expect(j.version).toBe(1);
    expect(j.models.map((m: { file: string }) => m.file)).toEqual(['models/a.onnx', 'models/b.onnx', 'models/broken.onnx', 'models/c.onnx', 'models/d.onnx']);
    const a = j.models[0];
    expect(a.status).toBe('changed');
    expect(a.entries.filter((e: { metric: string }) => e.metric === 'latency').map((e: { target: string }) => e.target)).toEqual(['raspberry-pi-4', 'pixel-3']);
  });

  it('does not modify the workspace', () => {
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(headSha);
  });

  it('warns but succeeds when the token cannot comment (fork PR)', async () => {
    gh.denyWrites = 403;
    try {
      const before = ours()[0]!.body;
      const r = await runAction({ 'max-increase': '1000%' });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/::warning::EdgePerf did not comment: the token cannot write/);
      expect(r.summary).toContain('<!-- edgeperf:default -->');
      expect(r.outputs['comment-body']).toContain('| `models/a.onnx` |');
      expect(ours()[0]!.body).toBe(before);
    } finally {
      gh.denyWrites = undefined;
    }
  });

  it('skips other events with a notice and exit code 0', async () => {
    const r = await runAction({}, { GITHUB_EVENT_NAME: 'push' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/::notice::EdgePerf reports on pull requests; event 'push' is skipped/);
  });

  it('fails with one line naming the input for an invalid input', async () => {
    const r = await runAction({ 'max-increase': 'lots' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::max-increase: 'lots' is not a percentage/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('predicts a calibrated target loaded with custom-targets, and fails naming it when the file is missing', async () => {
    await initBackend();
    const model = loadBundledModel();
    const base = baseHeadWeights(model, 'raspberry-pi-4/latency');
    const file = {
      ...targetFile('my-dev', { ...base, scale: base.scale * 3 }, model, { optimization: 'all', cpu: 'Cortex-A76', machine: {} }),
      device: 'My board',
      interval: { lo: 0.9, hi: 1.1, n: 50 },
      accuracy: { n: 50, mape: 5, within10: 0.85, kendallTau: 0.9, folds: 5 },
      trainingCount: 50,
      labelRange: [0.5, 50] as [number, number],
    };
    put(repo, 'edgeperf-targets/my-dev.json', JSON.stringify(file));
    try {
      const r = await runAction({ 'max-increase': '1000%', 'custom-targets': 'edgeperf-targets/*.json', targets: 'raspberry-pi-4, my-dev', comment: 'false' });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('EdgePerf: custom targets my-dev (edgeperf-targets/my-dev.json)');
      expect(r.outputs['comment-body']).toContain('| my-dev | latency |');
      const j = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
      const entries = j.models[0].entries.filter((e: { metric: string }) => e.metric === 'latency');
      const pi = entries.find((e: { target: string }) => e.target === 'raspberry-pi-4');
      const mine = entries.find((e: { target: string }) => e.target === 'my-dev');
      expect(mine.head / pi.head).toBeCloseTo(3, 2);
      const missing = await runAction({ 'custom-targets': 'targets/none.json', targets: 'my-dev', comment: 'false' });
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/::error::custom-targets: file 'targets\/none\.json' not found/);
    } finally {
      rmSync(join(repo, 'edgeperf-targets'), { recursive: true, force: true });
    }
  });
});

describe('the action on a pull request that changes TFLite and TF.js models (default globs)', () => {
  const TFL = join(ROOT, 'test/fixtures/tflite');
  const TFJS = join(ROOT, 'test/fixtures/tfjs/selfie');
  let run: RunResult;
  let firstGh: FakeGitHub;

  beforeAll(async () => {
    firstGh = gh;
    const dir = mkdtempSync(join(tmp, 'tflite-pr-'));
    repo = join(dir, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.email', 'ci@example.com');
    git(repo, 'config', 'user.name', 'CI');
    // Base: the float keyword-spotting model, and a package manifest named model.json.
    copyFileSync(join(TFL, 'kws_ref_model_float32.tflite'), join(repo, 'kws.tflite'));
    put(repo, 'web/model.json', JSON.stringify({ name: 'not-a-model', version: '1.0.0' }));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'base');
    baseSha = git(repo, 'rev-parse', 'HEAD');
    // Head: the int8 copy replaces it; a TF.js graph model and a Vela-compiled model are added;
    // the manifest changes.
    copyFileSync(join(TFL, 'kws_ref_model.tflite'), join(repo, 'kws.tflite'));
    put(repo, 'web/model.json', JSON.stringify({ name: 'not-a-model', version: '1.0.1' }));
    put(repo, 'web/selfie/model.json', readFileSync(join(TFJS, 'selfie.json')));
    copyFileSync(join(TFJS, 'selfie.bin'), join(repo, 'web/selfie/selfie.bin'));
    copyFileSync(join(TFL, 'person_detect_vela.tflite'), join(repo, 'person_detect_vela.tflite'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'head');
    headSha = git(repo, 'rev-parse', 'HEAD');
    eventPath = writeEvent(dir, baseSha, headSha);
    gh = await startFakeGitHub({
      owner: OWNER,
      repo: REPO,
      number: PR,
      files: [
        { filename: 'kws.tflite', status: 'modified' },
        { filename: 'person_detect_vela.tflite', status: 'added' },
        { filename: 'web/model.json', status: 'modified' },
        { filename: 'web/selfie/model.json', status: 'added' },
        { filename: 'web/selfie/selfie.bin', status: 'added' },
      ],
      pageSize: 10,
    });
    run = await runAction({ targets: 'raspberry-pi-4' });
  }, 300_000);

  afterAll(async () => {
    await gh?.close();
    gh = firstGh;
  });

  it('reports the changed .tflite and the added TF.js graph model; skips the non-model model.json', () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('EdgePerf: skipped web/model.json: not a TF.js graph model');
    const md = ours()[0]!.body;
    expect(md).toMatch(/`kws\.tflite` \| raspberry-pi-4 \| latency \| [0-9.]+ ms → [0-9.]+ ms \|/);
    expect(md).toMatch(/`web\/selfie\/model\.json` \| raspberry-pi-4 \| latency \| — → [0-9.]+ ms \|.*🆕 new/);
    expect(md).not.toContain('`web/model.json`');
    expect(md).not.toContain('selfie.bin');
  });

  it('reports the compiled Vela model as not predictable, not as a near-zero latency', () => {
    const md = ours()[0]!.body;
    expect(md).toContain('| `person_detect_vela.tflite` | — | — | — | — | — | — | ⏭️ compiled for ethos-u |');
    expect(md).not.toContain('❌ not analysed');
    expect(md).toContain('<details><summary>Not predictable (1)</summary>');
    expect(md).toContain('person_detect_vela.tflite: compiled for ethos-u: cost not predictable from the graph');
  });

  it('the JSON report lists exactly the three models', () => {
    const j = JSON.parse(readFileSync(run.outputs.report!, 'utf8'));
    expect(j.models.map((m: { file: string }) => m.file)).toEqual(['kws.tflite', 'person_detect_vela.tflite', 'web/selfie/model.json']);
  });
});
