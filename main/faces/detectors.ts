/**
 * Face detectors behind the FaceDetector interface: face-api's SSD MobileNetV1 or Tiny Face Detector
 * finds the boxes, face-api's 68-point landmark net runs on each box, and the five alignment
 * landmarks are derived from the 68. Networks live in native-models/faceapi/.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, initBackend } from '../embed/backend.ts';
import { clipToImage } from '../../native-models/faceapi/boxMath.ts';
import { FaceLandmark68Net } from '../../native-models/faceapi/landmark68.ts';
import { SsdMobilenetV1, type BoxDetection } from '../../native-models/faceapi/ssdMobilenetV1.ts';
import { TinyFaceDetector } from '../../native-models/faceapi/tinyFaceDetector.ts';
import type { DetectedFace, FaceDetector, FiveLandmarks, Point, RgbImage } from '../core/types.ts';
import type { Box as BoxType } from '../core/types.ts';

export const DETECTOR_IDS = ['ssd-mobilenetv1', 'tiny-face-detector'] as const;
export type DetectorId = (typeof DETECTOR_IDS)[number];

export interface DetectorOptions {
  /**
   * Keep faces scoring strictly above this, in (0, 1): SSD's minConfidence, the tiny detector's
   * scoreThreshold. Default 0.5. Small faces in group photos often score 0.3 to 0.5.
   */
  minConfidence?: number;
  /** At most this many faces per image, best first. Default 100. */
  maxResults?: number;
  /**
   * Tiny detector only: side of its square input, a multiple of 32. Default 416; 608 or more finds
   * smaller faces in large photos. SSD's input is fixed at 512 by its anchors.
   */
  inputSize?: number;
}

export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  constructor(
    message: string,
    /** The option or argument at fault. */
    readonly field: string,
  ) {
    super(message);
  }
}

export type ResolvedOptions = Required<DetectorOptions>;

export function resolveOptions(id: string, options: DetectorOptions): ResolvedOptions {
  if (!(DETECTOR_IDS as readonly string[]).includes(id)) {
    throw new DetectorError(`unknown detector "${id}": use one of ${DETECTOR_IDS.join(', ')}`, 'id');
  }
  const resolved: ResolvedOptions = { minConfidence: 0.5, maxResults: 100, inputSize: id === 'ssd-mobilenetv1' ? 512 : 416 };
  const { minConfidence, maxResults, inputSize } = options;
  if (minConfidence !== undefined) {
    if (!(minConfidence > 0 && minConfidence < 1)) {
      throw new DetectorError(`minConfidence must lie strictly between 0 and 1, got ${minConfidence}`, 'minConfidence');
    }
    resolved.minConfidence = minConfidence;
  }
  if (maxResults !== undefined) {
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      throw new DetectorError(`maxResults must be a positive integer, got ${maxResults}`, 'maxResults');
    }
    resolved.maxResults = maxResults;
  }
  if (inputSize !== undefined) {
    if (id === 'ssd-mobilenetv1' && inputSize !== 512) {
      throw new DetectorError(`ssd-mobilenetv1 has a fixed 512-pixel input, got inputSize ${inputSize}`, 'inputSize');
    }
    if (!Number.isInteger(inputSize) || inputSize < 32 || inputSize % 32 !== 0) {
      throw new DetectorError(`inputSize must be a positive multiple of 32, got ${inputSize}`, 'inputSize');
    }
    resolved.inputSize = inputSize;
  }
  return resolved;
}

/** [1, h, w, 3] int32, values 0..255. */
export function rgbToTensor(image: RgbImage): tf.Tensor4D {
  const { data, width, height } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new DetectorError(`image of ${width}x${height} needs ${width * height * 3} bytes of RGB, got ${data.length}`, 'image');
  }
  return tf.tensor4d(data, [1, height, width, 3], 'int32');
}

const mean = (points: readonly Point[]): Point => ({
  x: points.reduce((sum, p) => sum + p.x, 0) / points.length,
  y: points.reduce((sum, p) => sum + p.y, 0) / points.length,
});

