/**
 * The GitHub Action entry: inputs → event → changed model files → base/head bytes → analysis
 * and prediction → diff → budgets → comment, job summary, outputs. The only place that calls
 * `core.setFailed`; no stack trace reaches the user.
 */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { parseBudgetsFile } from './config/budgets-file.ts';
import { maxIncreaseRule, parseInputs, type ActionInputs } from './config/inputs.ts';
import { ConfigError, describeError } from './core/errors.ts';
import { createEvaluator, resolveTargets } from './core/pipeline.ts';
import { skipReason } from './formats/detect.ts';
import { tfjsWeightPaths } from './formats/tfjs.ts';
import type { ModelResult, Predictor } from './core/types.ts';
import { BaseBlobReader } from './github/base-blob.ts';
import { listChangedModelFiles, type ChangedFile } from './github/changed-files.ts';
import { upsertComment } from './github/comment.ts';
import { readPullRequestEvent, type PullRequestEvent } from './github/event.ts';
import { createOctokit, type Octokit } from './github/octokit.ts';
import { writeJobSummary } from './github/summary.ts';
import { findCustomTargetFiles, loadCustomTargets } from './predict/custom-target.ts';
import { loadPredictor } from './predict/predictor.ts';
import type { BudgetRule } from './report/budget.ts';
import type { ModelPair } from './report/diff.ts';
import { toJsonReport } from './report/json.ts';
import { commentMarker, renderMarkdown } from './report/markdown.ts';
import { buildReport, type Report } from './report/report.ts';

/** Budget rules from the config file (if present) and the `max-increase` input. */
async function loadRules(inputs: ActionInputs, workspace: string): Promise<BudgetRule[]> {
  const rules: BudgetRule[] = [];
  const path = resolve(workspace, inputs.config);
  if (existsSync(path)) {
    rules.push(...parseBudgetsFile(await readFile(path, 'utf8'), inputs.config));
  } else if (!inputs.configIsDefault) {
    throw new ConfigError('config', `file '${inputs.config}' not found in the workspace`);
  }
  if (inputs.maxIncrease !== null) rules.push(maxIncreaseRule(inputs.maxIncrease));
  return rules;
}

/** Reads base and head bytes of each changed file and evaluates both sides. */
async function evaluatePairs(
  files: ChangedFile[],
  inputs: ActionInputs,
  predictor: Predictor,
  workspace: string,
  baseReader: BaseBlobReader,
): Promise<ModelPair[]> {
  const evaluate = createEvaluator(predictor, inputs.targets, inputs.inputShapes ? { inputShapes: inputs.inputShapes } : {});
  const readSide = async (file: string, read: () => Promise<Uint8Array>): Promise<Uint8Array | ModelResult> => {
    try {
      return await read();
    } catch (e) {
      const message = describeError(e);
      return { ok: false, file, error: message.includes(file) ? message : `${file}: ${message}` };
    }
  };
  /** TF.js weight files next to a model.json, read with `read` (missing ones are skipped). */
  const shards = async (file: string, bytes: Uint8Array, read: (path: string) => Promise<Uint8Array>): Promise<Record<string, Uint8Array> | undefined> => {
    const paths = tfjsWeightPaths(bytes);
    if (paths.length === 0) return undefined;
    const out: Record<string, Uint8Array> = {};
    for (const p of paths) {
      try {
        out[p] = await read(posix.join(posix.dirname(file), p));
      } catch {
        // optional: the reader warns that constant values were not available
      }
    }
    return out;
  };
  const readHead = async (path: string): Promise<Uint8Array> => {
    const full = join(workspace, path);
    if (!existsSync(full)) throw new Error(`not in the workspace; check out the pull request head before this step`);
    return readFile(full);
  };
  const pairs: ModelPair[] = [];
  for (const f of files) {
    const basePath = f.previousPath ?? f.path;
    const head = f.status === 'removed' ? null : await readSide(f.path, () => readHead(f.path));
    const base = f.status === 'added' ? null : await readSide(basePath, () => baseReader.read(basePath));
    // `**/model.json` also matches JSON that is not a TF.js graph model: skip it, do not report.
    const reasons = [head, base].map((b, i) => (b instanceof Uint8Array ? skipReason(i === 0 ? f.path : basePath, b) : b ? undefined : 'absent'));
    const reason = reasons.find((r) => r && r !== 'absent');
    if (reason && reasons.every((r) => r !== undefined)) {
      core.info(`EdgePerf: skipped ${f.path}: ${reason}`);
      continue;
    }
    core.info(`EdgePerf: ${f.status} ${f.previousPath ? `${f.previousPath} → ` : ''}${f.path}`);
    const run = async (file: string, b: Uint8Array | ModelResult | null, read: (path: string) => Promise<Uint8Array>): Promise<ModelResult | null> => {
      if (b === null) return null;
      if (!(b instanceof Uint8Array)) return b;
      return evaluate(b, file, await shards(file, b, read));
    };
    const pair: ModelPair = {
      file: f.path,
      head: await run(f.path, head, readHead),
      base: await run(basePath, base, (p) => baseReader.read(p)),
    };
    if (f.previousPath) pair.previousFile = f.previousPath;
    pairs.push(pair);
  }
  return pairs;
}

