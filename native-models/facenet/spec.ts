/**
 * Network descriptions as plain data: what the paper's tables say, one entry per row. Layers are built
 * from these (layers/index.ts); the architecture table reads the same objects, so the two cannot drift.
 */
import type { MapShape } from './shapes.ts';

/** Convolution with 'same' padding, bias and ReLU. */
export interface ConvSpec {
  readonly kind: 'conv';
  readonly name: string;
  readonly filters: number;
  readonly kernel: number;
  readonly stride: number;
}

/** Max or L2 pooling over a square window, 'same' padding. */
export interface PoolSpec {
  readonly kind: 'maxPool' | 'l2Pool';
  readonly name: string;
  readonly size: number;
  readonly stride: number;
}

/** Average over the whole remaining feature map (NN2's final 7×7 average pool). */
export interface GlobalAvgPoolSpec {
  readonly kind: 'globalAvgPool';
  readonly name: string;
}

/** Local response normalisation across channels ("rnorm" / "norm" in the tables). */
export interface LrnSpec {
  readonly kind: 'lrn';
  readonly name: string;
}

/** A reduce-then-convolve tower of an Inception module: 1×1 to `reduce` channels, then k×k to `filters`. */
export interface TowerSpec {
  readonly reduce: number;
  readonly filters: number;
}

/**
 * An Inception module (Table 2): 1×1, 3×3 and 5×5 towers and a pooling tower, concatenated on channels.
 * `stride` 2 applies to the 3×3, 5×5 and pooling towers (modules 3c and 4e); a module may lack any tower.
 */
export interface InceptionSpec {
  readonly kind: 'inception';
  readonly name: string;
  readonly conv1x1?: number;
  readonly conv3x3?: TowerSpec;
  readonly conv5x5?: TowerSpec;
  /** 3×3 pooling, optionally followed by a 1×1 projection to `proj` channels ("p" in the table). */
  readonly pool?: { readonly type: 'max' | 'l2'; readonly proj?: number };
  readonly stride: number;
}

/** Fully connected; flattens a feature map first. ReLU unless `linear`. */
export interface FullyConnectedSpec {
  readonly kind: 'fc';
  readonly name: string;
  readonly units: number;
  readonly linear?: boolean;
}

/** Maxout (Goodfellow et al. 2013): `units` outputs, each the max of `pieces` linear pieces. Flattens first. */
export interface MaxoutSpec {
  readonly kind: 'maxout';
  readonly name: string;
  readonly units: number;
  readonly pieces: number;
}

/** Scale each example to unit L2 norm: the embedding lives on the hypersphere. */
export interface L2NormalizeSpec {
  readonly kind: 'l2Normalize';
  readonly name: string;
}

export type LayerSpec =
  | ConvSpec
  | PoolSpec
  | GlobalAvgPoolSpec
  | LrnSpec
  | InceptionSpec
  | FullyConnectedSpec
  | MaxoutSpec
  | L2NormalizeSpec;

/** Totals the paper reports for a network, for comparison in the table. */
export interface PaperFigures {
  readonly params?: number;
  readonly flops?: number;
  /** Where the figures come from in the paper. */
  readonly source: string;
}

export interface NetSpec {
  readonly name: string;
  readonly title: string;
  /** [height, width, 3]. */
  readonly input: MapShape;
  readonly layers: readonly LayerSpec[];
  readonly paper: PaperFigures;
  /** How faithfully the layers follow the paper, in a sentence. */
  readonly provenance: string;
}

export const conv = (name: string, filters: number, kernel: number, stride = 1): ConvSpec => ({ kind: 'conv', name, filters, kernel, stride });
export const maxPool = (name: string, size = 3, stride = 2): PoolSpec => ({ kind: 'maxPool', name, size, stride });
export const lrn = (name: string): LrnSpec => ({ kind: 'lrn', name });
export const globalAvgPool = (name: string): GlobalAvgPoolSpec => ({ kind: 'globalAvgPool', name });
export const fc = (name: string, units: number, linear = false): FullyConnectedSpec => ({ kind: 'fc', name, units, linear });
export const maxout = (name: string, units: number, pieces: number): MaxoutSpec => ({ kind: 'maxout', name, units, pieces });
export const l2Normalize = (name = 'L2'): L2NormalizeSpec => ({ kind: 'l2Normalize', name });
export const inception = (name: string, towers: Omit<InceptionSpec, 'kind' | 'name' | 'stride'> & { stride?: number }): InceptionSpec => ({
  kind: 'inception',
  name,
  stride: 1,
  ...towers,
});
