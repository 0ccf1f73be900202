/** Builds the layer object for one spec entry, given the shape arriving at it. No weights are allocated. */
import type { Shape } from '../shapes.ts';
import type { LayerSpec } from '../spec.ts';
import { ConvLayer } from './conv.ts';
import { FullyConnectedLayer, MaxoutLayer } from './dense.ts';
import { InceptionLayer } from './inception.ts';
import { L2NormalizeLayer } from './l2Normalize.ts';
import type { Layer } from './layer.ts';
import { LrnLayer } from './lrn.ts';
import { GlobalAvgPoolLayer, L2PoolLayer, MaxPoolLayer } from './pooling.ts';

export type { Layer, NamedVariable } from './layer.ts';

export function createLayer(spec: LayerSpec, input: Shape): Layer {
  switch (spec.kind) {
    case 'conv':
      return new ConvLayer(spec, input);
    case 'maxPool':
      return new MaxPoolLayer(spec, input);
    case 'l2Pool':
      return new L2PoolLayer(spec, input);
    case 'globalAvgPool':
      return new GlobalAvgPoolLayer(spec, input);
    case 'lrn':
      return new LrnLayer(spec, input);
    case 'inception':
      return new InceptionLayer(spec, input);
    case 'fc':
      return new FullyConnectedLayer(spec, input);
    case 'maxout':
      return new MaxoutLayer(spec, input);
    case 'l2Normalize':
      return new L2NormalizeLayer(spec, input);
  }
}
