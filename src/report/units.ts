/**
 * Units of the report's metrics: how values are shown and how budget limits written by users
 * ("12 ms", "4 MB", "600M") are read. Pure.
 */

/** Every metric a report row can carry. Predicted per target: latency, energy. Per model: the rest. */
export type RowMetric = 'latency' | 'energy' | 'memory' | 'weights' | 'activations' | 'macs' | 'params';

/** Metrics computed from the graph alone (same value on every target). */
export const MODEL_METRICS: readonly RowMetric[] = ['memory', 'weights', 'activations', 'macs', 'params'];

/** All metric names, in display order. */
export const ALL_METRICS: readonly RowMetric[] = ['latency', 'energy', ...MODEL_METRICS];

/** Base unit of each metric: values in rows are always in this unit. */
export const METRIC_UNIT: Record<RowMetric, string> = {
  latency: 'ms',
  energy: 'mJ',
  memory: 'B',
  weights: 'B',
  activations: 'B',
  macs: '',
  params: '',
};

/** Unit suffixes accepted in budget limits, per base unit, as multipliers of the base unit. */
const SUFFIXES: Record<string, Record<string, number>> = {
  ms: { us: 1e-3, µs: 1e-3, ms: 1, s: 1e3 },
  mJ: { uj: 1e-3, µj: 1e-3, mj: 1, j: 1e3 },
  B: {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
  },
  '': { '': 1, k: 1e3, m: 1e6, g: 1e9, b: 1e9 },
};

/**
 * Parses an absolute quantity for `metric` ("12 ms", "0.5s", "4 MB", "3.5 MiB", "600M", "1.2G")
 * into the metric's base unit (ms, mJ, bytes, or a plain count). A bare number is accepted only
 * for counts (macs, params): elsewhere the unit is required. Returns an error string instead of throwing, so callers can name the source.
 */
export function parseQuantity(text: string, metric: RowMetric): number | string {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zµ]*)\s*$/i.exec(text);
  const unit = METRIC_UNIT[metric];
  const accepted = Object.keys(SUFFIXES[unit]!).filter((s) => s !== '');
  if (!m) return `'${text}' is not a quantity; write e.g. ${example(metric)}`;
  if (m[2] === '' && unit !== '') return `'${text}' needs a unit for metric '${metric}', e.g. ${example(metric)}`;
  const factor = SUFFIXES[unit]![m[2]!.toLowerCase()];
  if (factor === undefined) {
    return `unit '${m[2]}' does not fit metric '${metric}'; use one of: ${accepted.join(', ')}`;
  }
  return Number(m[1]) * factor;
}

function example(metric: RowMetric): string {
  switch (METRIC_UNIT[metric]) {
    case 'ms':
      return '"12 ms"';
    case 'mJ':
      return '"30 mJ"';
    case 'B':
      return '"4 MB"';
    default:
      return '"600M"';
  }
}

/** A relative change limit like "5%"; returns the fraction (0.05) or an error string. */
export function parsePercent(text: string): number | string {
  const m = /^\s*([+]?[0-9]*\.?[0-9]+)\s*%\s*$/.exec(text);
  if (!m) return `'${text}' is not a percentage; write e.g. "5%"`;
  return Number(m[1]) / 100;
}

/** Rounds to `sig` significant digits and prints without exponent for everyday magnitudes. */
function sigDigits(v: number, sig: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  const decimals = Math.max(0, sig - 1 - Math.floor(Math.log10(abs)));
  return v.toFixed(Math.min(decimals, 6));
}

/** Formats a value in its metric's unit with 3 significant digits: "11.4 ms", "5.23 MB", "1.82 G". */
export function formatValue(v: number, metric: RowMetric): string {
  const unit = METRIC_UNIT[metric];
  if (unit === 'B') return formatBytes(v);
  if (unit === '') return formatCount(v);
  return `${sigDigits(v, 3)} ${unit}`;
}

/** Formats a signed change in its metric's unit: "+1.40 ms", "−0.52 MB", "0 ms". */
export function formatDelta(d: number, metric: RowMetric): string {
  const sign = d > 0 ? '+' : d < 0 ? '−' : '';
  return sign + formatValue(Math.abs(d), metric);
}

/** Formats a fraction as a signed percentage with one decimal: 0.14 -> "+14.0%". */
export function formatPercent(f: number): string {
  const p = f * 100;
  const text = Math.abs(p) >= 1000 ? Math.abs(p).toFixed(0) : Math.abs(p).toFixed(1);
  if (text === '0.0') return '0.0%';
  return `${p > 0 ? '+' : '−'}${text}%`;
}

/** Bytes in SI units (1 MB = 10^6 bytes), 3 significant digits: "5.23 MB". */
export function formatBytes(b: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = b;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${sigDigits(v, 3)} ${units[i]}`;
}

/** A count with SI suffix, 3 significant digits: 1_820_000_000 -> "1.82 G", 512 -> "512". */
export function formatCount(n: number): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? String(Math.round(v)) : `${sigDigits(v, 3)} ${units[i]}`;
}
