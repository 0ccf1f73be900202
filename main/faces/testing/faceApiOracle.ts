/**
 * TEST ONLY. Loads @vladmandic/face-api's own implementation on OUR tfjs-core instance, so tests can use it as an oracle.
 *
 * face-api's `dist/face-api.esm-nobundle.js` imports `@tensorflow/tfjs/dist/index.js` (the umbrella package, which
 * we do not install) plus the webgl and wasm backends. A module resolve hook maps the umbrella to our
 * `@tensorflow/tfjs-core` (same file, hence the same engine, backend and Tensor class) and the two backends to empty
 * modules (our backend is already registered by initBackend). The umbrella would also install tfjs' "chained ops"
 * (`tensor.as3D()`, `tensor.div()`...), which face-api uses; the core's CommonJS bundle has none, so they are added
 * here to Tensor.prototype. That patch is global to the test process, which is why the oracle lives in its own test
 * file: the other tests prove that our code runs without it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { catalogEntry } from '../../../native-models/catalog.ts';
import { loadWeightMap } from '../../../native-models/tfjsLoad.ts';

/** The few parts of face-api's API the tests touch; face-api ships no usable types for this build. */
export interface FaceApiBox {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface FaceApiResult {
  detection: { score: number; box: FaceApiBox };
  landmarks: { positions: { x: number; y: number }[] };
}
export interface FaceApiOracle {
  /** [h, w, 3] int32 image in, face-api's detectAllFaces(...).withFaceLandmarks() out. */
  ssd(image: tf.Tensor3D, minConfidence: number, maxResults?: number): Promise<FaceApiResult[]>;
  tiny(image: tf.Tensor3D, inputSize: number, scoreThreshold: number): Promise<FaceApiResult[]>;
  dispose(): void;
}

const require = createRequire(import.meta.url);

function installResolveHook(): void {
  const coreUrl = pathToFileURL(require.resolve('@tensorflow/tfjs-core')).href;
  const umbrella = 'data:text/javascript,' + encodeURIComponent(`export * from ${JSON.stringify(coreUrl)};`);
  const hook = `
    const map = {
      '@tensorflow/tfjs/dist/index.js': ${JSON.stringify(umbrella)},
      '@tensorflow/tfjs-backend-webgl/dist/index.js': 'data:text/javascript,export {};',
      '@tensorflow/tfjs-backend-wasm/dist/index.js': 'data:text/javascript,export {};',
    };
    export async function resolve(specifier, context, next) {
      const url = map[specifier];
      return url ? { url, shortCircuit: true } : next(specifier, context);
    }`;
  register('data:text/javascript,' + encodeURIComponent(hook));
}

/** tensor.op(...args) === tf.op(tensor, ...args), which is all tfjs' chained ops are, plus the asND reshapes. */
function installChainedOps(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, unknown>;
  for (const [name, op] of Object.entries(ops)) {
    if (typeof op !== 'function' || name in proto || /^[A-Z]/.test(name)) continue;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      return (op as (...a: unknown[]) => unknown)(this, ...args);
    };
  }
  const reshapeTo = (shape: (t: tf.Tensor, dims: number[]) => number[]) =>
    function (this: tf.Tensor, ...dims: number[]) {
      return tf.reshape(this, shape(this, dims));
    };
  proto.as1D = reshapeTo((t) => [t.size]);
  proto.as2D = reshapeTo((_t, dims) => dims);
  proto.as3D = reshapeTo((_t, dims) => dims);
  proto.as4D = reshapeTo((_t, dims) => dims);
}

let loaded: Promise<Record<string, any>> | undefined;

/** face-api's module on our tfjs-core (also used by `facet bench pipeline`'s peer, in a child process of its own). */
export function loadFaceApiModule(): Promise<Record<string, any>> {
  loaded ??= importFaceApi();
  return loaded;
}

async function importFaceApi(): Promise<Record<string, any>> {
  installResolveHook();
  installChainedOps();
  const url = pathToFileURL(require.resolve('@vladmandic/face-api/dist/face-api.esm-nobundle.js')).href;
  const faceapi = (await import(url)) as Record<string, any>;
  if (faceapi.tf.Tensor !== tf.Tensor) throw new Error('face-api oracle: face-api did not get our tfjs-core instance');
  return faceapi;
}

/** Call after initBackend(). Weights come through our verified loader; face-api disposes the entries it does not use. */
export async function loadFaceApiOracle(): Promise<FaceApiOracle> {
  const faceapi = await loadFaceApiModule();
  const { ssdMobilenetv1, tinyFaceDetector, faceLandmark68Net } = faceapi.nets;
  ssdMobilenetv1.loadFromWeightMap(loadWeightMap(catalogEntry('ssd-mobilenetv1')));
  tinyFaceDetector.loadFromWeightMap(loadWeightMap(catalogEntry('tiny-face-detector')));
  faceLandmark68Net.loadFromWeightMap(loadWeightMap(catalogEntry('landmark68')));
  return {
    ssd: (image, minConfidence, maxResults) =>
      faceapi.detectAllFaces(image, new faceapi.SsdMobilenetv1Options({ minConfidence, maxResults })).withFaceLandmarks(),
    tiny: (image, inputSize, scoreThreshold) =>
      faceapi.detectAllFaces(image, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold })).withFaceLandmarks(),
    dispose() {
      ssdMobilenetv1.dispose();
      tinyFaceDetector.dispose();
      faceLandmark68Net.dispose();
    },
  };
}