/** Writes the JSON report under RUNNER_TEMP (or the OS temp dir); returns its path. */
async function writeJsonReport(report: Report): Promise<string> {
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), 'edgeperf');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `report-${report.key}.json`);
  await writeFile(path, JSON.stringify(toJsonReport(report), null, 2) + '\n');
  return path;
}

/** Posts the comment (when asked) and warns instead of failing when the token is read-only. */
async function postComment(
  octokit: Octokit,
  inputs: ActionInputs,
  event: PullRequestEvent,
  body: string,
  hasModels: boolean,
): Promise<void> {
  const res = await upsertComment(octokit, {
    owner: event.owner,
    repo: event.repo,
    issueNumber: event.number,
    marker: commentMarker(inputs.commentKey),
    body,
    // No model changed: update an earlier comment (models reverted) but do not add noise.
    create: hasModels,
  });
  if (res.action === 'skipped') {
    if (hasModels) core.warning(`EdgePerf did not comment: ${res.reason}`);
  } else {
    core.info(`EdgePerf: ${res.action} comment ${res.url}`);
  }
}

/** The action. Resolves after setting outputs; sets the failure itself, never throws. */
export async function run(): Promise<void> {
  try {
    const inputs = parseInputs((name) => core.getInput(name));
    const event = readPullRequestEvent(process.env);
    if (!event) {
      core.notice(
        `EdgePerf reports on pull requests; event '${process.env.GITHUB_EVENT_NAME ?? 'unknown'}' is skipped. ` +
          'Trigger the workflow with on: pull_request.',
      );
      return;
    }
    if (!inputs.token) throw new ConfigError('github-token', 'empty; pass ${{ github.token }} or a token with pull-requests: write');
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const rules = await loadRules(inputs, workspace);
    const octokit = createOctokit(inputs.token);

    const files = await listChangedModelFiles(octokit, event, inputs.models);
    core.info(`EdgePerf: ${files.length} changed model file(s) match ${inputs.models.join(', ')}`);

    const customFiles = inputs.customTargets.length > 0 ? await findCustomTargetFiles(inputs.customTargets, workspace) : [];
    const customTargets = await loadCustomTargets(customFiles, workspace);
    if (customTargets.length > 0) core.info(`EdgePerf: custom targets ${customTargets.map((t) => `${t.data.id} (${t.file})`).join(', ')}`);
    const predictor = await loadPredictor({ customTargets });
    const targets = resolveTargets(predictor, inputs.targets);
    const baseReader = new BaseBlobReader({
      cwd: workspace,
      sha: event.baseSha,
      octokit,
      owner: event.owner,
      repo: event.repo,
      log: (m) => core.info(`EdgePerf: ${m}`),
    });
    const pairs = await evaluatePairs(files, inputs, predictor, workspace, baseReader);
    for (const p of pairs) {
      for (const r of [p.base, p.head]) if (r && !r.ok) core.warning(r.error, { file: r.file });
    }

    const report = buildReport(pairs, rules, targets, { key: inputs.commentKey, globs: inputs.models });
    const markdown = renderMarkdown(report);
    const reportPath = await writeJsonReport(report);

    core.setOutput('report', reportPath);
    core.setOutput('comment-body', markdown);
    core.setOutput('exceeded', report.budget.exceeded ? 'true' : 'false');
    await writeJobSummary(markdown);
    if (inputs.comment) await postComment(octokit, inputs, event, markdown, pairs.length > 0);

    if (report.budget.exceeded) {
      if (inputs.failOn === 'error') core.setFailed(report.budget.reason);
      else core.warning(report.budget.reason);
    }
  } catch (e) {
    core.setFailed(describeError(e));
  }
}

await run();
