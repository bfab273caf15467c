// Builds the committed bundle: dist/index.js (the action), dist/cli.js (the CLI) and the
// TensorFlow.js wasm binaries they load at run time. Deterministic, so CI can diff dist/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// ESM output has no require/__filename/__dirname; tfjs-backend-wasm and CommonJS deps need them.
const banner = [
  "import { createRequire as __edgeperfCreateRequire } from 'node:module';",
  "import { fileURLToPath as __edgeperfFileURLToPath } from 'node:url';",
  "import { dirname as __edgeperfDirname } from 'node:path';",
  'const require = __edgeperfCreateRequire(import.meta.url);',
  'const __filename = __edgeperfFileURLToPath(import.meta.url);',
  'const __dirname = __edgeperfDirname(__filename);',
].join('\n');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: banner },
  loader: { '.bin': 'binary' },
  legalComments: 'none',
  logLevel: 'warning',
  // Optional at run time: used only when the user installed them.
  external: ['@tensorflow/tfjs-node', 'onnxruntime-node'],
};

await build({ ...common, entryPoints: { index: 'src/main.ts', cli: 'src/cli.ts' }, outdir: out });

const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const f of readdirSync(join(wasmDir, 'dist'))) {
  if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, 'dist', f), join(out, f));
}
