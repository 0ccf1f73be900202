/**
 * Names from files are hostile until cleaned (issue #17, finding 3): an XMP sidecar whose region names hold
 * terminal control sequences (ESC ] 0 ; title BEL, ESC [31m), a right-to-left override, or only zero-width
 * characters. Scanned through the real ExifTool into a real SQLite file, then listed by the real `facet people`:
 * no control or bidi character is stored or printed, and the invisible-only name names no one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ExifTool } from 'exiftool-vendored';
import { nameNeedsCleaning } from '../../main/core/names.ts';
import { scanLibrary } from '../../main/people/libraryScan.ts';
import { namesFromMetadata } from '../../main/people/regionImport.ts';
import { openStore } from '../../main/store/index.ts';
import { ExifToolMetadata } from '../../main/xmp/exiftoolMetadata.ts';
import { demoPhoto, fixedAnalyser, tempDir } from '../../main/people/testing.ts';
import { runFacet } from './cli.ts';
import { tally } from './tally.ts';

const HOSTILE = {
  TITLE: '\x1b]0;owned by a photo\x07Alice',
  COLOUR: '\x1b[31mBob\x1b[0m',
  BIDI: 'Carol\u202Egpj.exe',
  INVISIBLE: '\u200B\u200D\u2060\uFEFF',
};
const BOXES = [
  { x: 100, y: 100, width: 200, height: 200 }, { x: 500, y: 100, width: 200, height: 200 },
  { x: 900, y: 100, width: 200, height: 200 }, { x: 1300, y: 100, width: 200, height: 200 },
];
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;

test('a sidecar with control sequences, a bidi override and an invisible-only name: cleaned on import and on output', async (t) => {
  const root = tempDir(t, 'facet-hostile-names-');
  const library = path.join(root, 'library');
  await fs.mkdir(library);
  const photo = path.join(library, 'party.jpg');
  await demoPhoto(photo);
  // ExifTool writes the regions with placeholder names; the raw bytes are then swapped in, as a hostile editor would.
  const sidecar = `${photo}.xmp`;
  const exiftool = new ExifTool({ maxProcs: 1 });
  try {
    await exiftool.write(sidecar, { RegionInfo: {
      AppliedToDimensions: { W: 1920, H: 1280, Unit: 'pixel' },
      RegionList: Object.keys(HOSTILE).map((key, i) => {
        const box = BOXES[i]!;
        return { Area: { X: (box.x + box.width / 2) / 1920, Y: (box.y + box.height / 2) / 1280, W: box.width / 1920, H: box.height / 1280, Unit: 'normalized' }, Type: 'Face', Name: `PLACEHOLDER_${key}` };
      }),
    } } as never, ['-overwrite_original']);
  } finally {
    await exiftool.end();
  }
  let xml = await fs.readFile(sidecar, 'utf8');
  for (const [key, name] of Object.entries(HOSTILE)) xml = xml.replace(`PLACEHOLDER_${key}`, name);
  await fs.writeFile(sidecar, xml);

  const reader = new ExifToolMetadata();
  t.after(() => reader.dispose());
  // The regions really reach Facet with their control characters (else this test proves nothing).
  const read = await reader.readRegions(photo, { width: 1920, height: 1280 });
  assert.ok(read.some((region) => region.name.includes('\x1b]0;')), `ExifTool hands over the raw names: ${JSON.stringify(read.map((r) => r.name))}`);

  const db = path.join(root, 'facet.db');
  const store = openStore(db);
  try {
    const report = await scanLibrary({
      store, roots: [library], detectorId: 'fixed', embedderId: 'fixed-embedder',
      createPool: async () => fixedAnalyser({ 'party.jpg': BOXES }), names: namesFromMetadata(reader),
    });
    assert.equal(report.failed.length, 0, JSON.stringify(report.failed));
    const names = store.persons.list().map((person) => person.name!).sort();
    assert.deepEqual(names, [']0;owned by a photoAlice', '[31mBob[0m', 'Carolgpj.exe'].sort());
    for (const name of names) assert.doesNotMatch(name, UNSAFE);
    tally('hostileNamesCleaned', read.filter((region) => nameNeedsCleaning(region.name)).length);
  } finally {
    store.close();
  }

  const people = await runFacet(['people'], { db, timeoutMs: 60_000 });
  assert.equal(people.code, 0, people.stderr);
  assert.doesNotMatch(people.stdout, UNSAFE, 'facet people prints no control or bidi character');
  assert.match(people.stdout, /Carolgpj\.exe/u);
});
