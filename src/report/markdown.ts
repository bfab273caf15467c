/**
 * The PR comment (also the job summary and the `comment-body` output): a hidden marker, a
 * summary line, the diff table, and collapsed details. Pure.
 */
import { markdownTable } from 'markdown-table';
import type { BudgetedDiff, BudgetedRow, Verdict } from './budget.ts';
import type { DiffStatus } from './diff.ts';
import type { Report } from './report.ts';
import { formatBytes, formatCount, formatDelta, formatPercent, formatValue, type RowMetric } from './units.ts';

/** GitHub rejects comment bodies over 65 536 characters; keep a margin. */
export const MAX_COMMENT_CHARS = 65_000;

/** The hidden HTML marker that identifies our comment for `key`. */
export function commentMarker(key = 'default'): string {
  return `<!-- edgeperf:${key} -->`;
}

/** Options of `renderMarkdown`. */
export interface MarkdownOptions {
  /** Upper bound on the output length in characters (default `MAX_COMMENT_CHARS`). */
  maxChars?: number;
}

const STATUS_TEXT: Record<DiffStatus, string> = {
  new: '🆕 new',
  removed: '🗑️ removed',
  changed: 'changed',
  unchanged: 'unchanged',
  compiled: '⏭️ compiled',
  error: '❌ not analysed',
};

/**
 * The status text of a model's row: `⏭️ compiled for <delegate>` for a model compiled for an
 * accelerator, else the status's own text.
 */
function statusText(status: DiffStatus, d: BudgetedDiff): string {
  return status === 'compiled' && d.compiledFor ? `⏭️ compiled for ${cell(d.compiledFor)}` : STATUS_TEXT[status];
}

