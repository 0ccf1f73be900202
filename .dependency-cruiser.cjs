// Import rules of Facet, run by `npm run lint` (dependency-cruiser 16). The layers come from
// scripts/layers.cjs, the same table docs/architecture.md is generated from (npm run docs:architecture),
// so the picture and the rules cannot drift apart. test/lint/layers.test.ts shows each kind of rule fires.
'use strict';
const { layers, pureLayers } = require('./scripts/layers.cjs');

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const under = (folders) => `^(${folders.map((folder) => escape(folder)).join('|')})/`;
const foldersOf = (list) => list.flatMap((layer) => layer.folders.map((entry) => entry.folder));
const allFolders = foldersOf(layers);
/** Folders of other layers nested inside these (main/cluster/parallel inside main/cluster). */
const nestedOthers = (own) => allFolders.filter((folder) => !own.includes(folder) && own.some((mine) => folder.startsWith(`${mine}/`)));
const fromLayer = (own) => (nestedOthers(own).length ? { path: under(own), pathNot: under(nestedOthers(own)) } : { path: under(own) });
const toFolders = (target) => (nestedOthers(target).length ? { path: under(target), pathNot: under(nestedOthers(target)) } : { path: under(target) });

const TEST_FILE = '\\.test\\.m?ts$';
/** Test helpers that sit beside the code they help test (main/store/testing.ts, main/faces/testing/...). */
const TEST_HELPER = `${TEST_FILE}|(^|/)testing(\\.ts$|/)`;

/** One rule per layer: nothing in it imports a layer above it. */
const upward = layers.slice(0, -1).map((layer, index) => {
  const own = foldersOf([layer]);
  const above = foldersOf(layers.slice(index + 1));
  return {
    name: `layer-${layer.name}`,
    comment: `${layer.name} (${own.join(', ')}) imports only its own layer and those below: not ${layers.slice(index + 1).map((l) => l.name).join(', ')}`,
    severity: 'error',
    from: fromLayer(own),
    to: toFolders(above),
  };
});

const pureFrom = (extra) => ({ ...fromLayer(foldersOf(layers.filter((l) => pureLayers.includes(l.name)))), ...extra });
const pureNonTest = pureFrom({});
pureNonTest.pathNot = [pureNonTest.pathNot, TEST_FILE].filter(Boolean).join('|');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules import each other in a cycle: move the shared part into its own module, or into a lower layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'folder-without-layer',
      comment: 'every folder under main/ belongs to a layer in scripts/layers.cjs (add it there, then npm run docs:architecture)',
      severity: 'error',
      from: { path: '^main/[^/]+/', pathNot: under(allFolders) },
      to: {},
    },
    {
      name: 'core-imports-nothing',
      comment: 'main/core is import-free: types, constants and the seeded generator only',
      severity: 'error',
      from: { path: '^main/core/', pathNot: TEST_FILE },
      to: { pathNot: '^main/core/' },
    },
    {
      name: 'pure-no-node-builtins',
      comment: 'the pure folders (core, cluster, learn, metrics) use no Node built-in: no node:fs, worker_threads, os, crypto ...',
      severity: 'error',
      from: pureNonTest,
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-no-packages',
      comment: 'the pure folders import no npm package: no better-sqlite3, sharp, @tensorflow/*, onnxruntime-node ...',
      severity: 'error',
      from: pureFrom({}),
      to: { path: 'node_modules' },
    },
    {
      name: 'pure-no-unresolved',
      comment: 'the pure folders import nothing that cannot be resolved (an optional native package such as onnxruntime-node or tfjs-node)',
      severity: 'error',
      from: pureFrom({}),
      to: { couldNotResolve: true },
    },
    {
      name: 'pure-tests-only-test-builtins',
      comment: 'tests of the pure folders use node:test and node:assert, nothing else of Node',
      severity: 'error',
      from: pureFrom({ path: `(${pureNonTest.path}).*${TEST_FILE}` }),
      to: { dependencyTypes: ['core'], pathNot: '^(assert|assert/strict|test)$' },
    },
    {
      name: 'contract-imports-nothing',
      comment: 'main/api/contract.ts is shared by main, preload, the HTTP bridge and the renderer: it imports nothing',
      severity: 'error',
      from: { path: '^main/api/contract\\.ts$' },
      to: {},
    },
    {
      name: 'renderer-only-contract',
      comment: 'the renderer talks to main only through main/api/contract.ts (its tests may start a real API: main/api/)',
      severity: 'error',
      from: { path: '^renderer/src/', pathNot: TEST_HELPER },
      to: { path: '^(main|native-models|test|scripts|bin)/', pathNot: '^main/api/contract\\.ts$' },
    },
    {
      name: 'renderer-tests-only-api',
      comment: "the renderer's tests may start a real API over HTTP (main/api/), nothing deeper",
      severity: 'error',
      from: { path: '^renderer/src/.*(\\.test\\.ts$|(^|/)testing\\.ts$)' },
      to: { path: '^(main|native-models|test)/', pathNot: '^main/api/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'the renderer runs in a browser: no Node built-ins outside its tests',
      severity: 'error',
      from: { path: '^renderer/src/', pathNot: TEST_HELPER },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-only-in-app',
      comment: 'Electron is imported only by main/app (the shell); everything else runs without it',
      severity: 'error',
      from: { pathNot: '^main/app/' },
      to: { path: '^electron$|(^|/)node_modules/electron/' },
    },
    {
      name: 'no-test-folder-in-code',
      comment: 'code never imports test/ (fixtures and end-to-end tests); tests and test helpers beside the code may',
      severity: 'error',
      from: { path: '^(main|native-models|renderer|scripts|bin)/', pathNot: TEST_HELPER },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // A second run looks again only at files whose content changed.
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
    exclude: { path: '^(build|bench-results|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.svelte', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
