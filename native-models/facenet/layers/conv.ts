/** Convolution + bias + ReLU, 'same' padding (every conv row of Tables 1 and 2). */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dSame } from '../convOps.ts';
import type { WeightInit } from '../init.ts';
import { type Shape, sameOutput } from '../shapes.ts';
import type { ConvSpec } from '../spec.ts';
import { BaseLayer, requireMap } from './layer.ts';

export class ConvLayer extends BaseLayer {
  readonly kind = 'conv';
  private kernel?: tf.Variable;
  private bias?: tf.Variable;

  constructor(
    private readonly spec: ConvSpec,
    input: Shape,
  ) {
    const map = requireMap(input, spec.name);
    const output = sameOutput(map, spec.stride, spec.filters);
    super(spec.name, map, output);
    const { kernel, filters, stride } = spec;
    this.params = kernel * kernel * map[2] * filters + filters;
    this.flops = output[0] * output[1] * this.params;
    this.detail = `${kernel}×${kernel}×${map[2]}, ${stride}`;
  }

  protected override createWeights(init: WeightInit): void {
    const { kernel, filters } = this.spec;
    const inChannels = this.inputShape[2]!;
    const fanIn = kernel * kernel * inChannels;
    this.kernel = this.addVariable('kernel', [kernel, kernel, inChannels, filters], init.heUniform(fanIn * filters, fanIn));
    this.bias = this.addVariable('bias', [filters]);
  }

  apply(x: tf.Tensor): tf.Tensor {
    this.requireBuilt();
    return tf.tidy(() =>
      tf.relu(conv2dSame(x as tf.Tensor4D, this.kernel as tf.Tensor4D, this.bias as tf.Tensor1D, this.spec.stride)),
    );
  }
}
