/**
 * The face pipeline for one decoded image: detect → five landmarks → align to the embedder's
 * template → quality → embed (batched over the image's faces). Owns its models; dispose() frees them.
 */
import { backendWasRequested, initBackend, type BackendName } from '../embed/backend.ts';
import { createEmbedder } from '../embed/embedders.ts';
import { OnnxDlibResnetEmbedder } from '../embed/onnxEmbedder.ts';
import { DEFAULT_DETECTOR, DEFAULT_EMBEDDER } from '../../native-models/catalog.ts';
import { precisionsOf, resolvePrecision, type NetworkPrecisions, type PrecisionMode } from '../embed/precision.ts';
import { alignFace } from './align.ts';
import { createDetector } from './detectors.ts';
import { OnnxSsdDetector } from './onnxDetector.ts';
import { typicalFaceBox } from './landmarkBox.ts';
import { SmallFaceDetector, type BoxLocatingDetector, type SmallFaceOptions } from './smallFaces.ts';
import { assessQuality, type FaceQuality } from './quality.ts';
import type { Box, DetectedFace, FaceDetector, FaceEmbedder, FiveLandmarks, RgbImage } from '../core/types.ts';

export interface PipelineOptions {
  detector?: string;
  embedder?: string;
  backend?: string;
  /** Average each embedding with its mirror image's (more accurate, twice the embedding cost). */
  flip?: boolean;
  /**
   * 'dense' fits all 68 landmarks to the embedder's layout where both exist (dlib's own way), 'five'
   * only the eyes, nose and mouth corners. Default 'dense'.
   */
  alignment?: 'dense' | 'five';
  /** The detector's confidence floor (default 0.5); see DetectorOptions.minConfidence. */
  minConfidence?: number;
  /**
   * Runs the landmark net a second time in the box where it expects a face with the first pass's
   * landmarks (landmarkBox.ts). Default true: on LFW it raised accuracy from 0.9889 to 0.9915.
   */
  refineLandmarks?: boolean;
  /**
   * The small-face pass (smallFaces.ts): on images large enough that faces of `minFace` px vanish in
   * the detector's whole-image input, tiles of an image pyramid are searched too. Default on, with
   * minFace 40 px of the decoded image; false turns it off (one whole-image pass, as face-api does).
   */
  smallFaces?: SmallFaceOptions | false;
  /**
   * What the ONNX SSD and dlib ResNet compute in: 'fp32', 'int8-embedder' or 'int8' (quantized graphs,
   * native-models/onnx/quantize.ts; embed/precision.ts). Default: FACET_PRECISION, else DEFAULT_PRECISION.
   * Only the onnx backend has int8 graphs: int8 asked for on another backend is an error.
   */
  precision?: PrecisionMode;
}

export interface AnalysedFace extends DetectedFace {
  quality: FaceQuality;
  crop: RgbImage;
  embedding: Float32Array;
}

export interface PipelineTimings {
  detectMs: number;
  alignMs: number;
  embedMs: number;
}

/** The detector with the small-face pass around it, unless turned off or the detector cannot return boxes alone. */
function withSmallFaces(detector: FaceDetector, options: SmallFaceOptions | false | undefined): FaceDetector {
  if (options === false || !isBoxLocating(detector)) return detector;
  return new SmallFaceDetector(detector, options);
}

function isBoxLocating(detector: FaceDetector): detector is BoxLocatingDetector {
  const candidate = detector as Partial<BoxLocatingDetector>;
  return typeof candidate.locate === 'function' && typeof candidate.landmarksIn === 'function' && typeof candidate.options?.inputSize === 'number';
}

export class FacePipeline {
  readonly timings: PipelineTimings = { detectMs: 0, alignMs: 0, embedMs: 0 };

  private constructor(
    readonly backend: BackendName,
    readonly detector: FaceDetector,
    readonly embedder: FaceEmbedder,
    readonly alignment: 'dense' | 'five' = 'dense',
    readonly refineLandmarks = true,
    /** What the detector and the embedder actually run in: fp32 for every network that runs on tfjs. */
    readonly precisions: NetworkPrecisions = { detector: 'fp32', embedder: 'fp32' },
  ) {}

