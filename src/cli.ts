/**
 * The `edgeperf` CLI: predict, diff, inspect, targets, synth, measure, calibrate. A thin shell around the same core
 * as the action. Exit codes: 0 ok, 1 a model failed or a budget was exceeded, 2 bad usage,
 * configuration or target id. Errors print one line, never a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseInputShapes, parseMaxIncrease } from './config/inputs.ts';
import { describeError } from './core/errors.ts';
import { calibrateCommand } from './cli/calibrate.ts';
import { collectTargets, EXIT, exitCodeFor } from './cli/common.ts';
import { diffCommand } from './cli/diff.ts';
import { inspectCommand } from './cli/inspect.ts';
import { DEFAULT_BREAKDOWN, predictCommand } from './cli/predict.ts';
import { measureCommand, parsePositiveInt } from './cli/measure.ts';
import { synthFbnetCommand, synthNb201Command, synthRandomCommand } from './cli/synth.ts';
import { FAMILIES } from './synth/random/index.ts';
import { targetsCommand } from './cli/targets.ts';

/** Wraps a ConfigError-throwing parser for commander (usage error, exit 2). */
function optionParser<T>(parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (e) {
      throw new InvalidArgumentError(describeError(e));
    }
  };
}

const targetOption = () =>
  new Option('-t, --target <id>', 'target id; repeat or separate by commas')
    .argParser(collectTargets)
    .default([] as string[], 'raspberry-pi-4,pixel-3');
const customTargetsOption = () =>
  new Option('--custom-targets <glob>', "target files written by 'edgeperf calibrate'; repeat for more globs").argParser((v: string, prev: string[] = []) => [...prev, v]);
const shapesOption = () =>
  new Option('--input-shapes <spec>', 'shapes of symbolic inputs, e.g. "input=1x3x224x224; other=1x10"').argParser(
    optionParser((v) => parseInputShapes(v, '--input-shapes')),
  );

