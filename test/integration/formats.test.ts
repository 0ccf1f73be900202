/**
 * Issue #15 end to end on the real pipeline: one folder holding JPEG, PNG, HEIC (heif-enc), a camera RAW (a real
 * DNG, with a JPEG sibling for another photo) and a video (ffmpeg) of the same two LFW people. The scan must find
 * both people (clustering), each face's box where the face is in the upright original, thumbnails upright, every
 * date with its source, and in the video each person once, at a time when they are on screen.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { AnalysisPool } from '../../main/faces/analysisPool.ts';
import { localTime } from '../../main/library/dates.ts';
import { faceThumbnail } from '../../main/library/thumbnail.ts';
import { clusterLibrary } from '../../main/people/clusterLibrary.ts';
import { scanLibrary, type ScanReport } from '../../main/people/libraryScan.ts';
import { openStore, type Store } from '../../main/store/index.ts';
import { makeFormatsLibrary, PERSON_A, PERSON_B } from '../fixtures/formatsLibrary.ts';
import { LFW_SKIP } from './lfwData.ts';

const A = PERSON_A, B = PERSON_B;
/** LFW's deep-funnelled faces sit at the centre of their 250x250 image; on the canvas it is placed at the left. */
const STILL_FACE_CENTRE = { x: 125, y: 125 };
/** In the video the 250x250 image is centred on the 400x250 frame. */
const VIDEO_FACE_CENTRE = { x: 200, y: 125 };

let dir: string;
let store: Store;
let pool: AnalysisPool | undefined;
let report: ScanReport | undefined;
let skipReason: string | false = LFW_SKIP;
let canvases = new Map<string, Buffer>(); // file name -> upright PNG of what it shows

before(async () => {
  if (skipReason) return;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'facet-formats-'));
  const library = path.join(dir, 'library');
  await fs.mkdir(library);
  const made = await makeFormatsLibrary(library, dir);
  canvases = made.canvases;
  if (made.skip) {
    skipReason = made.skip;
    return;
  }

  store = openStore(path.join(dir, 'facet.db'));
  const analysis = await AnalysisPool.create({ workers: 0 });
  pool = analysis;
  const shared = { analyse: (file: string) => analysis.analyse(file), workers: 1, close: async () => {} } as unknown as AnalysisPool;
  report = await scanLibrary({ store, roots: [library], detectorId: analysis.detector, embedderId: analysis.embedder, createPool: async () => shared });
});

