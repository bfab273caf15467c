/** `edgeperf targets`: the target registry with held-out accuracy. */
import { markdownTable } from 'markdown-table';
import { loadCliPredictor } from './common.ts';

/** Prints id, device, runtime, metrics and held-out MAPE per target (text table or JSON). */
export async function targetsCommand(opts: { json?: boolean; customTargets?: string[] }): Promise<number> {
  const predictor = await loadCliPredictor(opts.customTargets);
  const targets = predictor.targets();
  if (opts.json) {
    process.stdout.write(JSON.stringify(targets, null, 2) + '\n');
    return 0;
  }
  const rows = targets.map((t) => [
    t.id,
    t.device,
    t.runtime,
    t.metrics.join(', '),
    t.metrics
      .map((m) => {
        const a = t.accuracy?.[m];
        return a ? `${m} ${a.mape.toFixed(1)}% (n=${a.n})` : `${m} n/a`;
      })
      .join('; '),
  ]);
  process.stdout.write(markdownTable([['Id', 'Device', 'Runtime', 'Metrics', 'Held-out MAPE'], ...rows]) + '\n');
  return 0;
}
