/**
 * tfjs (wasm, one thread) against onnxruntime (one intra-op thread) on the same decoded photos and
 * aligned faces, in this process, alternating so that a busy neighbour slows both alike: SSD +
 * landmarks per photo, dlib ResNet per face (one pass, no mirror). Best of `rounds`.
 */
import { initBackend } from '../embed/backend.ts';
import { createEmbedder } from '../embed/embedders.ts';
import { OnnxDlibResnetEmbedder } from '../embed/onnxEmbedder.ts';
import { loadOnnxRuntime } from '../embed/onnxRuntime.ts';
import { alignToTemplate } from '../faces/align.ts';
import { createDetector } from '../faces/detectors.ts';
import { OnnxSsdDetector } from '../faces/onnxDetector.ts';
import type { FaceDetector, FaceEmbedder, RgbImage } from '../core/types.ts';
import { decodeImage } from '../library/decode.ts';

export interface RuntimeComparison {
  photos: number;
  faces: number;
  detectMsPerPhoto: { tfjsWasm: number; onnx: number };
  embedMsPerFace: { tfjsWasm: number; onnx: number };
  /** tfjs time / onnx time: how many times faster onnxruntime is. */
  detectRatio: number;
  embedRatio: number | null;
}

async function bestOf<T>(rounds: number, run: () => Promise<T>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** Null where onnxruntime does not load (nothing to compare). */
export async function compareRuntimes(files: string[], log: (line: string) => void = () => {}, rounds = 2): Promise<RuntimeComparison | null> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) {
    log(`no runtime comparison: ${ort.message}`);
    return null;
  }
  // 'onnx' puts tfjs on wasm underneath; a pipeline created later in this thread re-initialises for its own backend.
  await initBackend('onnx');
  const images: RgbImage[] = [];
  for (const file of files) {
    const decoded = await decodeImage(file);
    if (!(decoded instanceof Error)) images.push(decoded.image);
  }
  log(`one thread each: tfjs-wasm vs onnxruntime on ${images.length} photo(s)`);
  const detectors: FaceDetector[] = [createDetector('ssd-mobilenetv1'), new OnnxSsdDetector({}, 1)];
  const embedders: FaceEmbedder[] = [createEmbedder('dlib-resnet', { flip: false }), new OnnxDlibResnetEmbedder({ flip: false, threads: 1 })];
  await Promise.all([...detectors, ...embedders].map((model) => model.load()));
  try {
    const found = await Promise.all(images.map((image) => detectors[0]!.detect(image)));
    const crops = images.map((image, i) => found[i]!.map((face) => alignToTemplate(image, face.landmarks, embedders[0]!.template)));
    const faces = crops.reduce((sum, list) => sum + list.length, 0);
    const detectAll = (detector: FaceDetector) => async () => { for (const image of images) await detector.detect(image); };
    const embedAll = (embedder: FaceEmbedder) => async () => { for (const list of crops) await embedder.embed(list); };
    for (const model of [...detectors.map(detectAll), ...embedders.map(embedAll)]) await model(); // warm-up
    const detectMs: number[] = [0, 0];
    const embedMs: number[] = [0, 0];
    for (let i = 0; i < detectors.length; i++) detectMs[i] = await bestOf(rounds, detectAll(detectors[i]!));
    for (let i = 0; i < embedders.length; i++) embedMs[i] = await bestOf(rounds, embedAll(embedders[i]!));
    const perPhoto = (ms: number) => ms / Math.max(1, images.length);
    const perFace = (ms: number) => ms / Math.max(1, faces);
    return {
      photos: images.length,
      faces,
      detectMsPerPhoto: { tfjsWasm: perPhoto(detectMs[0]!), onnx: perPhoto(detectMs[1]!) },
      embedMsPerFace: { tfjsWasm: perFace(embedMs[0]!), onnx: perFace(embedMs[1]!) },
      detectRatio: detectMs[0]! / detectMs[1]!,
      embedRatio: faces > 0 ? embedMs[0]! / embedMs[1]! : null,
    };
  } finally {
    for (const model of [...detectors, ...embedders]) model.dispose();
  }
}
