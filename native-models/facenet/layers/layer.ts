/**
 * What every FaceNet layer provides: its shapes and costs, known from the spec alone (no weights needed,
 * so NN1's 140M parameters can be counted without allocating them), and, once built, its variables and
 * forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FaceNetError } from '../errors.ts';
import type { WeightInit } from '../init.ts';
import { type MapShape, type Shape, isMap } from '../shapes.ts';

export interface NamedVariable {
  /** "conv1/kernel", "inception_3a/3x3/bias": stable names for checkpoints. */
  readonly name: string;
  readonly variable: tf.Variable;
}

export interface Layer {
  readonly name: string;
  readonly kind: string;
  /** Per example, batch left out. */
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** Trainable scalars, biases included. */
  readonly params: number;
  /** Multiply-adds per example, counted as the paper does: parameters × output positions. */
  readonly flops: number;
  /** The paper's kernel column: "7×7×3, 2", "maxout p=2", ... */
  readonly detail: string;
  /** Allocates the weights; later calls do nothing. */
  build(init: WeightInit): void;
  readonly weights: readonly NamedVariable[];
  /** [batch, ...inputShape] → [batch, ...outputShape]. */
  apply(x: tf.Tensor): tf.Tensor;
  /** Releases the weights. */
  dispose(): void;
}

/** Shared bookkeeping: weights, build-once, dispose. Subclasses set params, flops and detail in their constructor. */
export abstract class BaseLayer implements Layer {
  abstract readonly kind: string;
  params = 0;
  flops = 0;
  detail = '';
  protected readonly owned: NamedVariable[] = [];
  private built = false;

  constructor(
    readonly name: string,
    readonly inputShape: Shape,
    readonly outputShape: Shape,
  ) {}

  get weights(): readonly NamedVariable[] {
    return this.owned;
  }

  build(init: WeightInit): void {
    if (this.built) return;
    this.createWeights(init);
    this.built = true;
  }

  /** Weightless layers keep this no-op. */
  protected createWeights(_init: WeightInit): void {}

  /** A variable owned by this layer; `values` of undefined means zeros. */
  protected addVariable(suffix: string, shape: number[], values?: Float32Array): tf.Variable {
    const initial = values ? tf.tensor(values, shape, 'float32') : tf.zeros(shape);
    const variable = tf.variable(initial, true);
    initial.dispose(); // the variable holds its own reference to the data
    this.owned.push({ name: `${this.name}/${suffix}`, variable });
    return variable;
  }

  protected requireBuilt(): void {
    if (!this.built) throw new FaceNetError(`layer ${this.name} used before build()`, 'layer');
  }

  abstract apply(x: tf.Tensor): tf.Tensor;

  dispose(): void {
    for (const { variable } of this.owned) variable.dispose();
    this.owned.length = 0;
    this.built = false;
  }
}

/** The input of a spatial layer must be a feature map. */
export function requireMap(shape: Shape, layer: string): MapShape {
  if (!isMap(shape)) throw new FaceNetError(`layer ${layer} needs a feature map, got a vector of ${shape[0]}`, 'layers');
  return shape;
}
