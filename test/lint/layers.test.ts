/**
 * The import rules of .dependency-cruiser.cjs can fail: each kind of violation, written into a small
 * temporary tree next to a copy of the real configuration, is reported under its rule's name by the same
 * dependency-cruiser command `npm run lint` runs, and the same tree without the violations passes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../fixtures/tempDir.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEPCRUISE = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** A clean tree: one module per layer, each importing the layer below, and a renderer using the contract. */
const CLEAN: Record<string, string> = {
  'main/core/types.ts': 'export interface Box { x: number }\n',
  'main/cluster/merge.ts': "import type { Box } from '../core/types.ts';\nexport const boxes: Box[] = [];\n",
  'main/cluster/merge.test.ts': "import assert from 'node:assert/strict';\nimport { test } from 'node:test';\nimport { boxes } from './merge.ts';\ntest('x', () => assert.equal(boxes.length, 0));\n",
  'main/faces/detect.ts': "import { readFileSync } from 'node:fs';\nimport { boxes } from '../cluster/merge.ts';\nexport const read = () => [readFileSync, boxes];\n",
  'main/store/db.ts': "import { read } from '../faces/detect.ts';\nexport const db = read;\n",
  'main/people/scan.ts': "import { db } from '../store/db.ts';\nexport const scan = db;\n",
  'main/api/contract.ts': 'export interface Api { ping(): void }\n',
  'main/api/handlers.ts': "import type { Api } from './contract.ts';\nimport { scan } from '../people/scan.ts';\nexport const api: Api = { ping: () => void scan };\n",
  'main/app/shell.ts': "import { app } from 'electron';\nimport { api } from '../api/handlers.ts';\nexport const start = () => [app, api];\n",
  'renderer/src/client.ts': "import type { Api } from '../../main/api/contract.ts';\nexport let client: Api | undefined;\n",
};

/** Each violation: the files that add it to the clean tree, and the rule that must name it, from that file. */
const VIOLATIONS: Array<{ rule: string; from: string; files: Record<string, string> }> = [
  { rule: 'layer-store', from: 'main/store/up.ts', files: { 'main/store/up.ts': "import { scan } from '../people/scan.ts';\nexport const up = scan;\n" } },
  { rule: 'layer-pure', from: 'main/cluster/bad.ts', files: { 'main/cluster/bad.ts': "import { read } from '../faces/detect.ts';\nexport const bad = read;\n" } },
  { rule: 'layer-models', from: 'main/faces/db.ts', files: { 'main/faces/db.ts': "import { db } from '../store/db.ts';\nexport const d = db;\n" } },
  { rule: 'no-circular', from: 'main/faces/a.ts', files: { 'main/faces/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n", 'main/faces/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n" } },
  { rule: 'pure-no-node-builtins', from: 'main/cluster/io.ts', files: { 'main/cluster/io.ts': "import { readFileSync } from 'node:fs';\nexport const io = readFileSync;\n" } },
  { rule: 'pure-no-node-builtins', from: 'main/learn/threads.ts', files: { 'main/learn/threads.ts': "import { Worker } from 'node:worker_threads';\nexport const w = Worker;\n" } },
  { rule: 'pure-no-unresolved', from: 'main/metrics/ort.ts', files: { 'main/metrics/ort.ts': "import * as ort from 'onnxruntime-node-not-installed';\nexport const o = ort;\n" } },
  { rule: 'pure-tests-only-test-builtins', from: 'main/cluster/os.test.ts', files: { 'main/cluster/os.test.ts': "import { test } from 'node:test';\nimport os from 'node:os';\ntest('x', () => void os);\n" } },
  { rule: 'core-imports-nothing', from: 'main/core/path.ts', files: { 'main/core/path.ts': "import path from 'node:path';\nexport const join = path.join;\n" } },
  { rule: 'renderer-only-contract', from: 'renderer/src/deep.ts', files: { 'renderer/src/deep.ts': "import { scan } from '../../main/people/scan.ts';\nexport const s = scan;\n" } },
  { rule: 'electron-only-in-app', from: 'main/faces/window.ts', files: { 'main/faces/window.ts': "import { BrowserWindow } from 'electron';\nexport const w = BrowserWindow;\n" } },
  { rule: 'contract-imports-nothing', from: 'main/api/contract.ts', files: { 'main/api/contract.ts': "import type { Box } from '../core/types.ts';\nexport interface Api { ping(box?: Box): void }\n" } },
  { rule: 'folder-without-layer', from: 'main/misc/helper.ts', files: { 'main/misc/helper.ts': "import type { Box } from '../core/types.ts';\nexport let b: Box | undefined;\n" } },
  { rule: 'no-test-folder-in-code', from: 'main/faces/fixture.ts', files: { 'main/faces/fixture.ts': "import { x } from '../../test/fixtures/x.ts';\nexport const f = x;\n", 'test/fixtures/x.ts': 'export const x = 1;\n' } },
];

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(t: { after(fn: () => void): void }, files: Record<string, string>): Violation[] {
  const root = tempDir(t, 'facet-layers-');
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync(path.join(REPO, '.dependency-cruiser.cjs'), path.join(root, '.dependency-cruiser.cjs'));
  copyFileSync(path.join(REPO, 'scripts', 'layers.cjs'), path.join(root, 'scripts', 'layers.cjs'));
  copyFileSync(path.join(REPO, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  const folders = ['main', 'renderer/src', 'test'].filter((folder) => Object.keys(files).some((file) => file.startsWith(`${folder}/`)));
  const result = spawnSync(process.execPath, [DEPCRUISE, ...folders, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', '--no-cache'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.ok(result.stdout, `dependency-cruiser printed nothing: ${result.stderr}`);
  return JSON.parse(result.stdout).summary.violations as Violation[];
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
  it('pass a tree that follows them', (t) => {
    assert.deepEqual(cruise(t, CLEAN), []);
  });

  // One cruise of the clean tree with every violation added (a cruise takes seconds); each must be named.
  it('name each kind of violation, from the file that commits it', (t) => {
    const violations = cruise(t, Object.assign({}, CLEAN, ...VIOLATIONS.map((v) => v.files)));
    const found = violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    for (const { rule, from } of VIOLATIONS) {
      assert.ok(violations.some((v) => v.rule.name === rule && v.from === from), `expected ${rule} from ${from}; found ${JSON.stringify(found, null, 1)}`);
    }
    const expected = new Set(VIOLATIONS.map((v) => v.from).concat('main/faces/b.ts'));
    const stray = violations.filter((v) => !expected.has(v.from));
    assert.deepEqual(stray, [], 'only the added files break a rule');
  });
});
