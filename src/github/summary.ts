/** The job summary (GITHUB_STEP_SUMMARY) via @actions/core. */
import * as core from '@actions/core';

/**
 * Appends `markdown` to the job summary.
 * @returns false (with a warning logged) when the summary file is not available
 */
export async function writeJobSummary(markdown: string): Promise<boolean> {
  try {
    await core.summary.addRaw(markdown, true).write();
    return true;
  } catch (e) {
    core.warning(`could not write the job summary: ${(e as Error).message}`);
    return false;
  }
}
