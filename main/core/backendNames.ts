/**
 * The inference backends' names and the aliases --backend and FACET_BACKEND accept, apart from backend.ts (which
 * loads tfjs) so that the command line can check the option before it loads anything.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'onnx', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** User-facing aliases accepted by --backend and FACET_BACKEND. */
const ALIASES: Record<string, BackendName> = {
  'tfjs-node-gpu': 'tensorflow-gpu',
  gpu: 'tensorflow-gpu',
  'tensorflow-gpu': 'tensorflow-gpu',
  'tfjs-node': 'tensorflow',
  node: 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
  onnx: 'onnx',
  onnxruntime: 'onnx',
  'onnxruntime-node': 'onnx',
  ort: 'onnx',
};

export class BackendError extends Error {
  override readonly name = 'BackendError';
}

export function parseBackendName(value: string): BackendName {
  const name = ALIASES[value.trim().toLowerCase()];
  if (!name) {
    throw new BackendError(`unknown backend "${value}": use one of ${Object.keys(ALIASES).join(', ')}`);
  }
  return name;
}
