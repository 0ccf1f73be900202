/**
 * Makes the int8 calibration tables (native-models/onnx/calibration.ts) on LFW's development split only:
 *  - dlib ResNet: aligned faces (and their mirrors, as the embedder sees them) of images of the people in
 *    peopleDevTrain.txt, drawn with the seed; landmarks from the LFW detection cache where present
 *    (lfwEmbed.ts, so the crops are exactly the evaluation's), else found by the fp32 pipeline.
 *  - SSD: the inputs the detector really gets, recorded from the small-face pass (whole image shrunk to
 *    512 px, then pyramid tiles) on group photos composed with the tuning seed (1; reports use seed 2),
 *    and whole peopleDevTrain images as a scan sees a small photo.
 * Each input runs through the folded float graph with every tensor to quantize added as an output.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Random, shuffled } from '../core/random.ts';
import type { Box, DetectedFace, FaceDetector, Point, RgbImage } from '../core/types.ts';
import { RangeObserver, CALIBRATION_FORMAT, type CalibrationTable } from '../../native-models/onnx/calibration.ts';
import { conversionKey, convertModel } from '../../native-models/onnx/cache.ts';
import { QUANTIZER_VERSION, foldConvAffine, planQuantization, tensorsToCalibrate, withExtraOutputs } from '../../native-models/onnx/quantize.ts';
import { createOnnxSession, loadOnnxRuntime, type OnnxRuntime } from '../embed/onnxRuntime.ts';
import { OnnxDlibResnetEmbedder } from '../embed/onnxEmbedder.ts';
import { alignFace } from '../faces/align.ts';
import { fiveFrom68 } from '../faces/detectors.ts';
import { OnnxSsdDetector, paddedSquare } from '../faces/onnxDetector.ts';
import { FacePipeline } from '../faces/pipeline.ts';
import { SmallFaceDetector, type BoxLocatingDetector } from '../faces/smallFaces.ts';
import type { Candidate } from '../faces/tiling.ts';
import { decodeImage } from '../library/decode.ts';
import { readPeopleFile } from '../training/imageDataset.ts';
import { lfwIdentities } from './clusterEval.ts';
import { composedPhotos } from './benchDetect.ts';
import { centralFacePreferConfident, detectionCacheFile, LFW_DETECTION_FLOOR } from './lfwEmbed.ts';

/** The tuning seed: never the report seed (2) of `facet bench detect` and `facet eval precision`. */
export const CALIBRATION_SEED = 1;
const BATCH = 8;

export interface CalibrationInputs {
  dataDir: string;
  seed?: number;
  /** Faces for the embedder (default 400). */
  faces?: number;
  /** Whole LFW images for the detector (default 64). */
  detectorImages?: number;
  /** Composed group photos whose detector inputs are recorded (default 4) and how many tiles of them to keep (default 96). */
  groupPhotos?: number;
  tiles?: number;
  percentile?: number;
  cacheDir: string;
  log?: (line: string) => void;
}

/** Images of the development training people, shuffled with the seed. */
export function devTrainImages(dataDir: string, seed: number): string[] {
  const people = readPeopleFile(path.join(dataDir, 'peopleDevTrain.txt'));
  const images = lfwIdentities(dataDir).filter((identity) => people.has(identity.name)).flatMap((identity) => identity.images);
  return shuffled(images, new Random(seed));
}

/** Cached LFW landmarks (68 or 5 points, original pixels) per image, or an empty map. */
export function cachedLandmarks(cacheDir: string, detector = 'ssd-mobilenetv1'): Map<string, Point[]> {
  const file = detectionCacheFile(cacheDir, detector, LFW_DETECTION_FLOOR);
  if (!existsSync(file)) return new Map();
  const cache = JSON.parse(readFileSync(file, 'utf8')) as { images: Record<string, { points: Point[] } | null> };
  return new Map(Object.entries(cache.images).flatMap(([image, face]) => (face ? [[image, face.points] as [string, Point[]]] : [])));
}

/**
 * dlib ResNet crops (150×150 RGB) of up to `count` of `files`, aligned as the pipeline aligns them: at
 * cached landmarks where there are some, else at the central face the fp32 pipeline finds (images
 * without one are left out).
 */