/** Builds the program; `setExit` receives each command's exit code. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('edgeperf')
    .description('Predicted inference latency and memory of ONNX models on edge devices.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('predict')
    .description('analyse model files and predict their latency per target')
    .argument('<file...>', 'model files')
    .addOption(targetOption())
    .option('--json', 'one JSON object per file per line')
    .addOption(
      new Option('--breakdown [n]', 'top N layers by predicted contribution per target and metric; put it after the files')
        .preset(String(DEFAULT_BREAKDOWN))
        .argParser((v) => {
          // An optional value takes the next argument: `--breakdown model.onnx` would read the file as N.
          if (!/^\d+$/.test(v) || Number(v) < 1) {
            throw new InvalidArgumentError(`'${v}' is not a number of layers ≥ 1; put --breakdown after the files or write --breakdown=N`);
          }
          return Number(v);
        }),
    )
    .addOption(shapesOption())
    .addOption(customTargetsOption())
    .action(async (files: string[], o) =>
      setExit(await predictCommand(files, { target: o.target, json: o.json, inputShapes: o.inputShapes, breakdown: o.breakdown, customTargets: o.customTargets })),
    );

  program
    .command('diff')
    .description('print the pull request comment comparing two versions of a model')
    .argument('<base>', 'model file before the change')
    .argument('<head>', 'model file after the change')
    .addOption(targetOption())
    .option('--json', 'print the JSON report instead of Markdown')
    .option('--max-increase <percent>', 'fail (exit 1) when any metric grows more, e.g. 5%', optionParser((v) => parseMaxIncrease(v, '--max-increase')))
    .option('--config <file>', 'budgets file (format of .github/edgeperf.yml)')
    .addOption(shapesOption())
    .addOption(customTargetsOption())
    .action(async (base: string, head: string, o) =>
      setExit(
        await diffCommand(base, head, {
          target: o.target,
          json: o.json,
          inputShapes: o.inputShapes,
          maxIncrease: o.maxIncrease ?? null,
          config: o.config,
          customTargets: o.customTargets,
        }),
      ),
    );

  program
    .command('inspect')
    .description('per-op table of a model: count, MACs, params, output bytes')
    .argument('<file>', 'model file')
    .addOption(shapesOption())
    .option('--json', 'print the rows as JSON')
    .action(async (file: string, o) => setExit(await inspectCommand(file, { json: o.json, inputShapes: o.inputShapes })));

  program
    .command('targets')
    .description('list the targets with their held-out accuracy')
    .option('--json', 'print JSON')
    .addOption(customTargetsOption())
    .action(async (o) => setExit(await targetsCommand({ json: o.json, customTargets: o.customTargets })));

  const synth = program.command('synth').description('generate synthetic models');
  synth
    .command('nb201')
    .description('NAS-Bench-201 network as ONNX (random weights): CIFAR-10, or a HW-NAS-Bench-360 task with --task')
    .argument('[arch]', "arch string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_1x1~2|'")
    .option('--archs <file>', 'one arch string per line; writes DIR/<n>.onnx for line n (from 0)')
    .requiredOption('-o, --output <path>', 'output .onnx file, or directory with --archs')
    .addOption(new Option('--task <task>', 'cifar10 (HW-NAS-Bench) or a HW-NAS-Bench-360 task').choices(['cifar10', 'cifar100', 'ninapro', 'darcy']).default('cifar10'))
    .option('--seed <n>', 'weight seed', optionParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`'${v}' is not an integer`);
      return n;
    }))
    .action(async (arch: string | undefined, o) => setExit(await synthNb201Command(arch, { archs: o.archs, output: o.output, seed: o.seed, task: o.task })));
  synth
    .command('fbnet')
    .description('FBNet (HW-NAS-Bench) network as ONNX (random weights)')
    .argument('[ops]', '22 comma-separated ops (k3_e1, k3_e1_g2, k3_e3, k3_e6, k5_e1, k5_e1_g2, k5_e3, k5_e6, skip, or 0..8)')
    .option('--archs <file>', 'one arch per line (comma-separated ops, a JSON arch_str / op_idx_list list, or a fbnet/latency_ms.jsonl row); writes DIR/<n>.onnx for line n (from 0)')
    .requiredOption('-o, --output <path>', 'output .onnx file, or directory with --archs')
    .addOption(new Option('--dataset <name>', 'macro layout').choices(['cifar100', 'imagenet']).default('cifar100'))
    .option('--seed <n>', 'weight seed', optionParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`'${v}' is not an integer`);
      return n;
    }))
    .action(async (ops: string | undefined, o) =>
      setExit(await synthFbnetCommand(ops, { archs: o.archs, output: o.output, seed: o.seed, dataset: o.dataset })),
    );
  synth
    .command('random')
    .description('random graph of an architecture family as ONNX (seeded, random weights)')
    .addOption(new Option('--family <name>', 'architecture family').choices([...FAMILIES]).makeOptionMandatory())
    .option('--seed <n>', 'seed (first seed with --count)', optionParser((v) => parsePositiveInt(v, '--seed', 0)), 0)
    .option('--count <k>', 'write K graphs, seeds N..N+K-1, as DIR/<family>-<seed>.onnx', optionParser((v) => parsePositiveInt(v, '--count')))
    .requiredOption('-o, --output <path>', 'output .onnx file, or directory with --count')
    .action(async (o) => setExit(await synthRandomCommand({ family: o.family, seed: o.seed, count: o.count, output: o.output })));

  program
    .command('measure')
    .description('measure end-to-end latency with onnxruntime-node on this machine (optional dependency)')
    .argument('<file...>', 'ONNX model files (measured interleaved, round-robin)')
    .option('--runs <n>', 'timed runs per file', optionParser((v) => parsePositiveInt(v, '--runs')), 30)
    .option('--warmup <n>', 'untimed warm-up runs per file', optionParser((v) => parsePositiveInt(v, '--warmup', 0)), 5)
    .option('--threads <n>', 'intra- and inter-op threads (more than 1: thread pools without spin-waiting, so the interleaved models do not slow each other)', optionParser((v) => parsePositiveInt(v, '--threads')), 1)
    .option('--no-optimize', "graph optimisation level 'disabled' instead of 'all'")
    .option('--json', 'one JSON object per file per line')
    .option('--profile', "also time every kernel (onnxruntime's profiler, in a second session per file): kernels_ms in --json, per-node labels for calibrate")
    .addOption(shapesOption())
    .action(async (files: string[], o) =>
      setExit(
        await measureCommand(files, { runs: o.runs, warmup: o.warmup, threads: o.threads, optimize: o.optimize, json: o.json, profile: o.profile, inputShapes: o.inputShapes }),
      ),
    );

  program
    .command('calibrate')
    .description('fit a custom target from your own measurements (measure --json lines) on the frozen bundled encoder')
    .requiredOption('--target <id>', 'id of the new target, e.g. my-pi')
    .requiredOption('--measurements <file>', "JSON lines of 'edgeperf measure --json'")
    .option('--base-target <id>', 'bundled target whose head to start from (default cpu-onnxruntime if bundled, else raspberry-pi-4)')
    .option('-o, --output <file>', 'target file to write (default edgeperf-targets/<id>.json)')
    .option('--models-dir <dir>', 'also look for the measured model files here')
    .option('--device <text>', 'device description (default: the CPU named in the measurements)')
    .addOption(
      new Option('--node-labels <mode>', "use the kernel times of 'measure --profile' lines: auto (only when measured with graph optimisation disabled), on, off")
        .choices(['auto', 'on', 'off'])
        .default('auto'),
    )
    .action(async (o) =>
      setExit(
        await calibrateCommand({
          target: o.target,
          measurements: o.measurements,
          baseTarget: o.baseTarget,
          output: o.output,
          modelsDir: o.modelsDir,
          device: o.device,
          nodeLabels: o.nodeLabels,
        }),
      ),
    );

  return program;
}

/** Runs the CLI on `argv` (process.argv form) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is bad usage (message already printed).
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`edgeperf: ${describeError(e)}\n`);
    return exitCodeFor(e);
  }
}

process.exitCode = await main(process.argv);
