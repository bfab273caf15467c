/**
 * Targets trained from the NB201 measurements CSV (../shared/data/nb201/latency_ms.csv): one
 * GNN head each. Sources per ../shared/data/README.md and ../shared/specs/search-spaces.md 1.7.
 */

/** A trainable target: the CSV column holding its latency and what we know about it. */
export interface TargetDef {
  id: string;
  /** Column of nb201/latency_ms.csv (ms). */
  column: string;
  device: string;
  runtime: string;
  source: string;
  license: string;
  /** Resolution of the labels in ms (HELP phone columns are whole milliseconds); 0 = continuous. */
  resolutionMs: number;
}

const HWB = 'HW-NAS-Bench (Li et al., ICLR 2021; GATECH-EIC/HW-NAS-Bench), NB201 CIFAR-10 values as redistributed in HELP data/ (HayeonLee/HELP)';
const HELP = 'HELP (Lee et al., NeurIPS 2021; HayeonLee/HELP data/), NB201 CIFAR-10';

/** Every target head, in head order. `raspberry-pi-4` and `pixel-3` are the primary ones. */
export const TARGET_DEFS: TargetDef[] = [
  {
    id: 'raspberry-pi-4',
    column: 'raspi4',
    device: 'Raspberry Pi 4',
    runtime: 'TensorFlow Lite, batch 1 (Keras re-implementation; threads and precision unverified)',
    source: HWB,
    license: 'MIT',
    resolutionMs: 0,
  },
  {
    id: 'pixel-3',
    column: 'pixel3',
    device: 'Google Pixel 3',
    runtime: 'TensorFlow Lite, batch 1 (tool and threads unverified)',
    source: HWB,
    license: 'MIT',
    resolutionMs: 0,
  },
  { id: 'pixel-2', column: 'pixel2', device: 'Google Pixel 2', runtime: 'mobile runtime as in HELP (unverified)', source: HELP, license: 'MIT', resolutionMs: 1 },
  { id: 'galaxy-a50', column: 'samsung_a50', device: 'Samsung Galaxy A50', runtime: 'mobile runtime as in HELP (unverified)', source: HELP, license: 'MIT', resolutionMs: 1 },
  { id: 'galaxy-s7', column: 'samsung_s7', device: 'Samsung Galaxy S7', runtime: 'mobile runtime as in HELP (unverified)', source: HELP, license: 'MIT', resolutionMs: 1 },
  { id: 'essential-ph-1', column: 'essential_ph_1', device: 'Essential PH-1', runtime: 'mobile runtime as in HELP (unverified)', source: HELP, license: 'MIT', resolutionMs: 1 },
  { id: 'xeon-gold-6226', column: 'gold_6226', device: 'Intel Xeon Gold 6226 CPU', runtime: 'as in HELP (unverified)', source: HELP, license: 'MIT', resolutionMs: 0 },
  { id: 'eyeriss', column: 'eyeriss', device: 'Eyeriss ASIC (simulated estimate)', runtime: 'simulator (HW-NAS-Bench; tool unverified)', source: HWB, license: 'MIT', resolutionMs: 0 },
  { id: 'fpga', column: 'fpga', device: 'FPGA (simulated estimate)', runtime: 'simulator (HW-NAS-Bench; board unverified)', source: HWB, license: 'MIT', resolutionMs: 0 },
];

/** What targets.json records about a target beyond its labels (issue #3). */
export interface TargetMeta {
  device: string;
  runtime: string;
  /** Runtime threads when the source states them; null when it does not. */
  threads: number | null;
  batch: number;
  source: string;
  license: string;
}

/**
 * Device, runtime, threads and source of every target id (NB201/HELP ones from `TARGET_DEFS`;
 * HW-NAS-Bench-360 ones from spec 3.4–3.6; cpu-onnxruntime from train/measure-random.ts).
 */
export function targetMeta(id: string): TargetMeta {
  const d = TARGET_DEFS.find((t) => t.id === id);
  if (d) return { device: d.device, runtime: d.runtime, threads: null, batch: 1, source: d.source, license: d.license };
  const n = NB360_META[id];
  if (n) return n;
  throw new Error(`no metadata for target '${id}' (train/target-defs.ts)`);
}

