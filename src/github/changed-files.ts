/**
 * The model files a pull request changes: `pulls.listFiles` (paginated), filtered by globs.
 * GitHub lists at most 3000 files per pull request.
 */
import picomatch from 'picomatch';
import type { Octokit } from './octokit.ts';

/** How a file changed in the pull request. */
export type ChangeStatus = 'added' | 'modified' | 'removed' | 'renamed';

/** One changed model file. */
export interface ChangedFile {
  /** Repo-relative path at head (at base for a removed file). */
  path: string;
  status: ChangeStatus;
  /** Path at base for a renamed file. */
  previousPath?: string;
}

/** Maps GitHub's file statuses onto ours; `copied` is a new file, `changed` (mode) a modification. */
function mapStatus(s: string): ChangeStatus | null {
  switch (s) {
    case 'added':
    case 'copied':
      return 'added';
    case 'modified':
    case 'changed':
      return 'modified';
    case 'removed':
      return 'removed';
    case 'renamed':
      return 'renamed';
    default:
      return null; // 'unchanged'
  }
}

/**
 * Keeps files whose path (or previous path, for renames) matches any glob (picomatch, dot files
 * included). Pure.
 */
export function filterByGlobs(files: ChangedFile[], globs: string[]): ChangedFile[] {
  const isMatch = picomatch(globs, { dot: true });
  return files.filter((f) => isMatch(f.path) || (f.previousPath !== undefined && isMatch(f.previousPath)));
}

/**
 * Lists the pull request's changed files matching `globs`.
 * @throws the Octokit RequestError when the API call fails
 */
export async function listChangedModelFiles(
  octokit: Octokit,
  pr: { owner: string; repo: string; number: number },
  globs: string[],
): Promise<ChangedFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  const changed: ChangedFile[] = [];
  for (const f of files) {
    const status = mapStatus(f.status);
    if (!status) continue;
    const c: ChangedFile = { path: f.filename, status };
    if (status === 'renamed' && f.previous_filename) c.previousPath = f.previous_filename;
    changed.push(c);
  }
  return filterByGlobs(changed, globs);
}
