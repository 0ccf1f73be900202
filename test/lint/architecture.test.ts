/** docs/architecture.md's layer table is the one scripts/layers.cjs (the lint rules' source) generates. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'architecture.mjs');

test('docs/architecture.md lists every layer and folder of scripts/layers.cjs, as generated', async () => {
  const check = spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const { render } = (await import(SCRIPT)) as { render: (text: string) => string };
  const doc = readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
  // A hand edit inside the generated part is caught: render() puts the generated table back.
  const edited = doc.replace('`main/people`', '`main/persons`');
  assert.notEqual(edited, doc);
  assert.equal(render(edited), doc);
  for (const folder of ['main/core', 'main/cluster', 'main/store', 'main/people', 'main/api', 'native-models']) {
    assert.ok(doc.includes(`\`${folder}\``), `${folder} is in the table`);
  }
});
