/**
 * The workflow event: which pull request, which base and head commits. Reads GITHUB_EVENT_NAME
 * and the payload at GITHUB_EVENT_PATH.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

/** The pull request the action reports on. */
export interface PullRequestEvent {
  /** `pull_request` or `pull_request_target`. */
  eventName: string;
  owner: string;
  repo: string;
  number: number;
  baseSha: string;
  headSha: string;
  /** True when the head is in another repository (a fork): the token is then read-only. */
  fromFork: boolean;
}

/** Events the action reports on. */
export const PR_EVENTS = ['pull_request', 'pull_request_target'] as const;

const payloadSchema = z.object({
  pull_request: z.object({
    number: z.number(),
    base: z.object({ sha: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
    head: z.object({ sha: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
  }),
  repository: z.object({ name: z.string(), owner: z.object({ login: z.string() }) }),
});

/**
 * Reads the event from the environment GitHub sets.
 * @returns the pull request, or `null` when the event is not a pull request event
 * @throws ConfigError when GITHUB_EVENT_PATH is missing or the payload lacks pull request fields
 */
export function readPullRequestEvent(env: NodeJS.ProcessEnv = process.env): PullRequestEvent | null {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  if (!(PR_EVENTS as readonly string[]).includes(eventName)) return null;
  const path = env.GITHUB_EVENT_PATH;
  if (!path) throw new ConfigError('GITHUB_EVENT_PATH', 'not set; run the action from a GitHub workflow');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, `cannot read the event payload: ${(e as Error).message}`);
  }
  const parsed = payloadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(path, `not a ${eventName} payload: ${issue.path.join('.')}: ${issue.message}`);
  }
  const p = parsed.data;
  const baseRepo = p.pull_request.base.repo?.full_name;
  const headRepo = p.pull_request.head.repo?.full_name;
  return {
    eventName,
    owner: p.repository.owner.login,
    repo: p.repository.name,
    number: p.pull_request.number,
    baseSha: p.pull_request.base.sha,
    headSha: p.pull_request.head.sha,
    fromFork: headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo,
  };
}
