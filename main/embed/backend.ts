/**
 * Inference backend selection. The fastest backend that loads wins, in this order:
 * tfjs-node-gpu (CUDA), onnx (onnxruntime-node on the CPU for the networks that have a converter,
 * see native-models/onnx/; tfjs on wasm or cpu underneath for everything else, training included),
 * tfjs-node (native libtensorflow), wasm (SIMD + threads where available), cpu (pure JS, last resort).
 * tfjs-node(-gpu) are optional dependencies: their install downloads libtensorflow, which fails on machines
 * without general internet access, so they are detected at run time rather than imported statically.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';

export { BACKEND_NAMES, BackendError, parseBackendName, type BackendName } from '../core/backendNames.ts';
import { BACKEND_NAMES, BackendError, parseBackendName, type BackendName } from '../core/backendNames.ts';

const require = createRequire(import.meta.url);

async function tryRegister(name: BackendName): Promise<boolean> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        // The native binding registers a backend called "tensorflow" as a side effect of loading.
        await import(pkg);
      } catch {
        return false;
      }
      return tf.setBackend('tensorflow').then(() => true, () => false);
    }
    case 'onnx': {
      const { loadOnnxRuntime } = await import('./onnxRuntime.ts');
      if ((await loadOnnxRuntime()) instanceof Error) return false;
      // tfjs still runs what has no ONNX form (crop resizing, other models, training): wasm, else cpu.
      return (await tryRegister('wasm')) || tryRegister('cpu');
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries sit beside the package's dist bundle; tell the loader where.
      const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(distDir + path.sep);
      return tf.setBackend('wasm').then((ok) => ok, () => false);
    }
    case 'cpu': {
      await import('@tensorflow/tfjs-backend-cpu');
      return tf.setBackend('cpu');
    }
  }
}

let active: BackendName | undefined;

/**
 * Initialise tfjs on the requested backend, or on the fastest one that loads.
 * A backend named explicitly (flag or FACET_BACKEND) that fails to load is an error, not a silent fallback.
 */
export async function initBackend(requested?: string): Promise<BackendName> {
  const wanted = requested ?? process.env.FACET_BACKEND;
  if (active && (!wanted || parseBackendName(wanted) === active)) return active;
  if (wanted) {
    const name = parseBackendName(wanted);
    if (!(await tryRegister(name))) throw new BackendError(`backend "${name}" could not be loaded on this machine`);
    await tf.ready();
    active = name;
    return name;
  }
  for (const name of BACKEND_NAMES) {
    if (await tryRegister(name)) {
      await tf.ready();
      active = name;
      return name;
    }
  }
  throw new BackendError('no TensorFlow.js backend could be loaded');
}

export function activeBackend(): BackendName | undefined {
  return active;
}

/** Whether the backend was named by the caller or FACET_BACKEND (then a model that fails to load on it is an error). */
export function backendWasRequested(requested?: string): boolean {
  return Boolean(requested ?? process.env.FACET_BACKEND);
}
