/**
 * The FaceNet networks (Schroff, Kalenichenko & Philbin 2015, §3.3 and Tables 1–3).
 *
 * NN1 and NN2 follow the paper's Tables 1 and 2 row by row. NN3 and NN4 are NN2 at smaller inputs, as the
 * text says; NN4 also drops the 5×5 towers where the module's output map is smaller than 5×5 ("it does
 * not use 5×5 convolutions in the higher layers"), which lands on the paper's 285M FLOPs and its
 * lower bound of 6.6M parameters. The paper publishes no layers for NNS1 and NNS2, only their inputs
 * and totals; the versions here are ours, built from the same parts and sized to those totals.
 */
import { FaceNetError } from './errors.ts';
import { type InceptionSpec, type LayerSpec, type NetSpec, conv, fc, globalAvgPool, inception, l2Normalize, lrn, maxPool, maxout } from './spec.ts';

export const FACENET_NAMES = ['NN1', 'NN2', 'NN3', 'NN4', 'NNS1', 'NNS2'] as const;
export type FaceNetName = (typeof FACENET_NAMES)[number];

/** Table 1: Zeiler&Fergus with 1×1 convolutions in between, maxout fully connected layers. */
const NN1: NetSpec = {
  name: 'NN1',
  title: 'Zeiler&Fergus with 1×1 convolutions',
  input: [220, 220, 3],
  layers: [
    conv('conv1', 64, 7, 2),
    maxPool('pool1'),
    lrn('rnorm1'),
    conv('conv2a', 64, 1),
    conv('conv2', 192, 3),
    lrn('rnorm2'),
    maxPool('pool2'),
    conv('conv3a', 192, 1),
    conv('conv3', 384, 3),
    maxPool('pool3'),
    conv('conv4a', 384, 1),
    conv('conv4', 256, 3),
    conv('conv5a', 256, 1),
    conv('conv5', 256, 3),
    conv('conv6a', 256, 1),
    conv('conv6', 256, 3, 2),
    // Table 1 lists pool4 (7×7 → 3×3) and a concat here, but fc1 reads 7×7×256 and its 103M parameters
    // only add up from that input, so both rows are left out: fc1 takes conv6's output directly.
    maxout('fc1', 4096, 2), // the table's 1×32×128
    maxout('fc2', 4096, 2),
    fc('fc7128', 128, true),
    l2Normalize(),
  ],
  paper: { params: 140e6, flops: 1.6e9, source: 'Table 1' },
  provenance: 'Table 1, without the pool4 and concat rows (see the comment at fc1)',
};

/** The Inception stack of Table 2, from the 3a module on. `drop5x5` names modules whose 5×5 tower is left out. */
function inceptionStack(drop5x5: ReadonlySet<string>): InceptionSpec[] {
  const modules: InceptionSpec[] = [
    inception('inception_3a', { conv1x1: 64, conv3x3: { reduce: 96, filters: 128 }, conv5x5: { reduce: 16, filters: 32 }, pool: { type: 'max', proj: 32 } }),
    inception('inception_3b', { conv1x1: 64, conv3x3: { reduce: 96, filters: 128 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'l2', proj: 64 } }),
    inception('inception_3c', { conv3x3: { reduce: 128, filters: 256 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'max' }, stride: 2 }),
    inception('inception_4a', { conv1x1: 256, conv3x3: { reduce: 96, filters: 192 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'l2', proj: 128 } }),
    inception('inception_4b', { conv1x1: 224, conv3x3: { reduce: 112, filters: 224 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'l2', proj: 128 } }),
    inception('inception_4c', { conv1x1: 192, conv3x3: { reduce: 128, filters: 256 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'l2', proj: 128 } }),
    inception('inception_4d', { conv1x1: 160, conv3x3: { reduce: 144, filters: 288 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'l2', proj: 128 } }),
    inception('inception_4e', { conv3x3: { reduce: 160, filters: 256 }, conv5x5: { reduce: 64, filters: 128 }, pool: { type: 'max' }, stride: 2 }),
    inception('inception_5a', { conv1x1: 384, conv3x3: { reduce: 192, filters: 384 }, conv5x5: { reduce: 48, filters: 128 }, pool: { type: 'l2', proj: 128 } }),
    inception('inception_5b', { conv1x1: 384, conv3x3: { reduce: 192, filters: 384 }, conv5x5: { reduce: 48, filters: 128 }, pool: { type: 'max', proj: 128 } }),
  ];
  return modules.map((module) => (drop5x5.has(module.name) ? { ...module, conv5x5: undefined } : module));
}

/** Table 2 (NN2) at any input size. */
function nn2Layers(drop5x5: readonly string[] = []): LayerSpec[] {
  return [
    conv('conv1', 64, 7, 2),
    maxPool('pool1'),
    lrn('norm1'),
    // "inception (2)": a 3×3 tower only, 64 → 192.
    inception('inception_2', { conv3x3: { reduce: 64, filters: 192 } }),
    lrn('norm2'),
    maxPool('pool2'),
    ...inceptionStack(new Set(drop5x5)),
    globalAvgPool('avg_pool'),
    fc('fc', 128, true),
    l2Normalize(),
  ];
}