after(async () => {
  store?.close();
  await pool?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

function photo(name: string) {
  const found = store.photos.findByPath(path.join(dir, 'library', name));
  assert.ok(found, `${name} is in the library`);
  return found;
}

function near(actual: { x: number; y: number }, expected: { x: number; y: number }, tolerance: number, what: string): void {
  const distance = Math.hypot(actual.x - expected.x, actual.y - expected.y);
  assert.ok(distance <= tolerance, `${what}: face centre at (${actual.x.toFixed(0)}, ${actual.y.toFixed(0)}), expected near (${expected.x}, ${expected.y})`);
}

test('every format is read: sizes upright, RAW+JPEG counted once, dates with their source', { skip: LFW_SKIP }, (t) => {
  if (skipReason) return t.skip(skipReason);
  assert.deepEqual(report!.failed, []);
  assert.equal(report!.analysed, 5, 'a1.jpg, b1.png, a2.heic, b2.dng, clip.mp4; a1.dng is a1.jpg\'s RAW');
  assert.equal(store.photos.findByPath(path.join(dir, 'library', 'a1.dng')), undefined);
  const expected: Record<string, [number, number, string, string, string]> = {
    'a1.jpg': [400, 250, 'photo', '2010-01-02T03:04:05', 'exif'],
    'a2.heic': [400, 250, 'photo', '2015-06-07T08:09:10+02:00', 'exif'],
    'b2.dng': [400, 250, 'photo', '2016-01-01T12:00:00-05:00', 'exif'],
    'clip.mp4': [400, 250, 'video', localTime('2020-05-17T09:30:00Z'), 'quicktime'], // QuickTime's UTC, as local time
  };
  for (const [name, [width, height, kind, takenAt, source]] of Object.entries(expected)) {
    const row = photo(name);
    assert.deepEqual([row.width, row.height, row.kind, row.takenAt, row.dateSource], [width, height, kind, takenAt, source], name);
  }
  const png = photo('b1.png');
  assert.deepEqual([png.width, png.height, png.dateSource], [400, 250, 'file']);
  assert.equal(new Date(png.takenAt!).getTime(), Date.parse('2012-03-04T05:06:07Z'), 'the file date is the modification time');
  assert.ok(Math.abs(photo('clip.mp4').durationSeconds! - 6) < 0.5, `duration ${photo('clip.mp4').durationSeconds}`);
});

test('boxes sit on the faces of the upright originals, thumbnails are upright', { skip: LFW_SKIP }, async (t) => {
  if (skipReason) return t.skip(skipReason);
  for (const name of ['a1.jpg', 'b1.png', 'a2.heic', 'b2.dng']) {
    const faces = store.faces.listByPhoto(photo(name).id);
    assert.equal(faces.length, 1, `${name}: one face`);
    const { box } = faces[0]!;
    near({ x: box.x + box.width / 2, y: box.y + box.height / 2 }, STILL_FACE_CENTRE, 30, name);
    assert.ok(box.width > 60 && box.width < 200, `${name}: box width ${box.width}`);

    // The stored thumbnail against one cut from the upright picture, and from that picture turned a quarter.
    const { data, info } = await sharp(canvases.get(name)!).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const upright = { data: new Uint8Array(data), width: info.width, height: info.height };
    const stored = await sharp(store.faces.thumbnail(faces[0]!.id)!).greyscale().raw().toBuffer();
    const reference = await sharp(await faceThumbnail(upright, box)).greyscale().raw().toBuffer();
    const turned = await sharp(await faceThumbnail(upright, box)).rotate(90).greyscale().raw().toBuffer();
    const difference = (a: Buffer, b: Buffer) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;
    assert.ok(difference(stored, reference) < 12, `${name}: thumbnail differs from the upright face by ${difference(stored, reference).toFixed(1)}`);
    assert.ok(difference(stored, reference) * 2 < difference(stored, turned), `${name}: thumbnail is closer to a turned face`);
  }
});

test('the video holds each person once, at a time they are on screen, and clustering finds the two people', { skip: LFW_SKIP }, (t) => {
  if (skipReason) return t.skip(skipReason);
  const videoFaces = store.faces.listByPhoto(photo('clip.mp4').id);
  assert.equal(videoFaces.length, 2, `one face per person, got ${videoFaces.length}`);
  for (const face of videoFaces) {
    near({ x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 }, VIDEO_FACE_CENTRE, 30, `video face at ${face.timeSeconds} s`);
  }

  // The same two people in every format: threshold 0.2 as the end-to-end test uses for LFW people.
  clusterLibrary(store, { threshold: 0.2, caution: 1 });
  const clusterOf = new Map(store.faces.list().map((face) => [face.id, face.clusterId]));
  const of = (name: string) => store.faces.listByPhoto(photo(name).id).map((face) => clusterOf.get(face.id));
  const [personA] = of('a1.jpg');
  const [personB] = of('b1.png');
  assert.ok(personA !== null && personB !== null && personA !== personB, 'two people');
  assert.deepEqual([of('a2.heic')[0], of('b2.dng')[0]], [personA, personB]);
  const times = new Map(videoFaces.map((face) => [clusterOf.get(face.id), face.timeSeconds]));
  assert.deepEqual([...times.keys()].sort(), [personA, personB].sort(), 'the video\'s two faces are the two people');
  assert.ok([0, 1, 2, 5].includes(times.get(personA)!), `${A} shown at 0-3 s and 5-6 s, best frame at ${times.get(personA)} s`);
  assert.ok([3, 4].includes(times.get(personB)!), `${B} shown at 3-5 s, best frame at ${times.get(personB)} s`);
});

test('each stored face embedded again at its stored landmarks (a video\'s in its frame at its time) gives back the vector the scan stored', { skip: LFW_SKIP }, async (t) => {
  // What a scan does after a switch of embedder (libraryScan.ts): if the frame or the landmarks' scale were off,
  // the new network's vectors would describe another patch of the image than the face the user named.
  if (skipReason) return t.skip(skipReason);
  for (const name of ['a1.jpg', 'a2.heic', 'b2.dng', 'clip.mp4']) {
    const { path: file } = photo(name);
    for (const face of store.faces.listByPhoto(photo(name).id)) {
      const stored = store.embeddings.get(face.id, pool!.embedder)!;
      const again = await pool!.embedAt(file, face.landmarks!, face.timeSeconds);
      assert.ok(again.ok, again.ok ? '' : again.message);
      const vector = again.faces[0]!.embedding;
      const squared = stored.reduce((sum, v, i) => sum + (v - vector[i]!) ** 2, 0);
      assert.ok(squared < 0.005, `${name}${face.timeSeconds !== undefined ? ` at ${face.timeSeconds} s` : ''}: squared distance ${squared.toFixed(5)} to the stored vector`);
    }
  }
});
