/**
 * How each bundled head extrapolates to ImageNet-size models (issue #5 review, session 19): the
 * relative latency it predicts for the real zoo models of `../shared/models` (≥ 100 M MACs:
 * SqueezeNet 1.1, AlexNet, GoogLeNet, ResNet-50, VGG-19, the PP-OCR detector at 640²), side by side
 * for one or more weights folders, against onnxruntime measured on this machine.
 *
 *   node --import tsx bench/real-ratios.ts [--weights DIR[,DIR2...]] [--models DIR] [--no-measure]
 *
 * Every NAS-trained head (NB201/FBNet cells at 32×32, HW-NAS-Bench-360 tasks) sees these models
 * out of distribution, and no label says what a Pi 4 takes for ResNet-50, so the absolute values
 * cannot be scored. Their *shape* can be checked: a device's latencies of these six models follow
 * the work (MACs span 56×) in roughly the order and spread a CPU shows. Per (weights, target), the
 * table prints each model's predicted latency over the geometric mean of the six, and the
 * level-free log error of that profile against two references, onnxruntime measured here and the
 * MACs: the RMS over models of (ln predicted − mean) − (ln reference − mean), as a factor e^rms
 * (×1.00 = the same relative costs; ×2 = a typical model's share off by a factor of 2); a second
 * table gives the median and worst over targets per weights folder. It is a plausibility check,
 * not an accuracy: a phone or a Pi is neither this CPU nor a MAC counter (its memory-bound layers
 * weigh more), but a head that puts SqueezeNet within ×1.5 of GoogLeNet (4.1× its MACs)
 * extrapolates worse than one that keeps the CPU's ×6.6. Why it exists: a retrain whose encoder
 * read two width columns improved every in-distribution figure a little and moved these ratios a
 * lot (train/README.md, "An encoder that reads the width columns"); the test splits cannot see it.
 *
 * `--no-measure` (or no onnxruntime-node) compares against the MACs only. Reads `../shared/models`;
 * says so and exits 1 when absent.
 * Run time: under a minute with measuring (interleaved, 20 runs after 3 warm-ups, median of 3 repeats).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { markdownTable } from 'markdown-table';
import { RuntimeMissingError } from '../src/measure/ort.ts';
import { quantile } from '../src/measure/stats.ts';
import { initBackend } from '../src/predict/backend.ts';
import { createPredictor } from '../src/predict/predictor.ts';
import { argValue, REPO_ROOT } from '../train/dataset.ts';
import { loadModel } from '../train/infer.ts';
import { analyseRealModels, measureRepeated } from '../train/real-models.ts';

/** Models of at least this many MACs are the ImageNet-size set. */
const MIN_MACS = 1e8;

const modelsDir = resolve(argValue('models') ?? join(REPO_ROOT, '..', 'shared', 'models'));
if (!existsSync(modelsDir)) {
  console.error(`${modelsDir}: no model folder (the real models come from ../shared/models; pass --models DIR)`);
  process.exit(1);
}
const dirs = (argValue('weights') ?? join(REPO_ROOT, 'models', 'perfsage')).split(',').map((d) => resolve(d));
await initBackend();
const models = analyseRealModels(modelsDir).models.filter((m) => m.a.macs >= MIN_MACS);
if (models.length < 2) {
  console.error(`${modelsDir}: fewer than two ONNX models of ≥ ${MIN_MACS / 1e6} M MACs`);
  process.exit(1);
}

/** ln of each value minus the mean of the lns: a level-free profile. */
const profile = (v: readonly number[]): number[] => {
  const l = v.map(Math.log);
  const m = l.reduce((a, b) => a + b, 0) / l.length;
  return l.map((x) => x - m);
};
const short = (name: string): string => (name.split('/').pop() as string).replace(/\.onnx$/, '').replace(/^light_/, '');

let reference: { label: string; values: number[] } = { label: 'MACs', values: models.map((m) => m.a.macs) };
if (!process.argv.includes('--no-measure')) {
  try {
    const { medians, failed } = await measureRepeated(models.map((m) => m.input), { runs: 20, warmup: 3, repeats: 3 });
    if (failed.size === 0) {
      reference = { label: 'onnxruntime here', values: models.map((m) => quantile(medians.get(m.name) as number[], 0.5)) };
    } else console.log(`not measured (${[...failed.keys()].join(', ')} failed): against MACs`);
  } catch (e) {
    if (!(e instanceof RuntimeMissingError)) throw e;
    console.log(`${e.message}: against MACs`);
  }
}
const refs = [reference, ...(reference.label === 'MACs' ? [] : [{ label: 'MACs', values: models.map((m) => m.a.macs) }])];
const refProfiles = refs.map((r) => profile(r.values));
const ratio = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
/** e^(RMS of the difference of two level-free profiles), as a factor. */
const spread = (a: readonly number[], b: readonly number[]): number => Math.exp(Math.sqrt(a.reduce((s, x, i) => s + (x - (b[i] as number)) ** 2, 0) / a.length));

const header = ['weights', 'target', ...models.map((m) => short(m.name)), ...refs.map((r) => `vs ${r.label}`)];
const rows: string[][] = refs.map((r, k) => ['', r.label, ...(refProfiles[k] as number[]).map((x) => ratio(Math.exp(x))), ...refs.map(() => '')]);
const summary: string[][] = [['weights', ...refs.map((r) => `median over targets, vs ${r.label}`), ...refs.map((r) => `worst target, vs ${r.label}`)]];
for (const dir of dirs) {
  const loaded = loadModel(dir);
  const predictor = createPredictor(loaded.model, loaded.targets);
  const ids = loaded.targets.targets.filter((t) => t.metrics.includes('latency')).map((t) => t.id);
  const byTarget = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const m of models) {
    for (const p of await predictor.predict(m.a, ids)) if (p.metric === 'latency') byTarget.get(p.target)?.push(p.value);
  }
  const name = dir.replace(`${REPO_ROOT}/`, '');
  const errors: number[][] = refs.map(() => []);
  for (const [id, values] of byTarget) {
    const prof = profile(values);
    const e = refProfiles.map((r) => spread(prof, r));
    e.forEach((x, k) => errors[k]?.push(x));
    rows.push([name, id, ...prof.map((x) => ratio(Math.exp(x))), ...e.map((x) => `×${x.toFixed(2)}`)]);
  }
  summary.push([name, ...errors.map((e) => `×${quantile(e, 0.5).toFixed(2)}`), ...errors.map((e) => `×${Math.max(...e).toFixed(2)}`)]);
}
console.log(`Latency of each model over the geometric mean of the ${models.length} (${models.map((m) => `${short(m.name)} ${(m.a.macs / 1e6).toFixed(0)} M MACs`).join(', ')}); last columns: the level-free error of the target's profile against each reference\n`);
console.log(markdownTable([header, ...rows], { align: ['l', 'l', ...models.map(() => 'r'), ...refs.map(() => 'r')] }));
console.log('');
console.log(markdownTable(summary, { align: ['l', ...summary[0]!.slice(1).map(() => 'r')] }));
