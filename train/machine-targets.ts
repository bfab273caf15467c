/**
 * Calibrated targets for the machine `npm run evaluate` runs on.
 *
 * The `cpu-onnxruntime` head is trained on graphs measured on one CPU, but the CI machine of this
 * project is not always that CPU: under one brand name ("AMD EPYC") one session's machine ran
 * ResNet-50 in 99 ms on one thread and another's in 42.6 ms (train/README.md, "The machine
 * changed"). A machine like that is a device the encoder never saw, so the product's answer is
 * `edgeperf calibrate`; evaluate predicts the real models with every committed calibrated target
 * (`models/perfsage/custom-targets/*.json`, written by `edgeperf calibrate` from generated graphs
 * measured on that CPU, never from the real models) whose measurement matches this machine: same
 * CPU string (`machineInfo().cpu`, model name plus family/model/SIMD), 1 thread, graph
 * optimisation all.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from '../src/measure/ort.ts';
import { checkCustomTarget, parseCustomTarget, type CustomTarget } from '../src/predict/custom-target.ts';
import type { PerfSageModel } from '../src/predict/perfsage.ts';

/** Committed calibrated targets, one JSON file per machine (`edgeperf calibrate` output). */
export const MACHINE_TARGETS_DIR = join(import.meta.dirname, '..', 'models', 'perfsage', 'custom-targets');

/** Targets that match this machine, and one line per committed target that does not (why). */
export interface MachineTargets {
  /** The CPU string of this machine (`machineInfo().cpu`). */
  cpu: string;
  matching: CustomTarget[];
  /** e.g. "`x.json`: measured on AMD EPYC (…), this machine is …". */
  notes: string[];
}

/**
 * Reads the committed calibrated targets and keeps those measured on this machine's CPU with
 * 1 thread and graph optimisation all (the `cpu-onnxruntime` protocol).
 * @param dir folder of target files (default `MACHINE_TARGETS_DIR`; absent = none)
 * @throws never: an unreadable, invalid or stale target (calibrated on other weights) becomes a note
 */
export function machineTargets(model: PerfSageModel, dir = MACHINE_TARGETS_DIR): MachineTargets {
  const { cpu } = machineInfo();
  const out: MachineTargets = { cpu, matching: [], notes: [] };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const name = dir === MACHINE_TARGETS_DIR ? `models/perfsage/custom-targets/${f}` : join(dir, f);
    try {
      const t = parseCustomTarget(readFileSync(join(dir, f), 'utf8'), name);
      checkCustomTarget(t, model);
      const m = t.data.measurement;
      if (m.cpu === cpu && m.threads === 1 && m.optimization === 'all') out.matching.push(t);
      else out.notes.push(`\`${name}\`: measured on ${m.cpu} (${m.threads} thread(s), optimisation ${m.optimization}); this machine is ${cpu}`);
    } catch (e) {
      out.notes.push(`\`${name}\`: not used (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return out;
}