  static async create(options: PipelineOptions = {}): Promise<FacePipeline> {
    const backend = await initBackend(options.backend);
    const detectorId = options.detector ?? DEFAULT_DETECTOR;
    const embedderId = options.embedder ?? DEFAULT_EMBEDDER;
    const flip = options.flip ?? true;
    const { precision, requested: precisionRequested } = resolvePrecision(options.precision);
    if (precision !== 'fp32' && precisionRequested && backend !== 'onnx') throw new Error(`precision ${precision} needs the onnx backend (onnxruntime-node); the backend is ${backend}`);
    const alignment = options.alignment ?? 'dense';
    const detectorOptions = options.minConfidence === undefined ? {} : { minConfidence: options.minConfidence };
    const tfjsDetector = () => withSmallFaces(createDetector(detectorId as Parameters<typeof createDetector>[0], detectorOptions), options.smallFaces);
    const tfjsEmbedder = () => createEmbedder(embedderId, { flip });
    if (backend === 'onnx') {
      // The networks with an ONNX converter run on onnxruntime; the others stay on tfjs, in fp32 whatever the mode.
      const precisions = precisionsOf(precision, detectorId, embedderId);
      const detector = detectorId === 'ssd-mobilenetv1' ? withSmallFaces(new OnnxSsdDetector(detectorOptions, undefined, precisions.detector), options.smallFaces) : tfjsDetector();
      const embedder = embedderId === 'dlib-resnet' ? new OnnxDlibResnetEmbedder({ flip, precision: precisions.embedder }) : tfjsEmbedder();
      try {
        await Promise.all([detector.load(), embedder.load()]);
        return new FacePipeline(backend, detector, embedder, alignment, options.refineLandmarks ?? true, precisions);
      } catch (error) {
        detector.dispose();
        embedder.dispose();
        if (backendWasRequested(options.backend)) throw error;
        // Picked only because onnxruntime loaded: tfjs is the fallback.
        process.emitWarning(`onnx models could not be loaded (${(error as Error).message}); using tfjs`, 'FacetBackendWarning');
      }
    }
    const detector = tfjsDetector();
    const embedder = tfjsEmbedder();
    await Promise.all([detector.load(), embedder.load()]);
    return new FacePipeline(backend, detector, embedder, alignment, options.refineLandmarks ?? true);
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const started = performance.now();
    const faces = await this.refine(image, await this.detector.detect(image));
    this.timings.detectMs += performance.now() - started;
    return faces;
  }

  /** The second landmark pass: boxes and scores stay the detector's, the landmarks come from the typical box. */
  private async refine(image: RgbImage, faces: DetectedFace[]): Promise<DetectedFace[]> {
    if (!this.refineLandmarks || !this.detector.landmarksIn || faces.length === 0) return faces;
    const again = await this.detector.landmarksIn(image, faces.map((face) => typicalFaceBox(face.landmarks)));
    return faces.map((face, i) => {
      const found = again[i];
      return found ? { ...face, landmarks: found.landmarks, landmarks68: found.landmarks68 } : face;
    });
  }

  /** Aligns, scores and embeds faces whose landmarks are known (detected, or drawn by the user). */
  async describe(image: RgbImage, faces: DetectedFace[]): Promise<AnalysedFace[]> {
    if (faces.length === 0) return [];
    let started = performance.now();
    const crops = faces.map((face) =>
      alignFace(image, face.landmarks, this.alignment === 'dense' ? face.landmarks68 : undefined, this.embedder.template));
    const qualities = faces.map((face, i) => assessQuality(face.landmarks, crops[i]!));
    this.timings.alignMs += performance.now() - started;
    started = performance.now();
    const embeddings = await this.embedder.embed(crops);
    this.timings.embedMs += performance.now() - started;
    return faces.map((face, i) => ({ ...face, quality: qualities[i]!, crop: crops[i]!, embedding: embeddings[i]! }));
  }

  async analyse(image: RgbImage): Promise<AnalysedFace[]> {
    return this.describe(image, await this.detect(image));
  }

  /** Finds landmarks inside given boxes (drawn or fallback), then aligns, scores and embeds those faces. */
  async describeBoxes(image: RgbImage, boxes: Box[]): Promise<Array<AnalysedFace | null>> {
    if (!this.detector.landmarksIn) throw new Error(`detector ${this.detector.id} cannot find landmarks in a given box`);
    const found = await this.detector.landmarksIn(image, boxes);
    const faces = await this.refine(image, found.filter((face): face is DetectedFace => face !== null));
    const described = await this.describe(image, faces);
    let next = 0;
    return found.map((face) => (face ? described[next++]! : null));
  }

  /** Embeds one face from landmarks alone (no detection): used for fallbacks and evaluation. */
  async embedAt(image: RgbImage, landmarks: FiveLandmarks): Promise<Float32Array> {
    const [face] = await this.describe(image, [{ box: { x: 0, y: 0, width: image.width, height: image.height }, score: 0, landmarks }]);
    return face!.embedding;
  }

  dispose(): void {
    this.detector.dispose();
    this.embedder.dispose();
  }
}
