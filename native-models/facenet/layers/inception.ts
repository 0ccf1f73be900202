/**
 * An Inception module (Szegedy et al. 2014) as one layer, one row of Table 2: up to four towers run side
 * by side on the same input and their outputs are concatenated on channels.
 *   1×1:   conv 1×1
 *   3×3:   conv 1×1 (reduce) → conv 3×3 (stride s)
 *   5×5:   conv 1×1 (reduce) → conv 5×5 (stride s)
 *   pool:  max or L2 pool 3×3 (stride s) → optional conv 1×1 projection
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WeightInit } from '../init.ts';
import { type Shape, sameOutput } from '../shapes.ts';
import { type InceptionSpec, conv } from '../spec.ts';
import { ConvLayer } from './conv.ts';
import { BaseLayer, type Layer, type NamedVariable, requireMap } from './layer.ts';
import { L2PoolLayer, MaxPoolLayer } from './pooling.ts';

/** Chains layers from a starting shape. */
function chain(input: Shape, make: ((shape: Shape) => Layer)[]): Layer[] {
  const layers: Layer[] = [];
  let shape = input;
  for (const next of make) {
    const layer = next(shape);
    layers.push(layer);
    shape = layer.outputShape;
  }
  return layers;
}

function describe(spec: InceptionSpec): string {
  const s = spec.stride > 1 ? `/${spec.stride}` : '';
  const parts: string[] = [];
  if (spec.conv1x1) parts.push(`1×1 ${spec.conv1x1}${s}`);
  if (spec.conv3x3) parts.push(`3×3 ${spec.conv3x3.reduce}→${spec.conv3x3.filters}${s}`);
  if (spec.conv5x5) parts.push(`5×5 ${spec.conv5x5.reduce}→${spec.conv5x5.filters}${s}`);
  if (spec.pool) parts.push(`${spec.pool.type === 'max' ? 'm' : 'L2'} 3×3${s}${spec.pool.proj ? `, ${spec.pool.proj}p` : ''}`);
  return parts.join(' | ');
}

export class InceptionLayer extends BaseLayer {
  readonly kind = 'inception';
  readonly towers: readonly (readonly Layer[])[];

  constructor(spec: InceptionSpec, input: Shape) {
    const map = requireMap(input, spec.name);
    const name = spec.name;
    const { stride } = spec;
    const towers: Layer[][] = [];
    if (spec.conv1x1) towers.push(chain(map, [(s) => new ConvLayer(conv(`${name}/1x1`, spec.conv1x1!, 1, stride), s)]));
    for (const [k, tower] of [[3, spec.conv3x3], [5, spec.conv5x5]] as const) {
      if (!tower) continue;
      towers.push(chain(map, [
        (s) => new ConvLayer(conv(`${name}/${k}x${k}_reduce`, tower.reduce, 1), s),
        (s) => new ConvLayer(conv(`${name}/${k}x${k}`, tower.filters, k, stride), s),
      ]));
    }
    if (spec.pool) {
      const poolSpec = { kind: spec.pool.type === 'max' ? 'maxPool' : 'l2Pool', name: `${name}/pool`, size: 3, stride } as const;
      const pool = (s: Shape): Layer => (poolSpec.kind === 'maxPool' ? new MaxPoolLayer(poolSpec, s) : new L2PoolLayer(poolSpec, s));
      const proj = spec.pool.proj;
      towers.push(chain(map, proj ? [pool, (s) => new ConvLayer(conv(`${name}/pool_proj`, proj, 1), s)] : [pool]));
    }
    const channels = towers.reduce((sum, tower) => sum + tower.at(-1)!.outputShape.at(-1)!, 0);
    super(name, map, sameOutput(map, stride, channels));
    this.towers = towers;
    const all = towers.flat();
    this.params = all.reduce((sum, layer) => sum + layer.params, 0);
    this.flops = all.reduce((sum, layer) => sum + layer.flops, 0);
    this.detail = describe(spec);
  }

  override get weights(): readonly NamedVariable[] {
    return this.towers.flat().flatMap((layer) => layer.weights);
  }

  protected override createWeights(init: WeightInit): void {
    for (const layer of this.towers.flat()) layer.build(init);
  }

  apply(x: tf.Tensor): tf.Tensor {
    this.requireBuilt();
    return tf.tidy(() => tf.concat(this.towers.map((tower) => tower.reduce((h, layer) => layer.apply(h), x)), 3));
  }

  override dispose(): void {
    for (const layer of this.towers.flat()) layer.dispose();
    super.dispose();
  }
}
