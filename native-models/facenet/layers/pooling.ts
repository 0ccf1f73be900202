/** Max pooling, L2 pooling (NN2's "L2" rows) and the final global average pool. None has weights. */
import * as tf from '@tensorflow/tfjs-core';
import { type Shape, samePadding, sameOutput } from '../shapes.ts';
import type { GlobalAvgPoolSpec, PoolSpec } from '../spec.ts';
import { BaseLayer, requireMap } from './layer.ts';

/** Added under the square root so the gradient stays finite where a window is all zeros (common after ReLU). */
const L2_POOL_EPSILON = 1e-12;

export class MaxPoolLayer extends BaseLayer {
  readonly kind = 'max pool';

  constructor(
    private readonly spec: PoolSpec,
    input: Shape,
  ) {
    const map = requireMap(input, spec.name);
    super(spec.name, map, sameOutput(map, spec.stride, map[2]));
    this.detail = `${spec.size}×${spec.size}×${map[2]}, ${spec.stride}`;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.maxPool(x as tf.Tensor4D, this.spec.size, this.spec.stride, 'same');
  }
}

/**
 * L2 pooling: the L2 norm of each window, √(Σ x²), instead of its max. Windows are zero-padded
 * explicitly (TF 'same' amounts) and averaged 'valid', so the border windows sum exactly k² terms;
 * tf's own 'same' average would divide by the number of in-bounds values instead.
 */
export class L2PoolLayer extends BaseLayer {
  readonly kind = 'L2 pool';

  constructor(
    private readonly spec: PoolSpec,
    input: Shape,
  ) {
    const map = requireMap(input, spec.name);
    super(spec.name, map, sameOutput(map, spec.stride, map[2]));
    this.detail = `L2 ${spec.size}×${spec.size}×${map[2]}, ${spec.stride}`;
  }

  apply(x: tf.Tensor): tf.Tensor {
    const { size, stride } = this.spec;
    const [height, width] = this.inputShape;
    const padY = samePadding(height!, size, stride);
    const padX = samePadding(width!, size, stride);
    return tf.tidy(() => {
      const squares = tf.pad(tf.square(x), [[0, 0], [padY.before, padY.after], [padX.before, padX.after], [0, 0]]);
      const windowSums = tf.mul(tf.avgPool(squares as tf.Tensor4D, size, stride, 'valid'), size * size);
      return tf.sqrt(tf.add(windowSums, L2_POOL_EPSILON));
    });
  }
}

/** Average over the whole map, keeping a 1×1 map (NN2's "avg pool", 7×7 → 1×1). */
export class GlobalAvgPoolLayer extends BaseLayer {
  readonly kind = 'avg pool';

  constructor(spec: GlobalAvgPoolSpec, input: Shape) {
    const map = requireMap(input, spec.name);
    super(spec.name, map, [1, 1, map[2]]);
    this.detail = `${map[0]}×${map[1]}×${map[2]}`;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2], true);
  }
}
