import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, findRepoRoot } from './repoRoot.ts';

test('the repository root is the same from the sources and from a compiled copy inside build/', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'facet-root-'));
  try {
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'facet' }));
    const compiled = path.join(root, 'build', 'main', 'api');
    mkdirSync(compiled, { recursive: true });
    // A build outside the repository writes a package.json without Facet's name; that must not stop the search.
    writeFileSync(path.join(root, 'build', 'package.json'), JSON.stringify({ type: 'module' }));
    assert.equal(findRepoRoot(path.join(root, 'main', 'api', 'rendererBuild.ts')), root);
    assert.equal(findRepoRoot(path.join(compiled, 'rendererBuild.js')), root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("this checkout's root holds the package and its node_modules", () => {
  assert.equal(path.basename(path.join(REPO_ROOT, 'package.json')), 'package.json');
  assert.equal(findRepoRoot(path.join(REPO_ROOT, 'build', 'main', 'core', 'repoRoot.js')), REPO_ROOT);
});
