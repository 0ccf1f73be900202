/**
 * dlib's face-recognition ResNet (29 conv layers, 128-D output) written in tfjs-core ops over the
 * weights face-api ships. Layer names follow the weights manifest (conv32_down, conv32_1, ...).
 */
import * as tf from '@tensorflow/tfjs-core';

interface ConvParams {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
  scaleWeights: tf.Tensor1D;
  scaleBiases: tf.Tensor1D;
}

export class DlibResnetWeights {
  constructor(private readonly map: tf.NamedTensorMap) {
    for (const required of ['conv32_down/conv/filters', 'fc']) {
      if (!map[required]) throw new Error(`dlib ResNet weights lack tensor "${required}"`);
    }
  }

  conv(prefix: string): ConvParams {
    const get = (name: string) => {
      const tensor = this.map[`${prefix}/${name}`];
      if (!tensor) throw new Error(`dlib ResNet weights lack tensor "${prefix}/${name}"`);
      return tensor;
    };
    return {
      filters: get('conv/filters') as tf.Tensor4D,
      bias: get('conv/bias') as tf.Tensor1D,
      scaleWeights: get('scale/weights') as tf.Tensor1D,
      scaleBiases: get('scale/biases') as tf.Tensor1D,
    };
  }

  get fc(): tf.Tensor2D {
    return this.map.fc as tf.Tensor2D;
  }

  dispose(): void {
    tf.dispose(Object.values(this.map));
  }
}

/** conv → bias → dlib's affine "scale" layer (a folded batch norm) → optional ReLU. */
function convLayer(x: tf.Tensor4D, p: ConvParams, stride: 1 | 2, relu: boolean): tf.Tensor4D {
  const padding = stride === 2 ? 'valid' : 'same';
  let out = tf.add(tf.conv2d(x, p.filters, stride, padding), p.bias) as tf.Tensor4D;
  out = tf.add(tf.mul(out, p.scaleWeights), p.scaleBiases) as tf.Tensor4D;
  return relu ? (tf.relu(out) as tf.Tensor4D) : out;
}

function residual(x: tf.Tensor4D, w: DlibResnetWeights, name: string): tf.Tensor4D {
  const out = convLayer(convLayer(x, w.conv(`${name}/conv1`), 1, true), w.conv(`${name}/conv2`), 1, false);
  return tf.relu(tf.add(out, x)) as tf.Tensor4D;
}

/**
 * Down-sampling block. The shortcut is a 2×2 average pool, zero-padded in channels when the block
 * widens; the strided 'valid' conv path loses a row and column on even inputs, so it is zero-padded
 * at the bottom/right to match (dlib's add_prev layer does the same implicitly).
 */
function residualDown(x: tf.Tensor4D, w: DlibResnetWeights, name: string): tf.Tensor4D {
  let out = convLayer(convLayer(x, w.conv(`${name}/conv1`), 2, true), w.conv(`${name}/conv2`), 1, false);
  let pooled = tf.avgPool(x, 2, 2, 'valid') as tf.Tensor4D;
  if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
    out = tf.pad(out, [[0, 0], [0, pooled.shape[1] - out.shape[1]], [0, pooled.shape[2] - out.shape[2]], [0, 0]]);
  }
  if (pooled.shape[3] !== out.shape[3]) {
    pooled = tf.pad(pooled, [[0, 0], [0, 0], [0, 0], [0, out.shape[3] - pooled.shape[3]]]);
  }
  return tf.relu(tf.add(pooled, out)) as tf.Tensor4D;
}

const MEAN_RGB = [122.782, 117.001, 104.298];

/** input: [batch, 150, 150, 3] RGB in 0..255 → [batch, 128] raw (not yet normalised) descriptors. */
export function dlibResnetForward(input: tf.Tensor4D, w: DlibResnetWeights): tf.Tensor2D {
  return tf.tidy(() => {
    const x = tf.div(tf.sub(tf.cast(input, 'float32'), tf.tensor1d(MEAN_RGB)), 255) as tf.Tensor4D;
    let out = convLayer(x, w.conv('conv32_down'), 2, true); // [b, 73, 73, 32]
    out = tf.maxPool(out, 3, 2, 'valid'); // [b, 36, 36, 32]
    out = residual(out, w, 'conv32_1');
    out = residual(out, w, 'conv32_2');
    out = residual(out, w, 'conv32_3');
    out = residualDown(out, w, 'conv64_down'); // [b, 18, 18, 64]
    out = residual(out, w, 'conv64_1');
    out = residual(out, w, 'conv64_2');
    out = residual(out, w, 'conv64_3');
    out = residualDown(out, w, 'conv128_down'); // [b, 9, 9, 128]
    out = residual(out, w, 'conv128_1');
    out = residual(out, w, 'conv128_2');
    out = residualDown(out, w, 'conv256_down'); // [b, 4, 4, 256]
    out = residual(out, w, 'conv256_1');
    out = residual(out, w, 'conv256_2');
    out = residualDown(out, w, 'conv256_down_out'); // [b, 2, 2, 256]
    const pooled = tf.mean(out, [1, 2]) as tf.Tensor2D; // [b, 256]
    return tf.matMul(pooled, w.fc); // [b, 128]
  });
}
