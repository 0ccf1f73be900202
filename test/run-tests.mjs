#!/usr/bin/env node
// Runs every *.test.ts beside the code and under test/ with Node's own test runner (TypeScript through tsx).
// Node 20's --test does not expand globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --unit: the fast tier (npm run test:unit): the pure folders' tests and the store's (SQLite in a temp file or
// :memory:), two files at a time. Without it, every test, one file at a time (npm test, what CI runs).
const unit = process.argv.includes('--unit');
const only = process.argv.slice(2).filter((arg) => arg !== '--unit');
const UNIT = /^(main\/(core|cluster|learn|metrics|store)\/[^/]*\.test\.ts|main\/training\/lfwPairs\.test\.ts)$/;

function collect(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = ['main', 'native-models', 'test']
  .flatMap((dir) => collect(path.join(root, dir), []))
  .filter((file) => !unit || UNIT.test(path.relative(root, file).split(path.sep).join('/')))
  .filter((file) => only.length === 0 || only.some((pattern) => file.includes(pattern)))
  .sort();

const result = spawnSync(
  process.execPath,
  // A per-test limit turns a hang into a named failure instead of a stalled CI (the longest test takes ~1 min).
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${unit ? 2 : 1}`, '--test-timeout=600000', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
