/**
 * A FaceNet network ready to run or train: layers built from its spec, weights as tf.Variables.
 *
 *   const net = createFaceNet('NN4', { seed: 1 });
 *   const embeddings = net.embed(images);          // [batch, 96, 96, 3] → [batch, 128], unit rows
 *   optimizer.minimize(() => loss(net.embed(images)), false, net.variables);
 *   net.dispose();
 */
import * as tf from '@tensorflow/tfjs-core';
import { netSpec } from './architectures.ts';
import { FaceNetError } from './errors.ts';
import { WeightInit } from './init.ts';
import { type Layer, type NamedVariable, createLayer } from './layers/index.ts';
import { type Shape, formatShape } from './shapes.ts';
import type { NetSpec } from './spec.ts';
import './tfGradients.ts';

/** The network's layers with their shapes and costs, weights not allocated. */
export function planLayers(spec: NetSpec): Layer[] {
  let shape: Shape = spec.input;
  return spec.layers.map((layerSpec) => {
    const layer = createLayer(layerSpec, shape);
    shape = layer.outputShape;
    return layer;
  });
}

export interface FaceNetOptions {
  /** Seed of the weight initialisation. Default 1. */
  readonly seed?: number;
}

export class FaceNetModel {
  private disposed = false;

  private constructor(
    readonly spec: NetSpec,
    readonly layers: readonly Layer[],
  ) {}

  /** Builds every layer's weights from a seeded initialisation. */
  static create(spec: NetSpec, options: FaceNetOptions = {}): FaceNetModel {
    const layers = planLayers(spec);
    const init = new WeightInit(options.seed ?? 1);
    try {
      for (const layer of layers) layer.build(init);
    } catch (error) {
      for (const layer of layers) layer.dispose(); // no half-built model left holding memory
      throw error;
    }
    return new FaceNetModel(spec, layers);
  }

  get name(): string {
    return this.spec.name;
  }

  /** [height, width, 3]. */
  get inputShape(): Shape {
    return this.spec.input;
  }

  get embeddingSize(): number {
    return this.layers.at(-1)!.outputShape[0]!;
  }

  /** Every weight with a stable name ("inception_3a/3x3/kernel"), for checkpoints. */
  get weights(): NamedVariable[] {
    return this.layers.flatMap((layer) => layer.weights);
  }

  /** The trainable variables, in layer order: the varList for optimizer.minimize. */
  get variables(): tf.Variable[] {
    return this.weights.map((weight) => weight.variable);
  }

  get paramCount(): number {
    return this.weights.reduce((sum, { variable }) => sum + variable.size, 0);
  }

  /**
   * [batch, height, width, 3] → [batch, 128], every row of unit length. Intermediate tensors are released;
   * the caller owns the result. Differentiable with respect to `variables`.
   */
  embed(images: tf.Tensor4D): tf.Tensor2D {
    if (this.disposed) throw new FaceNetError(`${this.name} was disposed`, 'model');
    const [, height, width, channels] = images.shape;
    const [wantHeight, wantWidth, wantChannels] = this.spec.input;
    if (images.rank !== 4 || height !== wantHeight || width !== wantWidth || channels !== wantChannels) {
      throw new FaceNetError(
        `${this.name} takes [batch, ${formatShape(this.spec.input).replaceAll('×', ', ')}] images, got [${images.shape.join(', ')}]`,
        'images',
      );
    }
    return tf.tidy(() => this.layers.reduce<tf.Tensor>((x, layer) => layer.apply(x), images) as tf.Tensor2D);
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    this.disposed = true;
  }
}

/** One of the paper's networks by name (NN1, NN2, NN3, NN4, NNS1, NNS2; any case), weights initialised. */
export function createFaceNet(name: string, options: FaceNetOptions = {}): FaceNetModel {
  return FaceNetModel.create(netSpec(name), options);
}
