/**
 * Per-kernel times from onnxruntime's profiler (pure: the profile's JSON text in, ms out).
 *
 * onnxruntime writes, when a session has `enableProfiling`, a Chrome trace-event JSON array
 * (onnxruntime docs, "Profiling tools"; `onnxruntime/core/common/profiler.cc`): one event per
 * executed kernel per run, `{"cat": "Node", "name": "<node name>_kernel_time", "dur": µs,
 * "args": {"op_name": ...}}`, beside `_fence_before`/`_fence_after` and `Session` events. The
 * node name is the graph node's (with graph optimisation `all`, the fused node's: the first
 * node of the fusion, `_nchwc` appended to layout-transformed convs).
 */
import { median } from './stats.ts';

/** Suffix of the kernel-time events of a profile. */
const KERNEL_SUFFIX = '_kernel_time';

/**
 * Median time per run of every kernel in an onnxruntime profile, in ms, by node name.
 * The first `warmup` of `warmup + runs` session runs are skipped; a kernel that executes k times
 * per run (a loop body) reports k × its median occurrence.
 * @param text the profile file's JSON text
 * @param warmup untimed runs at the start of the profile
 * @param runs timed runs after them (> 0)
 * @throws Error when the text is not a JSON array of events
 */
export function kernelTimes(text: string, warmup: number, runs: number): Record<string, number> {
  const events: unknown = JSON.parse(text);
  if (!Array.isArray(events)) throw new Error('onnxruntime profile is not a JSON array of events');
  const durations = new Map<string, number[]>();
  for (const e of events as Array<{ cat?: unknown; name?: unknown; dur?: unknown }>) {
    if (e.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith(KERNEL_SUFFIX) || typeof e.dur !== 'number') continue;
    const name = e.name.slice(0, -KERNEL_SUFFIX.length);
    (durations.get(name) ?? durations.set(name, []).get(name)!).push(e.dur / 1000);
  }
  const out: Record<string, number> = {};
  for (const [name, ds] of durations) {
    const perRun = Math.max(1, Math.round(ds.length / (warmup + runs)));
    const timed = ds.slice(Math.min(warmup * perRun, ds.length - 1));
    out[name] = Number((median(timed) * perRun).toPrecision(4));
  }
  return out;
}