export async function alignedCrops(files: readonly string[], count: number, landmarks: ReadonlyMap<string, Point[]>, log: (line: string) => void): Promise<Map<string, RgbImage>> {
  const template = new OnnxDlibResnetEmbedder().template;
  let pipeline: FacePipeline | undefined;
  const crops = new Map<string, RgbImage>();
  try {
    for (const file of files) {
      if (crops.size >= count) break;
      const decoded = await decodeImage(file, { maxSide: Infinity });
      if (decoded instanceof Error) throw decoded;
      const points = landmarks.get(file)?.map((p) => ({ x: p.x * decoded.scale, y: p.y * decoded.scale }));
      let face: Pick<DetectedFace, 'landmarks' | 'landmarks68'> | undefined = points
        ? { landmarks: points.length === 68 ? fiveFrom68(points) : (points as DetectedFace['landmarks']), landmarks68: points.length === 68 ? points : undefined }
        : undefined;
      if (!face) {
        pipeline ??= await FacePipeline.create({ backend: 'onnx', precision: 'fp32', minConfidence: LFW_DETECTION_FLOOR });
        face = centralFacePreferConfident(await pipeline.detect(decoded.image), decoded.image.width, decoded.image.height);
      }
      if (!face) continue;
      crops.set(file, alignFace(decoded.image, face.landmarks, face.landmarks68, template));
      if (crops.size % 500 === 0) log(`aligned ${crops.size} faces`);
    }
  } finally {
    pipeline?.dispose();
  }
  return crops;
}

/** [rows, 150, 150, 3] float32: the crops, then their mirror images (the embedder's flip averaging sees both). */
export function faceBatch(crops: readonly RgbImage[], mirrored: boolean): Float32Array {
  const size = crops[0]!.width;
  const pixels = size * size * 3;
  const out = new Float32Array(crops.length * pixels * (mirrored ? 2 : 1));
  crops.forEach((crop, i) => {
    out.set(crop.data, i * pixels);
    if (!mirrored) return;
    const offset = (crops.length + i) * pixels;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) out[offset + (y * size + x) * 3 + c] = crop.data[(y * size + (size - 1 - x)) * 3 + c]!;
    }
  });
  return out;
}

async function calibrationSession(runtime: OnnxRuntime, modelId: string) {
  const folded = foldConvAffine(convertModel(modelId));
  const tensors = tensorsToCalibrate(planQuantization(folded));
  const session = await createOnnxSession(runtime, withExtraOutputs(folded, tensors).encode({ name: 'facet-calibration', version: String(QUANTIZER_VERSION) }), { threads: 1 });
  return { session, tensors };
}

function table(modelId: string, set: string, count: number, percentile: number, observer: RangeObserver): CalibrationTable {
  return {
    format: CALIBRATION_FORMAT, model: modelId, graphKey: conversionKey(modelId), quantizer: QUANTIZER_VERSION, set, count,
    method: 'minmax', percentile, tensors: observer.ranges(percentile),
  };
}

async function runtimeOrThrow(): Promise<OnnxRuntime> {
  const runtime = await loadOnnxRuntime();
  if (runtime instanceof Error) throw runtime;
  return runtime;
}

/** The embedder's table (method minmax; choose with int8DevCheck.ts). */
export async function calibrateEmbedder(options: CalibrationInputs): Promise<CalibrationTable> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? CALIBRATION_SEED;
  const wanted = options.faces ?? 400;
  const runtime = await runtimeOrThrow();
  const crops = [...(await alignedCrops(devTrainImages(options.dataDir, seed), wanted, cachedLandmarks(options.cacheDir), log)).values()];
  const { session, tensors } = await calibrationSession(runtime, 'dlib-resnet');
  const observer = new RangeObserver();
  try {
    for (let start = 0; start < crops.length; start += BATCH) {
      const batch = crops.slice(start, start + BATCH);
      const out = await session.run({ input: new runtime.Tensor('float32', faceBatch(batch, true), [batch.length * 2, 150, 150, 3]) });
      for (const name of tensors) observer.observe(name, out[name]!.data as Float32Array);
      log(`dlib-resnet calibration: ${Math.min(crops.length, start + BATCH)}/${crops.length} faces`);
    }
  } finally {
    await session.release();
  }
  const set = `LFW peopleDevTrain.txt: the central face of ${crops.length} images drawn with seed ${seed}, aligned as the pipeline does, each also mirrored`;
  return table('dlib-resnet', set, crops.length, options.percentile ?? 0.9999, observer);
}

