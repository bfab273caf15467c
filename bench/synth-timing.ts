/**
 * Time to build, analyse and featurise FBNet and HW-NAS-Bench-360 graphs (for planning the
 * training-set build), shape-only weights as the training set uses them:
 *   node --import tsx bench/synth-timing.ts [--data DIR] [--n 1000]
 */
import { analyzeModel } from '../src/core/analyze.ts';
import { extractFeatures } from '../src/cost/features.ts';
import { buildFbnetOnnx } from '../src/synth/fbnet.ts';
import { buildNb201Onnx } from '../src/synth/nb201.ts';
import { argValue } from '../train/dataset.ts';
import { dataDirArg } from '../train/data-files.ts';
import { FBNET_DATA_LAYOUT, loadFbnetData } from '../train/fbnet-data.ts';
import { loadNb360Data, nb360ArchStrings } from '../train/nb360-data.ts';

const dir = dataDirArg();
const N = Number(argValue('n') ?? 1000);
const fb = loadFbnetData(dir);
const nb = loadNb360Data(dir);
const strs = nb360ArchStrings(nb, dir);

function time(label: string, n: number, build: (i: number) => Uint8Array): void {
  let tb = 0;
  let ta = 0;
  let tf = 0;
  let nodes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const bytes = build(i);
    const t1 = performance.now();
    const a = analyzeModel(bytes, `${label}-${i}.onnx`);
    const t2 = performance.now();
    extractFeatures(a);
    const t3 = performance.now();
    tb += t1 - t0;
    ta += t2 - t1;
    tf += t3 - t2;
    nodes += a.nodes;
  }
  const s = (ms: number): string => (ms / 1000).toFixed(2);
  console.log(
    `| ${label} | ${n} | ${s(tb)} | ${s(ta)} | ${s(tf)} | ${s(tb + ta + tf)} | ${((tb + ta + tf) / n).toFixed(1)} | ${(nodes / n).toFixed(1)} |`,
  );
}

console.log('| graphs | n | build s | analyse s | features s | total s | ms/graph | nodes/graph |');
console.log('|---|---|---|---|---|---|---|---|');
time('FBNet cifar100 (file order)', Math.min(N, fb.ops.length), (i) => buildFbnetOnnx(fb.ops[i]!, { dataset: FBNET_DATA_LAYOUT, weights: 'external' }));
time('NB360 darcy, zeros folded', Math.min(N, strs.length), (i) => buildNb201Onnx(strs[i]!, { task: 'darcy', weights: 'external' }));
time('NB360 darcy, zeros kept', Math.min(N, strs.length), (i) => buildNb201Onnx(strs[i]!, { task: 'darcy', weights: 'external', zeroEdges: 'keep' }));
