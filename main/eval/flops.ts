/**
 * Floating-point operations of dlib's ResNet for one 150×150 face, counted from its layer shapes
 * (native-models/dlibResnet.ts): a convolution costs 2 · kh · kw · in · out per output pixel
 * (a multiply and an add), the final fully connected layer 2 · 256 · 128. Element-wise work
 * (bias, scale, ReLU, residual adds, pooling) is under 1% and left out, as is usual for GFLOP/s figures.
 */
import { tfPadding } from '../../native-models/onnx/layers.ts';

export interface ConvShape {
  name: string;
  kernel: number;
  inChannels: number;
  outChannels: number;
  /** Output side in pixels. */
  outSize: number;
}

export function convFlops(layer: ConvShape): number {
  return 2 * layer.kernel * layer.kernel * layer.inChannels * layer.outChannels * layer.outSize * layer.outSize;
}

/** Every convolution of the network with its output size, for an input of `inputSize` pixels. */
export function dlibResnetConvShapes(inputSize = 150): ConvShape[] {
  const layers: ConvShape[] = [];
  let size = tfPadding(inputSize, 7, 2, 'valid').out;
  layers.push({ name: 'conv32_down', kernel: 7, inChannels: 3, outChannels: 32, outSize: size });
  size = tfPadding(size, 3, 2, 'valid').out; // max pool
  let channels = 32;
  const residual = (name: string) => {
    layers.push({ name: `${name}/conv1`, kernel: 3, inChannels: channels, outChannels: channels, outSize: size });
    layers.push({ name: `${name}/conv2`, kernel: 3, inChannels: channels, outChannels: channels, outSize: size });
  };
  const down = (name: string, out: number) => {
    const convSize = tfPadding(size, 3, 2, 'valid').out;
    layers.push({ name: `${name}/conv1`, kernel: 3, inChannels: channels, outChannels: out, outSize: convSize });
    layers.push({ name: `${name}/conv2`, kernel: 3, inChannels: out, outChannels: out, outSize: convSize });
    size = tfPadding(size, 2, 2, 'valid').out; // the pooled shortcut's size, to which the conv path is padded
    channels = out;
  };
  ['conv32_1', 'conv32_2', 'conv32_3'].forEach(residual);
  down('conv64_down', 64);
  ['conv64_1', 'conv64_2', 'conv64_3'].forEach(residual);
  down('conv128_down', 128);
  ['conv128_1', 'conv128_2'].forEach(residual);
  down('conv256_down', 256);
  ['conv256_1', 'conv256_2'].forEach(residual);
  down('conv256_down_out', 256);
  return layers;
}

/** FLOPs of one forward pass for one face. */
export function dlibResnetFlops(inputSize = 150): number {
  return dlibResnetConvShapes(inputSize).reduce((sum, layer) => sum + convFlops(layer), 0) + 2 * 256 * 128;
}
