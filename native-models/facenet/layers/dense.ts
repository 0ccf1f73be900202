/**
 * Fully connected layers. Both flatten a feature map first ([h, w, c] → [h·w·c]).
 * Maxout (Goodfellow et al. 2013), NN1's fc1 and fc2: each output is the max over `pieces` affine maps,
 * so "maxout p=2" with 4096 outputs holds 2 × 4096 columns of weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightInit } from '../init.ts';
import { type Shape, elementCount } from '../shapes.ts';
import type { FullyConnectedSpec, MaxoutSpec } from '../spec.ts';
import { BaseLayer } from './layer.ts';

function flatten(x: tf.Tensor, units: number): tf.Tensor2D {
  return tf.reshape(x, [-1, units]);
}

export class FullyConnectedLayer extends BaseLayer {
  readonly kind = 'fc';
  private readonly inUnits: number;
  private kernel?: tf.Variable;
  private bias?: tf.Variable;

  constructor(
    private readonly spec: FullyConnectedSpec,
    input: Shape,
  ) {
    super(spec.name, input, [spec.units]);
    this.inUnits = elementCount(input);
    this.params = this.inUnits * spec.units + spec.units;
    this.flops = this.params;
    this.detail = `${this.inUnits} → ${spec.units}${spec.linear ? ', linear' : ''}`;
  }

  protected override createWeights(init: WeightInit): void {
    const { units, linear } = this.spec;
    const count = this.inUnits * units;
    const values = linear ? init.glorotUniform(count, this.inUnits, units) : init.heUniform(count, this.inUnits);
    this.kernel = this.addVariable('kernel', [this.inUnits, units], values);
    this.bias = this.addVariable('bias', [units]);
  }

  apply(x: tf.Tensor): tf.Tensor {
    this.requireBuilt();
    return tf.tidy(() => {
      const affine = tf.add(tf.matMul(flatten(x, this.inUnits), this.kernel as tf.Tensor2D), this.bias!); // [batch, units]
      return this.spec.linear ? affine : tf.relu(affine);
    });
  }
}

export class MaxoutLayer extends BaseLayer {
  readonly kind = 'maxout';
  private readonly inUnits: number;
  private kernel?: tf.Variable;
  private bias?: tf.Variable;

  constructor(
    private readonly spec: MaxoutSpec,
    input: Shape,
  ) {
    super(spec.name, input, [spec.units]);
    this.inUnits = elementCount(input);
    const columns = spec.units * spec.pieces;
    this.params = this.inUnits * columns + columns;
    this.flops = this.params;
    this.detail = `maxout p=${spec.pieces}, ${this.inUnits} → ${spec.units}`;
  }

  protected override createWeights(init: WeightInit): void {
    const columns = this.spec.units * this.spec.pieces;
    this.kernel = this.addVariable('kernel', [this.inUnits, columns], init.glorotUniform(this.inUnits * columns, this.inUnits, this.spec.units));
    this.bias = this.addVariable('bias', [columns]);
  }

  apply(x: tf.Tensor): tf.Tensor {
    this.requireBuilt();
    const { units, pieces } = this.spec;
    return tf.tidy(() => {
      const affine = tf.add(tf.matMul(flatten(x, this.inUnits), this.kernel as tf.Tensor2D), this.bias!); // [batch, units·pieces]
      return tf.max(tf.reshape(affine, [-1, units, pieces]), 2); // [batch, units]
    });
  }
}
