/**
 * Local response normalisation across channels (Krizhevsky et al. 2012), the tables' "rnorm" / "norm":
 *   b_c = a_c / (k + α' Σ_{|c'-c| ≤ 2} a_c'²)^β
 * with the AlexNet/GoogLeNet settings: 5 channels, α = 1e-4, β = 0.75, k = 1. Caffe and Torch divide α by
 * the window size; tfjs does not, hence α' = 1e-4 / 5. The paper gives no values of its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Shape } from '../shapes.ts';
import type { LrnSpec } from '../spec.ts';
import { BaseLayer, requireMap } from './layer.ts';

export const LRN_SETTINGS = { depthRadius: 2, bias: 1, alpha: 1e-4 / 5, beta: 0.75 } as const;

export class LrnLayer extends BaseLayer {
  readonly kind = 'norm';

  constructor(spec: LrnSpec, input: Shape) {
    const map = requireMap(input, spec.name);
    super(spec.name, map, map);
    this.detail = `LRN ${2 * LRN_SETTINGS.depthRadius + 1} channels`;
  }

  apply(x: tf.Tensor): tf.Tensor {
    const { depthRadius, bias, alpha, beta } = LRN_SETTINGS;
    return tf.localResponseNormalization(x as tf.Tensor4D, depthRadius, bias, alpha, beta);
  }
}
