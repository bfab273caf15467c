/**
 * The bytes of a file at the pull request's base commit: from git in the workspace (fetching the
 * base commit once when the checkout is shallow), else from the contents API.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EdgePerfError } from '../core/errors.ts';
import type { Octokit } from './octokit.ts';

const exec = promisify(execFile);

/** Where to read base blobs from. */
export interface BaseBlobSource {
  /** The git work tree (GITHUB_WORKSPACE). */
  cwd: string;
  /** The base commit. */
  sha: string;
  octokit: Octokit;
  owner: string;
  repo: string;
  /** Called with a one-line note when falling back (fetch, contents API). */
  log?: (message: string) => void;
}

/** Largest blob read through git (bytes). */
const MAX_BLOB = 2 ** 31 - 1;

async function git(cwd: string, args: string[]): Promise<Buffer> {
  const { stdout } = await exec('git', args, { cwd, encoding: 'buffer', maxBuffer: MAX_BLOB });
  return stdout;
}

async function hasCommit(cwd: string, sha: string): Promise<boolean> {
  try {
    await git(cwd, ['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** Reads base blobs; remembers whether the base commit was fetched so it fetches at most once. */
export class BaseBlobReader {
  private fetched: Promise<boolean> | null = null;
  private gitUsable = true;

  constructor(private readonly src: BaseBlobSource) {}

  /**
   * The file's bytes at the base commit (`git cat-file blob <sha>:<path>`: the raw blob, like
   * `git show` without any filter). A Git LFS pointer comes back as the pointer text.
   * @param path repo-relative path at base
   * @throws EdgePerfError naming the path when neither git nor the contents API has it
   */
  async read(path: string): Promise<Buffer> {
    const { cwd, sha } = this.src;
    if (this.gitUsable) {
      try {
        if (!(await hasCommit(cwd, sha))) {
          if (!(await this.fetchOnce())) throw new Error('base commit not available');
        }
        return await git(cwd, ['cat-file', 'blob', `${sha}:${path}`]);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.gitUsable = false;
        this.src.log?.(`git could not read ${path} at ${sha.slice(0, 7)}; using the contents API`);
      }
    }
    return this.fromApi(path);
  }

  private fetchOnce(): Promise<boolean> {
    this.fetched ??= (async () => {
      this.src.log?.(`base commit ${this.src.sha.slice(0, 7)} not in the checkout; fetching it`);
      try {
        await git(this.src.cwd, ['fetch', '--no-tags', '--depth=1', 'origin', this.src.sha]);
        return true;
      } catch {
        return false;
      }
    })();
    return this.fetched;
  }

  private async fromApi(path: string): Promise<Buffer> {
    const { octokit, owner, repo, sha } = this.src;
    try {
      const res = await octokit.rest.repos.getContent({
        owner,
        repo,
        path,
        ref: sha,
        mediaType: { format: 'raw' },
        request: { parseSuccessResponseBody: false },
      });
      // With parseSuccessResponseBody: false the body is the raw stream: binary-safe.
      const body = res.data as unknown as ReadableStream<Uint8Array> | null;
      return Buffer.from(await new Response(body).arrayBuffer());
    } catch (e) {
      const status = (e as { status?: number }).status;
      throw new EdgePerfError(
        `${path}: cannot read the base version (commit ${sha.slice(0, 7)}) from git or the contents API` +
          (status ? ` (HTTP ${status})` : '') +
          '; use actions/checkout with fetch-depth: 0',
      );
    }
  }
}
