#!/usr/bin/env node
// `npm run test:faults`: the fault suite (test/faults/*.test.ts) through the main runner, then one summary line.
// Each test file runs in its own process and appends its counts to a tally file; they are added up here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-faults-tally-'));
const tallyFile = path.join(dir, 'tally.jsonl');
const started = Date.now();
const result = spawnSync(process.execPath, [path.join(here, '..', 'run-tests.mjs'), 'test/faults/'], {
  stdio: 'inherit',
  env: { ...process.env, FACET_FAULTS_TALLY: tallyFile },
});

const totals = {
  filesTried: 0, crashesSurvived: 0, requestsFuzzed: 0, itemsLost: 0,
  foldersRefused: 0, linksRefused: 0, hostileNamesCleaned: 0, childrenLeft: 0,
};
const lines = existsSync(tallyFile) ? readFileSync(tallyFile, 'utf8').split('\n').filter(Boolean) : [];
for (const line of lines) {
  const { counter, n } = JSON.parse(line);
  if (counter in totals) totals[counter] += n;
}
rmSync(dir, { recursive: true, force: true });
const passed = result.status === 0;
if (!passed) process.stderr.write(`test:faults: some fault tests failed (exit ${result.status ?? result.signal}); the counts below cover what ran\n`);
process.stderr.write(`test:faults: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.stdout.write(`faults: files tried ${totals.filesTried}, crashes survived ${totals.crashesSurvived}, requests fuzzed ${totals.requestsFuzzed}, items lost ${totals.itemsLost}, ` +
  `folders refused ${totals.foldersRefused}, links refused ${totals.linksRefused}, hostile names cleaned ${totals.hostileNamesCleaned}, children left ${totals.childrenLeft}\n`);
process.exit(passed ? 0 : 1);
