/** x / |x|₂ per example: the 128-D embedding on the unit hypersphere (the last row of every table). */
import * as tf from '@tensorflow/tfjs-core';
import { FaceNetError } from '../errors.ts';
import type { Shape } from '../shapes.ts';
import type { L2NormalizeSpec } from '../spec.ts';
import { BaseLayer } from './layer.ts';

/** Floor on the squared norm, so an all-zero vector maps to zero instead of NaN. */
const MIN_SQUARED_NORM = 1e-12;

export class L2NormalizeLayer extends BaseLayer {
  readonly kind = 'L2 normalisation';

  constructor(spec: L2NormalizeSpec, input: Shape) {
    if (input.length !== 1) throw new FaceNetError(`layer ${spec.name} needs a vector, got ${input.join('×')}`, 'layers');
    super(spec.name, input, input);
    this.detail = 'x / |x|₂';
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1, true), MIN_SQUARED_NORM))));
  }
}