/** Passes every locate() to the detector and keeps the images it was given (a whole image, or a tile). */
class RecordingDetector implements BoxLocatingDetector {
  readonly seen: RgbImage[] = [];
  constructor(private readonly inner: OnnxSsdDetector) {}
  get id() { return this.inner.id; }
  get options() { return this.inner.options; }
  load(): Promise<void> { return this.inner.load(); }
  dispose(): void { this.inner.dispose(); }
  locate(image: RgbImage): Promise<Candidate[]> {
    this.seen.push(image);
    return this.inner.locate(image);
  }
  landmarksIn(image: RgbImage, boxes: Box[]): Promise<Array<DetectedFace | null>> { return this.inner.landmarksIn(image, boxes); }
  detect(image: RgbImage): Promise<DetectedFace[]> {
    this.seen.push(image);
    return this.inner.detect(image);
  }
}

/** The detector inputs of the small-face pass over `files`: each photo's whole-image input, and every k-th tile up to `tiles`. */
export async function recordedDetectorInputs(files: readonly string[], tiles: number): Promise<{ wholes: RgbImage[]; tiles: RgbImage[] }> {
  const recorder = new RecordingDetector(new OnnxSsdDetector({}, 1, 'fp32'));
  const small = new SmallFaceDetector(recorder);
  await small.load();
  const wholes: RgbImage[] = [], tileInputs: RgbImage[] = [];
  try {
    for (const file of files) {
      const decoded = await decodeImage(file, { maxSide: Infinity });
      if (decoded instanceof Error) throw decoded;
      recorder.seen.length = 0;
      await small.detect(decoded.image);
      wholes.push(recorder.seen[0]!);
      tileInputs.push(...recorder.seen.slice(1));
    }
  } finally {
    small.dispose();
  }
  const every = Math.max(1, Math.ceil(tileInputs.length / tiles));
  return { wholes, tiles: tileInputs.filter((_, i) => i % every === 0) };
}

/** The SSD's table (method minmax; choose with int8DevCheck.ts). Composed photos: the first `groupPhotos` of the seed's set of 2 × that many. */
export async function calibrateDetector(options: CalibrationInputs): Promise<CalibrationTable> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? CALIBRATION_SEED;
  const groupPhotos = options.groupPhotos ?? 4;
  const runtime = await runtimeOrThrow();
  const composed = await composedPhotos({ lfwDir: options.dataDir, seed, photos: 2 * groupPhotos, cacheDir: options.cacheDir }, 0.5, log);
  const recorded = await recordedDetectorInputs(composed.photos.slice(0, groupPhotos).map((photo) => photo.file), options.tiles ?? 96);
  const lfwImages: RgbImage[] = [];
  // From the end of the shuffled list: the embedder's faces come from its start.
  for (const file of devTrainImages(options.dataDir, seed).reverse().slice(0, options.detectorImages ?? 64)) {
    const decoded = await decodeImage(file);
    if (decoded instanceof Error) throw decoded;
    lfwImages.push(decoded.image);
  }
  const inputs = [...recorded.wholes, ...recorded.tiles, ...lfwImages];
  const { session, tensors } = await calibrationSession(runtime, 'ssd-mobilenetv1');
  const observer = new RangeObserver();
  try {
    for (const [i, image] of inputs.entries()) {
      const { side, square } = paddedSquare(image);
      const out = await session.run({ image: new runtime.Tensor('uint8', square, [1, side, side, 3]) });
      for (const name of tensors) observer.observe(name, out[name]!.data as Float32Array);
      if ((i + 1) % 20 === 0) log(`ssd-mobilenetv1 calibration: ${i + 1}/${inputs.length} inputs`);
    }
  } finally {
    await session.release();
  }
  const set = `${groupPhotos} group photos composed with seed ${seed} (whole-image input + ${recorded.tiles.length} small-face tiles) and ${lfwImages.length} LFW peopleDevTrain.txt images (seed ${seed})`;
  return table('ssd-mobilenetv1', set, inputs.length, options.percentile ?? 0.9999, observer);
}
