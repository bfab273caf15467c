/**
 * TensorFlow.js backend selection: `@tensorflow/tfjs-node` when the user installed it (it is
 * external in the bundle), else the wasm backend with its `.wasm` files found beside the bundle
 * (dist/) or in node_modules, else the pure-JS `cpu` backend with a warning.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which backend `initBackend` ended up with and why. */
export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** Folder the wasm binaries were loaded from (wasm only). */
  wasmDir?: string;
  warnings: string[];
}

let ready: Promise<BackendInfo> | undefined;

/** The bundle's folder: the esbuild banner defines `__dirname`; absent under tsx/vitest (ESM). */
declare const __dirname: string | undefined;

/**
 * Folder holding `tfjs-backend-wasm.wasm`: beside the bundle when running dist/*.js, else
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist`. Returns undefined when neither exists.
 */
export function findWasmDir(): string | undefined {
  const candidates: string[] = [];
  if (typeof __dirname !== 'undefined') candidates.push(__dirname);
  try {
    candidates.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // import.meta.url not a file URL: skip
  }
  try {
    const req = createRequire(import.meta.url);
    candidates.push(join(dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // package not resolvable (bundle shipped without node_modules)
  }
  return candidates.find((d) => existsSync(join(d, 'tfjs-backend-wasm.wasm')));
}

async function tryTfjsNode(): Promise<boolean> {
  const name = '@tensorflow/tfjs-node';
  try {
    await import(/* @vite-ignore */ name);
    return tf.getBackend() === 'tensorflow' || (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

/**
 * Initialises the fastest available backend once (later calls return the same promise).
 * Set `EDGEPERF_TF_BACKEND=cpu|wasm` to force one (tests, debugging).
 */
export function initBackend(): Promise<BackendInfo> {
  ready ??= (async (): Promise<BackendInfo> => {
    const warnings: string[] = [];
    const forced = process.env['EDGEPERF_TF_BACKEND'];
    if (!forced && (await tryTfjsNode())) return { name: 'tensorflow', warnings };
    if (forced !== 'cpu') {
      const wasmDir = findWasmDir();
      if (wasmDir) {
        try {
          setWasmPaths(wasmDir + '/');
          if (await tf.setBackend('wasm')) {
            await tf.ready();
            return { name: 'wasm', wasmDir, warnings };
          }
        } catch (err) {
          warnings.push(`wasm backend failed (${err instanceof Error ? err.message : String(err)})`);
        }
      } else {
        warnings.push('tfjs-backend-wasm.wasm not found beside the bundle or in node_modules');
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    if (forced !== 'cpu') {
      warnings.push('using the slow pure-JS cpu backend for TensorFlow.js');
      process.emitWarning(warnings.join('; '));
    }
    return { name: 'cpu', warnings };
  })();
  return ready;
}
