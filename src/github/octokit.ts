/**
 * The Octokit client. `getOctokit` from @actions/github takes its base URL from GITHUB_API_URL
 * (read when the module loads; default https://api.github.com), so GHES and local test servers work.
 */
import { getOctokit } from '@actions/github';

/** The REST client type the adapters take. */
export type Octokit = ReturnType<typeof getOctokit>;

/** A client authenticated with `token`. */
export function createOctokit(token: string): Octokit {
  return getOctokit(token);
}
