/**
 * Names through XMP with the real face pipeline, real ExifTool and real LFW photos: a library named in Facet is
 * exported to sidecars, and a fresh database scanning the same folder gets every name back on the same face,
 * every box within a pixel, one photo stored turned (EXIF orientation 6) included.
 */
import { namesFromMetadata } from '../../main/people/regionImport.ts';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { ExifTool } from 'exiftool-vendored';
import { ExifToolMetadata } from '../../main/xmp/exiftoolMetadata.ts';
import { exportXmp } from '../../main/people/exportXmp.ts';
import { assertSameNamedFaces, namedFacesOf } from '../../main/people/testing.ts';
import { AnalysisPool } from '../../main/faces/analysisPool.ts';
import type { PhotoAnalyser } from '../../main/faces/analysisPool.ts';
import { scanLibrary } from '../../main/people/libraryScan.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { LFW_AVAILABLE, LFW_SKIP, lfwImage } from './lfwData.ts';

let dir: string;
let pool: AnalysisPool | undefined;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-xmp-'));
  if (LFW_AVAILABLE) pool = await AnalysisPool.create({ workers: 0 });
});

after(async () => {
  await pool?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function scan(store: Store, root: string, regions?: ExifToolMetadata) {
  const shared: PhotoAnalyser = {
    workers: 1,
    analyse: (file) => pool!.analyse(file),
    embedInBox: (file, box) => pool!.embedInBox(file, box),
    close: async () => {},
  };
  return scanLibrary({ store, roots: [root], detectorId: pool!.detector, embedderId: pool!.embedder, createPool: async () => shared, names: regions && namesFromMetadata(regions) });
}

test('export to XMP, then a fresh import, gives back every name and box (real detector, LFW)', { skip: LFW_SKIP }, async (t) => {
  const root = path.join(dir, 'library');
  await fs.mkdir(root);
  await fs.copyFile(lfwImage('Aaron_Peirsol', 1), path.join(root, 'aaron.jpg'));
  // Stored turned a quarter left; the EXIF tag turns it upright again, so the detector sees the face upright.
  await sharp(lfwImage('Abdullah_Gul', 1)).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toFile(path.join(root, 'gul.jpg'));

  const original = openStore(path.join(dir, 'original.db'));
  t.after(() => original.close());
  await scan(original, root);
  const faceOf = (file: string) => {
    const photo = original.photos.findByPath(path.join(root, file))!;
    const faces = original.faces.listByPhoto(photo.id).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    assert.ok(faces.length >= 1, `a face in ${file}`);
    return { photo, face: faces[0]! };
  };
  const aaron = faceOf('aaron.jpg'), gul = faceOf('gul.jpg');
  assert.deepEqual([gul.photo.width, gul.photo.height], [250, 250]);
  original.assignments.assignByUser([aaron.face.id], original.persons.create({ name: 'Aaron Peirsol' }).id);
  original.assignments.assignByUser([gul.face.id], original.persons.create({ name: 'Abdullah Gul' }).id);
  // A name the user drew where the detector found nothing (a corner of the photo).
  const drawn = original.faces.insert(aaron.photo.id, { box: { x: 4.5, y: 6.25, width: 48, height: 52.5 }, landmarks: null, score: null, source: 'manual' });
  original.assignments.assignByUser([drawn], original.persons.create({ name: 'Corner' }).id);

  const metadata = new ExifToolMetadata();
  t.after(() => metadata.dispose());
  const exported = await exportXmp(original, metadata);
  assert.deepEqual(exported.failed, []);
  assert.equal(exported.regions, 3);

  // What ExifTool itself reads back from the sidecar of the turned photo: MWG, stored (unrotated) dimensions.
  const exiftool = new ExifTool({ maxProcs: 1 });
  t.after(() => exiftool.end());
  const sidecar = await exiftool.read(path.join(root, 'gul.jpg.xmp')) as { RegionInfo?: { RegionList: Array<{ Name: string; Type: string }> } };
  assert.deepEqual(sidecar.RegionInfo?.RegionList.map((region) => `${region.Type}:${region.Name}`), ['Face:Abdullah Gul']);

  const fresh = openStore(path.join(dir, 'fresh.db'));
  t.after(() => fresh.close());
  const report = await scan(fresh, root, metadata);
  assert.equal(report.namesImported, 3);
  assertSameNamedFaces(namedFacesOf(fresh), namedFacesOf(original));
  for (const face of fresh.faces.list().filter((f) => f.personName !== null)) assert.equal(face.assignedBy, 'user');
});
