/**
 * The one EdgePerf comment per pull request (and comment key): found by its hidden marker,
 * updated in place, or created.
 */
import type { Octokit } from './octokit.ts';

/** What `upsertComment` did. */
export type UpsertResult =
  | { action: 'created' | 'updated'; id: number; url: string }
  | { action: 'skipped'; reason: string };

/** Where and what to post. */
export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
  /** Hidden marker the body starts with (see `commentMarker`). */
  marker: string;
  body: string;
  /** Create a comment when none exists (default true); false only updates an existing one. */
  create?: boolean;
}

/**
 * Finds the existing comment whose body starts with `marker` (so quotes of it do not count).
 * @returns its id, or `null`
 */
export async function findComment(
  octokit: Octokit,
  t: Pick<CommentTarget, 'owner' | 'repo' | 'issueNumber' | 'marker'>,
): Promise<number | null> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: t.owner,
    repo: t.repo,
    issue_number: t.issueNumber,
    per_page: 100,
  });
  const ours = comments.find((c) => (c.body ?? '').trimStart().startsWith(t.marker));
  return ours ? ours.id : null;
}

/**
 * Updates our comment or creates it. A 403/404 from the API (read-only token on fork pull
 * requests) is not an error: the result says `skipped` with the reason, for the caller to warn.
 * @throws the Octokit RequestError for other failures
 */
export async function upsertComment(octokit: Octokit, t: CommentTarget): Promise<UpsertResult> {
  try {
    const id = await findComment(octokit, t);
    if (id !== null) {
      const res = await octokit.rest.issues.updateComment({ owner: t.owner, repo: t.repo, comment_id: id, body: t.body });
      return { action: 'updated', id, url: res.data.html_url };
    }
    if (t.create === false) return { action: 'skipped', reason: 'no existing comment to update' };
    const res = await octokit.rest.issues.createComment({
      owner: t.owner,
      repo: t.repo,
      issue_number: t.issueNumber,
      body: t.body,
    });
    return { action: 'created', id: res.data.id, url: res.data.html_url };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 403 || status === 404) {
      return {
        action: 'skipped',
        reason:
          `the token cannot write pull request comments (HTTP ${status}; fork pull requests get a read-only token). ` +
          'The report is in the job summary and the comment-body output; see the workflow_run recipe in the README to post it.',
      };
    }
    throw e;
  }
}
