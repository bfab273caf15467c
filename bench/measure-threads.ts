/**
 * Why `edgeperf measure --threads T` (T > 1) turns off onnxruntime's spin-waiting
 * (src/measure/ort.ts `ortSessionOptions`): the same generated graphs, measured together in
 * `measure`'s interleaved rounds, with 1 thread, with T threads and spinning on (onnxruntime's
 * default), and with T threads and spinning off (what `measure` does). Prints the median ms and CV
 * of every graph under each setting, and each setting's speed-up over 1 thread.
 *
 *   node --import tsx bench/measure-threads.ts [--threads 2] [--runs 30] [--repeats 2] [--families a,b]
 *
 * Graphs: one per family of src/synth/random (default plain-conv, mobilenet, resnet, unet, mlp,
 * transformer; seed 100000 + index); settings run one after the other, `--repeats` times in turn,
 * so drift hits them alike. With one family, the graph runs alone: what an application running one
 * model sees. Needs onnxruntime-node.
 * @throws Error for an unknown family or a graph onnxruntime cannot run
 */
import { markdownTable } from 'markdown-table';
import os from 'node:os';
import { measureModels, type MeasureOptions, type MeasureResult } from '../src/measure/ort.ts';
import { buildRandomOnnx, FAMILIES } from '../src/synth/random/index.ts';
import { argValue } from '../train/dataset.ts';

const threads = Number(argValue('threads') ?? 2);
const runs = Number(argValue('runs') ?? 30);
const repeats = Number(argValue('repeats') ?? 2);
const families = (argValue('families') ?? 'plain-conv,mobilenet,resnet,unet,mlp,transformer').split(',');
if (families.some((f) => !FAMILIES.includes(f))) throw new Error(`unknown family in --families; known: ${FAMILIES.join(', ')}`);
const models = families.map((family, i) => ({ file: `${family}:${100000 + i}`, bytes: buildRandomOnnx(family, 100000 + i) }));
const settings: Array<{ name: string; opts: MeasureOptions }> = [
  { name: '1 thread', opts: { threads: 1 } },
  { name: `${threads} threads, spinning (onnxruntime default)`, opts: { threads, spin: true } },
  { name: `${threads} threads, no spinning (measure)`, opts: { threads, spin: false } },
];
const results = new Map<string, MeasureResult[][]>(settings.map((s) => [s.name, []]));
for (let r = 0; r < repeats; r++) {
  for (const s of settings) {
    const { results: res, failures } = await measureModels(models, { runs, warmup: 5, seed: r, ...s.opts });
    if (failures.length) throw new Error(failures.map((f) => `${f.file}: ${f.error}`).join('\n'));
    results.get(s.name)!.push(res);
  }
}
const cell = (rs: MeasureResult[]): string => rs.map((x) => `${x.median_ms.toFixed(2)} (${(100 * x.cv).toFixed(0)}%)`).join(' / ');
const base = results.get(settings[0]!.name)!;
const speedup = (name: string, i: number): string => {
  const rs = results.get(name)!;
  const ratios = rs.map((rep, k) => (base[k]![i]!.median_ms / rep[i]!.median_ms).toFixed(2));
  return `×${ratios.join(' / ×')}`;
};
console.log(`${os.cpus()[0]?.model ?? 'cpu'} · ${os.cpus().length} logical CPUs · ${models.length} graphs interleaved · ${runs} runs · ${repeats} repeats\n`);
console.log(
  markdownTable([
    ['graph', ...settings.map((s) => `${s.name}: median ms (CV)`), ...settings.slice(1).map((s) => `speed-up, ${s.name}`)],
    ...models.map((m, i) => [m.file, ...settings.map((s) => cell(results.get(s.name)!.map((rep) => rep[i]!))), ...settings.slice(1).map((s) => speedup(s.name, i))]),
  ]),
);
