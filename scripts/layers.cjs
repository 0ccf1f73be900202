// The layers of Facet, bottom up: the one table that .dependency-cruiser.cjs turns into import rules
// and scripts/architecture.mjs turns into the layer table of docs/architecture.md. A module may import
// its own layer and the layers below it, never one above; every folder under main/ must be listed.
'use strict';

/**
 * @typedef {{ folder: string, owns: string }} Folder
 * @typedef {{ name: string, summary: string, pure?: boolean, folders: Folder[] }} Layer
 * @type {Layer[]}
 */
const layers = [
  {
    name: 'core',
    summary: 'import-free types and constants shared by everything above',
    pure: true,
    folders: [
      { folder: 'main/core', owns: 'Box, Point, RgbImage, detector and embedder interfaces, progress events, setting keys, the seeded generator' },
    ],
  },
  {
    name: 'pure',
    summary: 'algorithms over arrays: no fs, SQLite, sharp, tfjs, onnxruntime or worker threads',
    pure: true,
    folders: [
      { folder: 'main/cluster', owns: 'agglomerative clustering: plan, constraints, exact/ (threshold graph, NN-chain), approximate/ (k-means tree, kNN graph, heap merging), incremental assignment, tree cuts' },
      { folder: 'main/learn', owns: 'triplet loss and mining, the personal adapter and its training, held-out checks' },
      { folder: 'main/metrics', owns: 'verification (ROC, accuracy, VAL@FAR) and clustering scores (pairwise, BCubed)' },
    ],
  },
  {
    name: 'models',
    summary: 'models, inference, files and images: what runs networks, threads or touches photos on disk',
    folders: [
      { folder: 'native-models', owns: 'what a model is: catalog, weight loading and checks, FaceNet architectures, ONNX graphs' },
      { folder: 'main/embed', owns: 'embedders and inference backends (tfjs, onnxruntime), user-trained models' },
      { folder: 'main/faces', owns: 'detection, landmarks, alignment, quality, the analysis worker pool' },
      { folder: 'main/library', owns: 'walking folders, file identity, decoding (HEIC, RAW, video too), dates, thumbnails, watching, the data folder and the repository root' },
      { folder: 'main/xmp', owns: 'XMP face regions and metadata (ExifTool)' },
      { folder: 'main/training', owns: 'FaceNet training on tfjs: datasets, checkpoints, validation, LFW pairs, charts' },
      { folder: 'main/cluster/parallel', owns: 'the clustering graph stage on worker threads' },
      { folder: 'main/workers', owns: 'the worker-thread entry that loads TypeScript' },
    ],
  },
  {
    name: 'store',
    summary: 'SQLite: the database, numbered migrations, one repository per table group',
    folders: [{ folder: 'main/store', owns: 'db, migrations/, repositories, backup, forget' }],
  },
  {
    name: 'people',
    summary: "the library's people: the one scan pipeline and everything that sorts faces into persons",
    folders: [
      { folder: 'main/people', owns: 'libraryScan and scanPipeline (scan, adapt, sort), clustering runs over the store, decisions, incremental sorting, fine-tuning and the adapter store, XMP name import and export, watch rescans' },
    ],
  },
  {
    name: 'top',
    summary: 'entry points: the contract and its HTTP bridge, the command line, the Electron shell, evaluations and benchmarks',
    folders: [
      { folder: 'main/api', owns: 'the import-free contract, handlers, services, the HTTP bridge' },
      { folder: 'main/cli', owns: 'the facet command' },
      { folder: 'main/app', owns: 'the Electron shell: main process, preload, IPC (the only place Electron is imported)' },
      { folder: 'main/eval', owns: 'LFW, clustering, robustness and fine-tuning evaluations; benchmarks' },
    ],
  },
];

/** Pure layers: their non-test modules import no Node built-in and no npm package. */
const pureLayers = layers.filter((layer) => layer.pure).map((layer) => layer.name);

module.exports = { layers, pureLayers };