/** Escapes text for a table cell (pipes and newlines would break the row). */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A path in code style, safe inside a table cell. */
function code(text: string): string {
  return '`' + cell(text).replace(/`/g, "'") + '`';
}

function modelCell(d: BudgetedDiff): string {
  return d.previousFile ? `${code(d.file)} (renamed from ${code(d.previousFile)})` : code(d.file);
}

function valueOrDash(v: number | null, metric: RowMetric): string {
  return v === null ? '—' : formatValue(v, metric);
}

function budgetCell(v: Verdict): string {
  switch (v.level) {
    case 'none':
      return '—';
    case 'ok':
      return '✅';
    default:
      return `${v.level === 'error' ? '❌' : '⚠️'} ${cell(v.violations.map((x) => x.text).join('; '))}`;
  }
}

function statusCell(r: BudgetedRow, d: BudgetedDiff): string {
  return statusText(r.status, d) + (r.ood ? ' · OOD' : '');
}

/** Rows the main table shows for a model: predicted metrics, memory, and any budget-flagged row. */
function shownRows(d: BudgetedDiff): BudgetedRow[] {
  return d.rows.filter(
    (r) => r.target !== '*' || r.metric === 'memory' || r.verdict.level === 'warn' || r.verdict.level === 'error',
  );
}

function tableRows(d: BudgetedDiff): string[][] {
  const rows = shownRows(d);
  if (rows.length === 0) {
    return [[modelCell(d), '—', '—', '—', '—', '—', '—', statusText(d.status, d)]];
  }
  return rows.map((r, i) => [
    i === 0 ? modelCell(d) : '',
    r.target === '*' ? 'all' : r.target,
    r.metric,
    `${valueOrDash(r.base, r.metric)} → ${valueOrDash(r.head, r.metric)}`,
    r.delta === null ? '—' : formatDelta(r.delta, r.metric),
    r.deltaPct === null ? '—' : formatPercent(r.deltaPct),
    budgetCell(r.verdict),
    statusCell(r, d),
  ]);
}

function mainTable(models: BudgetedDiff[]): string {
  const header = ['Model', 'Target', 'Metric', 'Base → Head', 'Δ', 'Δ%', 'Budget', 'Status'];
  return markdownTable([header, ...models.flatMap(tableRows)], {
    align: ['l', 'l', 'l', 'r', 'r', 'r', 'l', 'l'],
    alignDelimiters: false,
  });
}

function countModels(models: BudgetedDiff[]): string {
  const n = models.length;
  const by = (s: DiffStatus) => models.filter((m) => m.status === s).length;
  const parts = (
    [
      ['changed', by('changed')],
      ['new', by('new')],
      ['removed', by('removed')],
      ['unchanged', by('unchanged')],
      ['not predictable', by('compiled')],
      ['not analysed', by('error')],
    ] as const
  )
    .filter(([, c]) => c > 0)
    .map(([label, c]) => `${c} ${label}`);
  return `**${n} model${n === 1 ? '' : 's'}** (${parts.join(', ')})`;
}

/** The largest relative change of a predicted metric, phrased for people. */
function worstChange(models: BudgetedDiff[]): string {
  const rows = models.flatMap((m) => m.rows).filter((r) => r.target !== '*' && r.deltaPct !== null && r.status === 'changed');
  if (rows.length === 0) {
    const newest = models.flatMap((m) => m.rows).filter((r) => r.target !== '*' && r.status === 'new' && r.metric === 'latency');
    return newest.length > 0 ? 'no predicted change to existing models' : 'no predicted change';
  }
  const up = rows.reduce((a, b) => (b.deltaPct! > a.deltaPct! ? b : a));
  const r = up.deltaPct! > 0 ? up : rows.reduce((a, b) => (b.deltaPct! < a.deltaPct! ? b : a));
  const pct = Math.abs(r.deltaPct! * 100).toFixed(1);
  const what =
    r.metric === 'latency'
      ? `${pct}% ${r.deltaPct! > 0 ? 'slower' : 'faster'}`
      : `${pct}% ${r.deltaPct! > 0 ? 'more' : 'less'} ${r.metric}`;
  return `${r.deltaPct! > 0 ? 'worst' : 'best'}: ${code(r.model)} is **${what}** on ${r.target}`;
}

function budgetLine(report: Report): string {
  const b = report.budget;
  if (b.errors > 0) {
    return `❌ ${b.errors} over budget${b.warnings > 0 ? `, ⚠️ ${b.warnings} warning${b.warnings === 1 ? '' : 's'}` : ''}`;
  }
  if (b.warnings > 0) return `⚠️ ${b.warnings} budget warning${b.warnings === 1 ? '' : 's'}`;
  if (b.checked > 0) return '✅ within budget';
  return 'no budgets set';
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function layersSection(report: Report): string | null {
  // Removed models would only list their own layers as negative changes: left out.
  const withLayers = report.models.filter((m) => m.layers.length > 0 && m.status !== 'removed');
  if (withLayers.length === 0) return null;
  const blocks = withLayers.map((m) => {
    const order = new Map(report.targets.map((t, i) => [t.id, i]));
    const keys = [
      ...new Set(
        m.layers
          .flatMap((l) => l.deltas)
          .sort((a, b) => (order.get(a.target) ?? 1e9) - (order.get(b.target) ?? 1e9))
          .map((d) => `${d.target} ${d.metric}`),
      ),
    ];
    const header = ['Layer', 'Op', 'Change', ...keys.map((k) => `Δ ${k}`)];
    const rows = m.layers.map((l) => [
      code(l.name),
      cell(l.op),
      l.status,
      ...keys.map((k) => {
        const d = l.deltas.find((x) => `${x.target} ${x.metric}` === k);
        return d ? formatDelta(d.delta, d.metric) : '—';
      }),
    ]);
    return `**${code(m.file)}**\n\n${markdownTable([header, ...rows], { alignDelimiters: false, align: ['l', 'l', 'l', ...keys.map(() => 'r')] })}`;
  });
  return details('Top layers by change in predicted contribution', blocks.join('\n\n'));
}

function targetsSection(report: Report): string | null {
  if (report.targets.length === 0) return null;
  const acc = report.targets.map((t) => {
    const a = t.accuracy?.latency ?? Object.values(t.accuracy ?? {})[0];
    return [
      t.id,
      cell(t.device),
      cell(t.runtime),
      a ? `${a.mape.toFixed(1)}%` : 'n/a',
      a ? `${(a.within10 * 100).toFixed(0)}%` : 'n/a',
      a ? String(a.n) : 'n/a',
    ];
  });
  let body = markdownTable([['Target', 'Device', 'Runtime', 'Held-out MAPE', 'Within ±10%', 'n'], ...acc], {
    alignDelimiters: false,
  });
  const intervals = report.models.flatMap((m) =>
    m.rows
      .filter((r) => r.target !== '*' && r.head !== null)
      .map((r) => [
        code(m.file),
        r.target,
        r.metric,
        formatValue(r.head!, r.metric),
        r.interval ? `${formatValue(r.interval[0], r.metric)} – ${formatValue(r.interval[1], r.metric)}` : 'n/a',
        r.ood ? 'yes' : 'no',
      ]),
  );
  const ood = report.models
    .map((m) => [m.file, [...new Set(m.rows.flatMap((r) => (r.head !== null ? (r.oodReasons ?? []) : [])))]] as const)
    .filter(([, reasons]) => reasons.length > 0)
    .map(([file, reasons]) => `- ${code(file)}: ${reasons.map((x) => x.replace(/\r?\n/g, ' ')).join('; ')}`);
  if (intervals.length > 0) {
    body +=
      '\n\n' +
      markdownTable([['Model', 'Target', 'Metric', 'Head', 'Interval', 'Out of distribution'], ...intervals], {
        alignDelimiters: false,
      });
  }
  if (ood.length > 0) body += '\n\nOut of the training distribution (predictions less reliable):\n\n' + ood.join('\n');
  return details('Targets: prediction intervals and held-out accuracy', body);
}

function arrow(b: number | null, h: number | null, f: (v: number) => string): string {
  if (b !== null && h !== null && b === h) return f(h);
  return `${b === null ? '—' : f(b)} → ${h === null ? '—' : f(h)}`;
}

function sizeSection(report: Report): string | null {
  const rows = report.models
    .filter((m) => m.base || m.head)
    .map((m) => {
      const b = m.base;
      const h = m.head;
      return [
        code(m.file),
        arrow(b?.nodes ?? null, h?.nodes ?? null, String),
        arrow(b?.macs ?? null, h?.macs ?? null, formatCount),
        arrow(b?.params ?? null, h?.params ?? null, formatCount),
        arrow(b?.weightsBytes ?? null, h?.weightsBytes ?? null, formatBytes),
        arrow(b?.peakActivationBytes ?? null, h?.peakActivationBytes ?? null, formatBytes),
      ];
    });
  if (rows.length === 0) return null;
  return details(
    'Model size: MACs, params, memory',
    markdownTable([['Model', 'Nodes', 'MACs', 'Params', 'Weights', 'Peak activations'], ...rows], {
      alignDelimiters: false,
    }),
  );
}

function listSection(summary: string, items: string[]): string | null {
  return items.length === 0 ? null : details(summary, items.join('\n'));
}

const MAX_WARNINGS_PER_MODEL = 20;

function warningsList(report: Report): string[] {
  return report.models.flatMap((m) => {
    const w = m.warnings.slice(0, MAX_WARNINGS_PER_MODEL).map((x) => `- ${code(m.file)}: ${x.replace(/\r?\n/g, ' ')}`);
    if (m.warnings.length > MAX_WARNINGS_PER_MODEL) {
      w.push(`- ${code(m.file)}: … and ${m.warnings.length - MAX_WARNINGS_PER_MODEL} more (see the JSON report)`);
    }
    return w;
  });
}

function budgetsSection(report: Report): string | null {
  if (report.rules.length === 0) return null;
  const rows = report.rules.map((r) => {
    const limits: string[] = [];
    const metric: RowMetric = r.metric === '*' ? 'latency' : r.metric;
    if (r.max !== undefined) limits.push(`max ${formatValue(r.max, metric)}`);
    if (r.maxIncrease?.kind === 'percent') limits.push(`increase ≤ ${formatPercent(r.maxIncrease.fraction)}`);
    if (r.maxIncrease?.kind === 'absolute') limits.push(`increase ≤ ${formatDelta(r.maxIncrease.amount, metric)}`);
    return [code(r.models), r.target, r.metric, limits.join(', '), r.level, cell(r.source)];
  });
  return details(
    'Budgets',
    markdownTable([['Models', 'Target', 'Metric', 'Limit', 'Level', 'Source'], ...rows], { alignDelimiters: false }),
  );
}

/**
 * Renders the comment. Sections that would be empty are left out; when the text would exceed
 * `maxChars`, the details are dropped first, then table rows, each with a note saying so.
 */
export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const maxChars = opts.maxChars ?? MAX_COMMENT_CHARS;
  const head = [commentMarker(report.key), '### EdgePerf: predicted inference cost', ''];
  const foot = [
    '',
    '<sub>Predicted by the EdgePerf GNN from the model graph; values are estimates with the intervals above, not measurements. ' +
      'The machine-readable report is the `report` output of the action.</sub>',
  ];
  if (report.models.length === 0) {
    const globs = report.globs.length > 0 ? ` matching ${report.globs.map(code).join(', ')}` : '';
    return [...head, `No model files${globs} changed in this pull request.`, ...foot].join('\n') + '\n';
  }
  const summary = `${countModels(report.models)} · ${worstChange(report.models)} · budget: ${budgetLine(report)}`;
  const errors = report.models.flatMap((m) => m.errors.map((e) => `- ${cell(e)}`));
  const notPredictable = report.models.flatMap((m) => (m.notPredictable ?? []).map((e) => `- ${cell(e)}`));
  const unsupported = report.models
    .filter((m) => m.unsupportedOps.length > 0)
    .map((m) => `- ${code(m.file)}: ${m.unsupportedOps.map(code).join(', ')} (counted as 0 MACs)`);
  const sections = [
    errors.length > 0 ? details(`Errors (${errors.length})`, errors.join('\n')) : null,
    notPredictable.length > 0 ? details(`Not predictable (${notPredictable.length})`, notPredictable.join('\n')) : null,
    layersSection(report),
    targetsSection(report),
    sizeSection(report),
    listSection('Unsupported ops', unsupported),
    listSection(`Warnings (${report.models.reduce((n, m) => n + m.warnings.length, 0)})`, warningsList(report)),
    budgetsSection(report),
  ].filter((s): s is string => s !== null);

  const full = [...head, summary, '', mainTable(report.models), ...sections.flatMap((s) => ['', s]), ...foot].join('\n');
  if (full.length <= maxChars) return full + '\n';

  let models = report.models;
  for (;;) {
    const left = report.models.length - models.length;
    const note =
      `> The full report is too long for a comment: ${left > 0 ? `${left} model(s) and ` : ''}the details are left out; ` +
      'see the JSON report (`report` output).';
    const text = [...head, summary, '', mainTable(models), '', note, ...foot].join('\n');
    if (text.length <= maxChars || models.length <= 1) return text + '\n';
    models = models.slice(0, Math.max(1, Math.floor(models.length * 0.8)));
  }
}
