/** The rescan benchmark on a tiny generated source (no LFW needed), and its error for a missing source. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEMO_DIR } from '../../test/integration/lfwData.ts';
import { BenchDataMissingError, benchRescan } from './benchRescan.ts';

test('benchRescan: nested links to the source, every file recorded once, then an unchanged rescan with nothing to analyse', async () => {
  const source = mkdtempSync(path.join(os.tmpdir(), 'facet-rescan-source-'));
  try {
    for (const [person, sample] of [['Ann', 'sample1'], ['Bob', 'sample2']] as const) {
      mkdirSync(path.join(source, person));
      copyFileSync(path.join(DEMO_DIR, `${sample}.jpg`), path.join(source, person, `${person}_0001.jpg`));
    }
    const result = await benchRescan({ files: 25, source, perFolder: 10 });
    assert.equal(result.files, 25);
    assert.equal(result.folders, 3);
    assert.equal(result.unchanged, 25);
    assert.equal(result.analysed, 0);
    assert.ok(result.rescanSeconds > 0);
    assert.equal(result.targetSeconds, 0.0025);
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
});

test('benchRescan names a missing source folder', async () => {
  await assert.rejects(benchRescan({ files: 5, source: '/nonexistent/lfw' }), (error: unknown) => error instanceof BenchDataMissingError && error.folder === '/nonexistent/lfw');
});
