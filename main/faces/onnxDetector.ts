/**
 * face-api's SSD MobileNetV1 and 68-point landmark net on onnxruntime (converted from the same
 * verified weights, see native-models/onnx/), with the same pre- and post-processing as the tfjs
 * FaceApiDetector: NMS and box mapping in JS, landmark crops cut and resized by tfjs (small tensors).
 * Reports the same detector id, since its boxes and landmarks match the tfjs ones to about 1e-5.
 * With precision 'int8' the SSD runs its quantized graph (native-models/onnx/quantize.ts); the landmark
 * net stays float, since alignment, and so every embedding, depends on it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { clipToImage, cropRegion } from '../../native-models/faceapi/boxMath.ts';
import { LANDMARK_INPUT_SIZE, landmarkInput, toImagePoints } from '../../native-models/faceapi/landmark68.ts';
import { ssdDetections, type BoxDetection } from '../../native-models/faceapi/ssdMobilenetV1.ts';
import type { Precision } from '../../native-models/onnx/quantize.ts';
import { openOnnxModel, type OnnxModel } from '../embed/onnxRuntime.ts';
import { DetectorError, fiveFrom68, resolveOptions, type DetectorOptions, type ResolvedOptions } from './detectors.ts';
import type { Box, DetectedFace, FaceDetector, Point, RgbImage } from '../core/types.ts';

/** Faces per landmark run: small, as for the embedder, so that onnxruntime's arena stays small on crowded photos. */
const MAX_BATCH = 8;

export class OnnxSsdDetector implements FaceDetector {
  readonly id = 'ssd-mobilenetv1';
  readonly runtime = 'onnx';
  readonly options: Readonly<ResolvedOptions>;
  private models?: { boxes: OnnxModel; landmarks: OnnxModel };

  constructor(
    options: DetectorOptions = {},
    private readonly threads?: number,
    readonly precision: Precision = 'fp32',
    /** A serialised SSD graph to run instead of the cached one (calibration checks compare candidate int8 graphs). */
    private readonly graph?: Uint8Array,
  ) {
    this.options = resolveOptions('ssd-mobilenetv1', { ...options });
  }

  async load(): Promise<void> {
    if (this.models) return;
    const [boxes, landmarks] = await Promise.all([
      openOnnxModel('ssd-mobilenetv1', { threads: this.threads, precision: this.precision, graph: this.graph }),
      openOnnxModel('landmark68', { threads: this.threads }),
    ]);
    this.models = { boxes, landmarks };
  }

  /** Boxes and scores only (no landmarks), best first, in the image's pixels: one SSD pass. */
  async locate(image: RgbImage): Promise<BoxDetection[]> {
    const models = this.models;
    if (!models) throw new DetectorError(`detector ${this.id} used before load() or after dispose()`, 'load');
    const { width, height } = image;
    const { side, square } = paddedSquare(image);
    const { runtime, session } = models.boxes;
    const out = await session.run({ image: new runtime.Tensor('uint8', square, [1, side, side, 3]) });
    return ssdDetections(out.boxes!.data as Float32Array, out.scores!.data as Float32Array, width, height, this.options).slice(0, this.options.maxResults);
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const models = this.models;
    if (!models) throw new DetectorError(`detector ${this.id} used before load() or after dispose()`, 'load');
    const { width, height } = image;
    const found = await this.locate(image);
    const landmarks = await this.landmarks(models.landmarks, image, found.map((face) => face.box));
    return found.flatMap((face, i) => {
      const points = landmarks[i];
      if (!points) return []; // no whole pixel of the box inside the image: nothing to align
      return [{ box: clipToImage(face.box, width, height), score: face.score, landmarks: fiveFrom68(points), landmarks68: points }];
    });
  }

  /** Landmarks inside given boxes (drawn by the user, or fallbacks): null for a box with no whole pixel in the image. */
  async landmarksIn(image: RgbImage, boxes: Box[]): Promise<Array<DetectedFace | null>> {
    const models = this.models;
    if (!models) throw new DetectorError(`detector ${this.id} used before load() or after dispose()`, 'load');
    const landmarks = await this.landmarks(models.landmarks, image, boxes);
    return boxes.map((box, i) => {
      const points = landmarks[i];
      return points ? { box: clipToImage(box, image.width, image.height), score: 0, landmarks: fiveFrom68(points), landmarks68: points } : null;
    });
  }

  private async landmarks(model: OnnxModel, image: RgbImage, boxes: Box[]): Promise<(Point[] | null)[]> {
    const regions = boxes.map((box) => cropRegion(box, image.width, image.height));
    const usable = regions.flatMap((r, i) => (r.width > 0 && r.height > 0 ? [i] : []));
    const result: (Point[] | null)[] = boxes.map(() => null);
    for (let start = 0; start < usable.length; start += MAX_BATCH) {
      const batch = usable.slice(start, start + MAX_BATCH);
      const input = landmarkInput(image, batch.map((i) => regions[i]!)); // [n, 112, 112, 3] float32
      let pixels: Float32Array;
      try {
        const raw = await input.data();
        // A crop already 112 px square skips the resize and stays int32: onnxruntime wants float32.
        pixels = raw instanceof Float32Array ? raw : Float32Array.from(raw);
      } finally {
        tf.dispose(input);
      }
      const size = LANDMARK_INPUT_SIZE;
      const out = await model.session.run({ faces: new model.runtime.Tensor('float32', pixels, [batch.length, size, size, 3]) });
      const raw = out.landmarks!.data as Float32Array; // [n, 136]
      batch.forEach((boxIndex, b) => {
        result[boxIndex] = toImagePoints(raw.subarray(b * 136, (b + 1) * 136), regions[boxIndex]!);
      });
    }
    return result;
  }

  dispose(): void {
    void this.models?.boxes.session.release();
    void this.models?.landmarks.session.release();
    this.models = undefined;
  }
}

/** The SSD graph's input: the image padded with black after its bottom/right edge to a square, [1, S, S, 3] uint8. */
export function paddedSquare(image: RgbImage): { side: number; square: Uint8Array } {
  const { width, height, data } = image;
  const side = Math.max(width, height);
  const square = new Uint8Array(side * side * 3);
  for (let row = 0; row < height; row++) square.set(data.subarray(row * width * 3, (row + 1) * width * 3), row * side * 3);
  return { side, square };
}
