import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterByGlobs, listChangedModelFiles } from '../../src/github/changed-files.ts';
import { upsertComment } from '../../src/github/comment.ts';
import { startFakeGitHub, type FakeGitHub } from '../e2e/fake-github.ts';

let gh: FakeGitHub;
const pr = { owner: 'o', repo: 'r', number: 5 };

beforeAll(async () => {
  gh = await startFakeGitHub({
    ...pr,
    pageSize: 2,
    files: [
      { filename: 'm/a.onnx', status: 'modified' },
      { filename: 'docs/x.md', status: 'added' },
      { filename: 'm/new-name.bin', status: 'renamed', previous_filename: 'm/old.onnx' },
      { filename: '.hidden/h.onnx', status: 'added' },
      { filename: 'm/gone.onnx', status: 'removed' },
    ],
  });
});
afterAll(() => gh.close());

const octokit = () => getOctokit('t', { baseUrl: gh.url });

describe('changed files', () => {
  it('follows pagination and keeps statuses, renames and dot files', async () => {
    const files = await listChangedModelFiles(octokit(), pr, ['**/*.onnx']);
    expect(files).toEqual([
      { path: 'm/a.onnx', status: 'modified' },
      { path: 'm/new-name.bin', status: 'renamed', previousPath: 'm/old.onnx' },
      { path: '.hidden/h.onnx', status: 'added' },
      { path: 'm/gone.onnx', status: 'removed' },
    ]);
    expect(gh.requests.filter((r) => r.path.includes('/files')).length).toBe(3);
  });

  it('filters by several globs', () => {
    expect(filterByGlobs([{ path: 'a/x.onnx', status: 'added' }, { path: 'b/y.onnx', status: 'added' }], ['a/**', 'c/**'])).toHaveLength(1);
  });
});

describe('upsertComment', () => {
  it('creates once, then updates by marker; warns (skipped) on 403', async () => {
    const t = { ...pr, issueNumber: 5, marker: '<!-- edgeperf:k -->' };
    const a = await upsertComment(octokit(), { ...t, body: '<!-- edgeperf:k -->\none' });
    expect(a.action).toBe('created');
    const b = await upsertComment(octokit(), { ...t, body: '<!-- edgeperf:k -->\ntwo' });
    expect(b).toMatchObject({ action: 'updated', id: (a as { id: number }).id });
    expect(gh.comments.map((c) => c.body)).toEqual(['<!-- edgeperf:k -->\ntwo']);
    const none = await upsertComment(octokit(), { ...t, marker: '<!-- edgeperf:z -->', body: 'x', create: false });
    expect(none.action).toBe('skipped');
    gh.denyWrites = 403;
    const c = await upsertComment(octokit(), { ...t, body: '<!-- edgeperf:k -->\nthree' });
    expect(c.action).toBe('skipped');
    expect((c as { reason: string }).reason).toMatch(/HTTP 403.*comment-body output/);
    gh.denyWrites = undefined;
  });
});
