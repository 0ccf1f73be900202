#!/usr/bin/env node
// Type-checks main/app against Electron's own types where the electron package is installed (its binary is
// not needed); says so and passes where it is not, since electron is an optional dependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(path.join(root, 'node_modules', 'electron', 'electron.d.ts'))) {
  console.log('typecheck-electron: the electron package is not installed; main/app was checked against its structural types only');
  process.exit(0);
}
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'main', 'app', 'tsconfig.electron.json')], { stdio: 'inherit' });
process.exit(result.status ?? 1);
