/**
 * The FaceNet networks of Schroff et al. 2015 (NN1, NN2, NN3, NN4, NNS1, NNS2): their architecture tables
 * and trainable tfjs implementations. The public surface of native-models/facenet.
 */
export { FACENET_NAMES, type FaceNetName, netSpec, parseFaceNetName } from './architectures.ts';
export { type ArchRow, type ArchTable, archTable, formatArchTable, formatCount } from './archTable.ts';
export { FaceNetError } from './errors.ts';
export type { Layer, NamedVariable } from './layers/index.ts';
export { FaceNetModel, type FaceNetOptions, createFaceNet, planLayers } from './model.ts';
export type { MapShape, Shape } from './shapes.ts';
export type { LayerSpec, NetSpec, PaperFigures } from './spec.ts';