/** The five alignment points from the iBUG 68: eye centres (means of 36-41 and 42-47), nose tip 30, mouth corners 48 and 54. */
export function fiveFrom68(points: readonly Point[]): FiveLandmarks {
  if (points.length !== 68) throw new DetectorError(`expected 68 landmarks, got ${points.length}`, 'points');
  const at = (i: number): Point => ({ x: points[i]!.x, y: points[i]!.y });
  return [mean(points.slice(36, 42)), mean(points.slice(42, 48)), at(30), at(48), at(54)];
}

interface LoadedNets {
  boxes: SsdMobilenetV1 | TinyFaceDetector;
  landmarks: FaceLandmark68Net;
}

class FaceApiDetector implements FaceDetector {
  private nets: LoadedNets | undefined;

  constructor(
    readonly id: DetectorId,
    readonly options: Readonly<ResolvedOptions>,
  ) {}

  async load(): Promise<void> {
    if (this.nets) return;
    if (!activeBackend()) await initBackend();
    const boxes = this.id === 'ssd-mobilenetv1' ? SsdMobilenetV1.load() : TinyFaceDetector.load();
    try {
      this.nets = { boxes, landmarks: FaceLandmark68Net.load() };
    } catch (error) {
      boxes.dispose();
      throw error;
    }
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const nets = this.nets;
    if (!nets) throw new DetectorError(`detector ${this.id} used before load() or after dispose()`, 'load');
    const input = rgbToTensor(image);
    try {
      const found = (await this.run(nets.boxes, input)).slice(0, this.options.maxResults);
      const landmarks = await nets.landmarks.detectLandmarks(image, found.map((face) => face.box));
      return found.flatMap((face, i) => {
        const points = landmarks[i];
        // No landmarks means the box had no whole pixel inside the image: nothing to align, so no face.
        if (!points) return [];
        const box = clipToImage(face.box, image.width, image.height);
        return [{ box, score: face.score, landmarks: fiveFrom68(points), landmarks68: points }];
      });
    } finally {
      input.dispose();
    }
  }

  async landmarksIn(image: RgbImage, boxes: BoxType[]): Promise<Array<DetectedFace | null>> {
    const nets = this.nets;
    if (!nets) throw new DetectorError(`detector ${this.id} used before load() or after dispose()`, 'load');
    const landmarks = await nets.landmarks.detectLandmarks(image, boxes);
    return boxes.map((box, i) => {
      const points = landmarks[i];
      return points ? { box: clipToImage(box, image.width, image.height), score: 0, landmarks: fiveFrom68(points), landmarks68: points } : null;
    });
  }

  /** Boxes and scores only (no landmarks), best first, in the image's pixels: one detector pass. */
  async locate(image: RgbImage): Promise<BoxDetection[]> {
    const nets = this.nets;
    if (!nets) throw new DetectorError(`detector ${this.id} used before load() or after dispose()`, 'load');
    const input = rgbToTensor(image);
    try {
      return (await this.run(nets.boxes, input)).slice(0, this.options.maxResults);
    } finally {
      input.dispose();
    }
  }

  private run(net: SsdMobilenetV1 | TinyFaceDetector, input: tf.Tensor4D): Promise<BoxDetection[]> {
    const { minConfidence, maxResults, inputSize } = this.options;
    return net instanceof SsdMobilenetV1
      ? net.locateFaces(input, { minConfidence, maxResults })
      : net.locateFaces(input, { inputSize, scoreThreshold: minConfidence });
  }

  dispose(): void {
    this.nets?.boxes.dispose();
    this.nets?.landmarks.dispose();
    this.nets = undefined;
  }
}

/** A detector with validated options; call load() before detect(). Throws DetectorError on a bad id or option. */
export function createDetector(id: DetectorId, options: DetectorOptions = {}): FaceDetector {
  return new FaceApiDetector(id, resolveOptions(id, { ...options }));
}
