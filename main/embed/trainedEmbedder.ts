/**
 * A FaceNet network trained by `facet train` (main/training/trainedModel.ts) as a scan embedder.
 *
 * Training fed it the central `cropFraction` of LFW-style photos, resized to cover height × width. The
 * scan aligns every face instead, so the template puts the five landmarks where they sit on average in
 * such a crop: a square crop of side max(height, width), whose centre height × width the network sees.
 * That keeps the scale and position the network learnt, and the scan's detected faces look the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceNetModel } from '../../native-models/facenet/index.ts';
import type { AlignmentTemplate, FaceEmbedder, FiveLandmarks, RgbImage } from '../core/types.ts';
import { type TrainedModelCard, loadTrainedModel } from '../training/trainedModel.ts';
import { cropsToTensor, finishEmbeddings } from './cropTensors.ts';
import type { TrainedModelRef } from './userModels.ts';

/** Side of an LFW deep-funneled image, pixels. */
const LFW_SIDE = 250;

/**
 * Mean five landmarks (eye centres, nose tip, mouth corners) of LFW's deep-funneled images in their
 * 250×250 frame: the average over the 11,846 images with a detection in ~/.cache/facet/lfw-detections-ssd-mobilenetv1.json.
 */
export const LFW_FUNNELED_FIVE_POINTS: FiveLandmarks = [
  { x: 103.5, y: 111.8 },
  { x: 144.3, y: 111.2 },
  { x: 124.3, y: 136.4 },
  { x: 107.6, y: 157.1 },
  { x: 142.5, y: 156.9 },
];

/** The square template a model trained on `cropFraction` centre crops of LFW-framed photos expects. */
export function trainedTemplate(input: TrainedModelCard['input']): AlignmentTemplate {
  const side = LFW_SIDE * input.cropFraction;
  const offset = (LFW_SIDE - side) / 2;
  const points = LFW_FUNNELED_FIVE_POINTS.map((p) => ({ x: (p.x - offset) / side, y: (p.y - offset) / side })) as FiveLandmarks;
  return { size: Math.max(input.width, input.height), points };
}

export interface TrainedEmbedderOptions {
  /** Average the embeddings of the crop and its mirror image. */
  flip?: boolean;
}

export class TrainedFaceNetEmbedder implements FaceEmbedder {
  readonly id: string;
  readonly template: AlignmentTemplate;
  readonly dimensions: number;
  private readonly flip: boolean;
  private net?: FaceNetModel;

  constructor(private readonly model: TrainedModelRef, options: TrainedEmbedderOptions = {}) {
    this.id = model.card.id;
    this.template = trainedTemplate(model.card.input);
    this.dimensions = model.card.outputSize;
    this.flip = options.flip ?? false;
  }

  async load(): Promise<void> {
    this.net ??= loadTrainedModel(this.model.dir).net; // checks the weights' checksums
  }

  async embed(crops: RgbImage[]): Promise<Float32Array[]> {
    if (!this.net) throw new Error(`${this.id}: load() before embed()`);
    if (crops.length === 0) return [];
    const net = this.net;
    const { width, height } = this.model.card.input;
    const size = this.template.size;
    const raw = tf.tidy(() => {
      const squares = cropsToTensor(crops, size, this.flip); // [n(·2), size, size, 3], 0..255
      const top = Math.floor((size - height) / 2);
      const left = Math.floor((size - width) / 2);
      const input = tf.div(tf.slice(squares, [0, top, left, 0], [-1, height, width, 3]), 255) as tf.Tensor4D; // the card's [0, 1]
      return net.embed(input); // [n(·2), outputSize], unit rows
    });
    try {
      return await finishEmbeddings(raw, crops.length, this.flip);
    } finally {
      raw.dispose();
    }
  }

  dispose(): void {
    this.net?.dispose();
    this.net = undefined;
  }
}