const NB360 = 'HW-NAS-Bench-360 (roldebijvank/HW-NAS-Bench-360, results/dataset.parquet), tasks cifar100/ninapro/darcy';
const NB360_LICENSE = 'no license file (measurements used as facts with attribution)';
const NB360_META: Record<string, TargetMeta> = {
  'raspberry-pi-5-tflite': { device: 'Raspberry Pi 5', runtime: 'LiteRT/TFLite float32, median of 40 runs', threads: 1, batch: 1, source: NB360, license: NB360_LICENSE },
  'raspberry-pi-5-onnxruntime': { device: 'Raspberry Pi 5', runtime: 'onnxruntime CPUExecutionProvider, median of 40 runs', threads: 1, batch: 1, source: NB360, license: NB360_LICENSE },
  'raspberry-pi-5-pytorch-mobile': { device: 'Raspberry Pi 5', runtime: 'PyTorch Mobile (optimize_for_mobile, TorchScript lite), median of 40 runs', threads: 1, batch: 1, source: NB360, license: NB360_LICENSE },
  'pixel-tflite': { device: 'Google Pixel (model unverified)', runtime: 'TFLite benchmark app float32 (delegate inferred: NNAPI), mean of 40 runs', threads: 1, batch: 1, source: NB360, license: NB360_LICENSE },
  'cpu-onnxruntime': {
    device: 'x86-64 CI runner class (AMD EPYC, 2 vCPUs): by its speed CPU family 25 model 1 (Zen 3, AVX2), MODEL_CARD.md "Back on the training rows\' CPU class"',
    runtime: 'onnxruntime-node 1.30.0 CPUExecutionProvider, graph optimizations all, median of 30 runs after 5 warm-ups',
    threads: 1,
    batch: 1,
    source: 'EdgePerf random graphs (src/synth/random, 9 families) measured by train/measure-random.ts; train/data/cpu-onnxruntime.csv',
    license: 'MIT',
  },
  'cpu-onnxruntime-noopt': {
    device: 'x86-64 CI runner class (AMD EPYC, 2 vCPUs), as cpu-onnxruntime',
    runtime: 'onnxruntime-node 1.30.0 CPUExecutionProvider, graph optimizations disabled, median of 30 runs after 5 warm-ups',
    threads: 1,
    batch: 1,
    source: 'EdgePerf random graphs (8 families, seeds 100000-100093) measured by train/measure-random.ts --no-optimize; train/data/cpu-onnxruntime-noopt-ref*.csv',
    license: 'MIT',
  },
  'cpu-onnxruntime-zen5': {
    device: 'AMD EPYC, CPU family 26 model 2 (Zen 5, AVX-512), 2 vCPUs',
    runtime: 'onnxruntime-node 1.30.0 CPUExecutionProvider, graph optimizations all, median of 30 runs after 5 warm-ups',
    threads: 1,
    batch: 1,
    source: 'EdgePerf random graphs (12 families, seeds 100000-100093) measured by train/measure-random.ts; train/data/cpu-onnxruntime-zen5-*.csv',
    license: 'MIT',
  },
  'cpu-onnxruntime-xeon': {
    device: 'Intel Xeon, CPU family 6 model 167 (AVX-512), 2 vCPUs',
    runtime: 'onnxruntime-node 1.30.0 CPUExecutionProvider, graph optimizations all, median of 30 runs after 5 warm-ups',
    threads: 1,
    batch: 1,
    source: 'EdgePerf random graphs (12 families, seeds 100000-100093) measured by train/measure-random.ts; train/data/cpu-onnxruntime-xeon-ref*.csv, -xeon-extra-ref*.csv',
    license: 'MIT',
  },
  'cpu-onnxruntime-xeon-noopt': {
    device: 'Intel Xeon, CPU family 6 model 167 (AVX-512), 2 vCPUs',
    runtime: 'onnxruntime-node 1.30.0 CPUExecutionProvider, graph optimizations disabled, median of 30 runs after 5 warm-ups',
    threads: 1,
    batch: 1,
    source: 'EdgePerf random graphs (8 families, seeds 100000-100093) measured by train/measure-random.ts --no-optimize (session 19); train/data/cpu-onnxruntime-xeon-noopt-ref*.csv',
    license: 'MIT',
  },
};