const NN2: NetSpec = {
  name: 'NN2',
  title: 'Inception, L2 pooling',
  input: [224, 224, 3],
  layers: nn2Layers(),
  paper: { params: 7.5e6, flops: 1.6e9, source: 'Table 2' },
  provenance: 'Table 2, row by row',
};

const NN3: NetSpec = {
  name: 'NN3',
  title: 'NN2 at 160×160',
  input: [160, 160, 3],
  layers: nn2Layers(),
  paper: { params: 7.5e6, source: '§3.3: "identical in architecture" to NN2; no FLOPs given' },
  provenance: 'Table 2 at a 160×160 input',
};

const NN4: NetSpec = {
  name: 'NN4',
  title: 'NN2 at 96×96, no 5×5 in the top modules',
  input: [96, 96, 3],
  // At 96×96 these modules output 3×3 maps: a 5×5 kernel no longer fits.
  layers: nn2Layers(['inception_4e', 'inception_5a', 'inception_5b']),
  paper: { params: 6.6e6, flops: 285e6, source: '§3.3: 285M FLOPs; 6.6M is the low end of the Inception range' },
  provenance: 'Table 2 at 96×96, 5×5 towers dropped in 4e, 5a and 5b',
};

/**
 * "mini Inception", 165×165. 26M parameters on 220M FLOPs only fit a large fully connected layer on a
 * spatial map, as in NN1; so: a thin NN2-style trunk down to 6×6, then fc 960 and the 128-D embedding.
 */
const NNS1: NetSpec = {
  name: 'NNS1',
  title: 'mini Inception',
  input: [165, 165, 3],
  layers: [
    conv('conv1', 32, 7, 2),
    maxPool('pool1'),
    lrn('norm1'),
    inception('inception_2', { conv3x3: { reduce: 32, filters: 96 } }),
    lrn('norm2'),
    maxPool('pool2'),
    inception('inception_3a', { conv1x1: 48, conv3x3: { reduce: 64, filters: 96 }, conv5x5: { reduce: 16, filters: 24 }, pool: { type: 'max', proj: 24 } }),
    inception('inception_3c', { conv3x3: { reduce: 96, filters: 160 }, conv5x5: { reduce: 16, filters: 32 }, pool: { type: 'max' }, stride: 2 }),
    inception('inception_4a', { conv1x1: 160, conv3x3: { reduce: 96, filters: 160 }, conv5x5: { reduce: 24, filters: 48 }, pool: { type: 'l2', proj: 96 } }),
    inception('inception_4e', { conv3x3: { reduce: 128, filters: 192 }, conv5x5: { reduce: 32, filters: 64 }, pool: { type: 'max' }, stride: 2 }),
    fc('fc1', 960),
    fc('fc', 128, true),
    l2Normalize(),
  ],
  paper: { params: 26e6, flops: 220e6, source: '§3.3: 26M parameters, 220M FLOPs; no layer table' },
  provenance: 'our reconstruction: the paper gives the input and totals only',
};

/** "tiny Inception", 140×116 (height × width): a few thin modules and a fully connected layer on a 9×8 map. */
const NNS2: NetSpec = {
  name: 'NNS2',
  title: 'tiny Inception',
  input: [140, 116, 3],
  layers: [
    conv('conv1', 20, 5, 2),
    maxPool('pool1'),
    lrn('norm1'),
    inception('inception_2', { conv3x3: { reduce: 16, filters: 32 } }),
    maxPool('pool2'),
    inception('inception_3a', { conv1x1: 16, conv3x3: { reduce: 24, filters: 32 }, conv5x5: { reduce: 4, filters: 8 }, pool: { type: 'max', proj: 8 } }),
    inception('inception_3c', { conv3x3: { reduce: 32, filters: 64 }, conv5x5: { reduce: 8, filters: 16 }, pool: { type: 'max' }, stride: 2 }),
    fc('fc1', 408),
    fc('fc', 128, true),
    l2Normalize(),
  ],
  paper: { params: 4.3e6, flops: 20e6, source: '§3.3: 4.3M parameters, 20M FLOPs; no layer table' },
  provenance: 'our reconstruction: the paper gives the input and totals only',
};

const SPECS: Record<FaceNetName, NetSpec> = { NN1, NN2, NN3, NN4, NNS1, NNS2 };

/** Accepts any case ("nn2"); an unknown name is an error that lists the known ones. */
export function parseFaceNetName(name: string): FaceNetName {
  const found = FACENET_NAMES.find((known) => known === name.trim().toUpperCase());
  if (!found) throw new FaceNetError(`unknown network "${name}": use one of ${FACENET_NAMES.join(', ')}`, 'name');
  return found;
}

export function netSpec(name: string): NetSpec {
  return SPECS[parseFaceNetName(name)];
}
