/**
 * Face embedders behind one interface: aligned RGB crops in, L2-normalised vectors out.
 * Each feeds its network exactly as the package that ships it does (see native-models/catalog.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { catalogEntry, type CatalogEntry } from '../../native-models/catalog.ts';
import { DlibResnetWeights, dlibResnetForward } from '../../native-models/dlibResnet.ts';
import { loadGraphModel, loadWeightMap } from '../../native-models/tfjsLoad.ts';
import { dlibFivePoints, dlibTemplate, paddedTemplate, ARCFACE_112 } from '../faces/templates.ts';
import type { AlignmentTemplate, FaceEmbedder, RgbImage } from '../core/types.ts';
import { cropsToTensor, finishEmbeddings } from './cropTensors.ts';
import { TrainedFaceNetEmbedder } from './trainedEmbedder.ts';
import { findTrainedModel } from './userModels.ts';

export interface EmbedderOptions {
  /** Average the embeddings of the crop and its mirror image (costs a second pass, gains accuracy). */
  flip?: boolean;
}

abstract class BaseEmbedder implements FaceEmbedder {
  readonly entry: CatalogEntry;
  protected readonly flip: boolean;

  constructor(
    readonly id: string,
    readonly template: AlignmentTemplate,
    options: EmbedderOptions,
  ) {
    this.entry = catalogEntry(id, 'embedder');
    this.flip = options.flip ?? false;
  }

  get dimensions(): number {
    return this.entry.outputSize;
  }

  abstract load(): Promise<void>;
  abstract dispose(): void;
  protected abstract forward(batch: tf.Tensor4D): tf.Tensor2D;

  async embed(crops: RgbImage[]): Promise<Float32Array[]> {
    if (crops.length === 0) return [];
    const raw = tf.tidy(() => this.forward(cropsToTensor(crops, this.template.size, this.flip)));
    try {
      return await finishEmbeddings(raw, crops.length, this.flip);
    } finally {
      raw.dispose();
    }
  }
}

/** dlib's ResNet: chips from get_face_chip_details(shape, 150, 0.25); input RGB 0..255 minus dlib's mean. */
class DlibResnetEmbedder extends BaseEmbedder {
  private weights?: DlibResnetWeights;

  constructor(options: EmbedderOptions) {
    super('dlib-resnet', dlibTemplate(150, 0.25), options);
  }

  async load(): Promise<void> {
    this.weights ??= new DlibResnetWeights(loadWeightMap(this.entry));
  }

  protected forward(batch: tf.Tensor4D): tf.Tensor2D {
    if (!this.weights) throw new Error('dlib-resnet: load() before embed()');
    return dlibResnetForward(batch, this.weights);
  }

  dispose(): void {
    this.weights?.dispose();
    this.weights = undefined;
  }
}

/** Human's graph-model embedders: input is the face crop scaled by `inputScale` (Human: 0..1 or 0..255). */
class GraphEmbedder extends BaseEmbedder {
  private model?: GraphModel;

  constructor(id: string, template: AlignmentTemplate, private readonly inputScale: number, options: EmbedderOptions) {
    super(id, template, options);
  }

  async load(): Promise<void> {
    this.model ??= await loadGraphModel(this.entry);
  }

  protected forward(batch: tf.Tensor4D): tf.Tensor2D {
    if (!this.model) throw new Error(`${this.id}: load() before embed()`);
    const outputs = this.model.execute(tf.mul(batch, this.inputScale));
    // faceres has three heads (age, gender, descriptor): the descriptor is the widest.
    const list = Array.isArray(outputs) ? outputs : [outputs];
    const descriptor = list.reduce((widest, t) => (t.shape[t.shape.length - 1]! > widest.shape[widest.shape.length - 1]! ? t : widest));
    return tf.reshape(descriptor, [batch.shape[0], -1]) as tf.Tensor2D;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}

export const EMBEDDER_IDS = ['dlib-resnet', 'mobileface', 'faceres'] as const;

export function createEmbedder(id: string, options: EmbedderOptions = {}): FaceEmbedder {
  switch (id) {
    case 'dlib-resnet':
      return new DlibResnetEmbedder(options);
    case 'mobileface':
      // Human feeds its mobilefacenet graph the 0..1 face tensor, but this MobileFace graph was converted
      // from an MXNet model fed 0..255: measured on LFW, 0..1 gives 0.674 and 0..255 gives 0.937.
      return new GraphEmbedder('mobileface', { size: 112, points: ARCFACE_112 }, 1, options);
    case 'faceres':
      // human/src/face/faceres.ts multiplies its 0..1 face tensor by 255: the net takes 0..255.
      return new GraphEmbedder('faceres', paddedTemplate(dlibFivePoints(), 224, 0.25), 1, options);
    default: {
      // A network trained by `facet train`: a model folder, or the id of one registered by `facet scan --model DIR`.
      const trained = findTrainedModel(id);
      if (trained) return new TrainedFaceNetEmbedder(trained, options);
      catalogEntry(id, 'embedder'); // throws with the list of known embedders
      throw new Error(`embedder ${id} has no implementation`);
    }
  }
}
