/**
 * No child outlives Facet (issue #17, finding 6): ExifTool in -stay_open mode never notices a killed parent, and
 * kill -9 gives the parent no chance to end it. Each trial starts ExifTool as a scan does, then kills its parent
 * with SIGKILL (or lets it exit without disposing of ExifTool); every process the parent started must be gone
 * within 3 s. The crash trials of the scan, cluster and fine-tune suites make the same check on `facet` itself.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runFacet } from './cli.ts';
import { tally } from './tally.ts';

const HOLDER = path.join(REPO_ROOT, 'test', 'faults', 'exiftoolHolder.ts');
const TRIALS = 6;
const UNREGISTERED = path.join(REPO_ROOT, 'test', 'faults', 'unregisteredChild.ts');

test(`ExifTool ends with its parent: ${TRIALS} kill -9 trials and a parent that exits without disposing of it`, async () => {
  const db = path.join(REPO_ROOT, 'unused.db');
  let left = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const run = await runFacet([], { db, entry: HOLDER, nodeArgs: ['--import', 'tsx'], kill: { after: /^ready/mu, delayMs: 50 + 100 * trial }, timeoutMs: 120_000 });
    assert.ok(run.reachedMark, `trial ${trial}: ExifTool started (${run.stderr})`);
    assert.ok(run.killed, `trial ${trial}: the parent was killed`);
    left += run.childrenLeft;
    assert.deepEqual(run.leftBehind, [], `trial ${trial}: left running after kill -9 of their parent`);
    tally('crashesSurvived', 1, `exiftool holder trial ${trial}`);
  }
  const exited = await runFacet(['exit'], { db, entry: HOLDER, nodeArgs: ['--import', 'tsx'], timeoutMs: 120_000 });
  assert.equal(exited.code, 0, exited.stderr);
  left += exited.childrenLeft;
  assert.deepEqual(exited.leftBehind, [], 'left running after their parent exited without ending them');
  tally('childrenLeft', left, 'exiftool holder trials');
});

test('a child killed with its parent before its pid was registered (kill -9 during the fork) ends too', async () => {
  const db = path.join(REPO_ROOT, 'unused.db');
  const run = await runFacet([], { db, entry: UNREGISTERED, nodeArgs: ['--import', 'tsx'], kill: { after: /^ready/mu, delayMs: 50 }, timeoutMs: 60_000 });
  assert.ok(run.reachedMark && run.killed, `the child started and the parent was killed (${run.stderr})`);
  tally('childrenLeft', run.childrenLeft, 'unregistered child');
  assert.deepEqual(run.leftBehind, [], 'left running after kill -9 of their parent');
});
