/** `npm start` where Electron's binary is absent: what the user is told, and an Electron they already have. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findElectron } from '../../app/launch.ts';
import { electronPath, withoutElectron } from './start.ts';

test('without Electron\'s binary, facet start explains browser mode and ELECTRON_OVERRIDE_DIST_PATH, not reinstalling', (t) => {
  const saved = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
  try {
    const found = findElectron(electronPath);
    if (found.binary) return t.skip(`Electron's binary is installed here (${found.binary})`);
    const text = withoutElectron(found.reason!);
    assert.doesNotMatch(text, /delete node_modules|reinstall|try installing again/i);
    assert.match(text, /facet serve --open/);
    assert.match(text, /ELECTRON_OVERRIDE_DIST_PATH=\/path\/to\/electron-folder npm start/);
  } finally {
    if (saved !== undefined) process.env.ELECTRON_OVERRIDE_DIST_PATH = saved;
  }
});

test('an Electron the user already has is found through ELECTRON_OVERRIDE_DIST_PATH', (t) => {
  if (process.platform === 'win32' || process.platform === 'darwin') return t.skip('the stand-in binary is laid out for Linux');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-electron-'));
  const saved = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  try {
    const binary = path.join(dir, 'electron');
    writeFileSync(binary, '#!/bin/sh\nexit 0\n');
    chmodSync(binary, 0o755);
    process.env.ELECTRON_OVERRIDE_DIST_PATH = dir;
    assert.deepEqual(findElectron(electronPath), { binary });
  } finally {
    if (saved === undefined) delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
    else process.env.ELECTRON_OVERRIDE_DIST_PATH = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
