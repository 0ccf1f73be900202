/**
 * Helpers for the people layer's tests (XMP names, watching, library folders): a stand-in for the face
 * models that "detects" fixed boxes, so that what is under test (ExifTool, XMP, the store, the watcher) runs
 * for real in milliseconds, and small file builders.
 * The real models run in test/integration/xmp.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { AnalysedPhotoFace, FileAnalysis } from '../faces/analyseFile.ts';
import type { Box, FiveLandmarks } from '../core/types.ts';
import type { PhotoAnalyser } from '../faces/analysisPool.ts';
import type { Store } from '../store/index.ts';

export const DEMO_PHOTO = path.resolve('node_modules/@vladmandic/face-api/demo/sample1.jpg');

export function tempDir(t: { after(fn: () => void | Promise<void>): void }, prefix = 'facet-ecosystem-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A unit vector that depends only on `seed`: the same box embeds the same way in every run. */
function embeddingFor(seed: string): Float32Array {
  const bytes = createHash('sha256').update(seed).digest();
  const vector = Float32Array.from({ length: 128 }, (_, i) => bytes[i % bytes.length]! - 128 + i);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function faceAt(box: Box): AnalysedPhotoFace {
  const point = (fx: number, fy: number) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy });
  return {
    box,
    landmarks: [point(0.3, 0.4), point(0.7, 0.4), point(0.5, 0.6), point(0.35, 0.8), point(0.65, 0.8)] as FiveLandmarks,
    score: 0.99,
    quality: { overall: 0.8, size: 1, sharpness: 0.8, pose: 0.9, eyeDistancePx: box.width * 0.4, laplacianVariance: 150, yaw: 0 },
    embedding: embeddingFor(JSON.stringify(box)),
    thumbnail: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
  };
}

/**
 * A PhotoAnalyser whose "detector" returns, for each file name, the boxes listed (upright pixels); files not
 * listed have no faces. Sizes are read from the real file, upright, as the real decoder reports them.
 */
export function fixedAnalyser(boxesByFileName: Record<string, Box[]>): PhotoAnalyser & { analysed: string[] } {
  const analysed: string[] = [];
  const analyse = async (file: string): Promise<FileAnalysis> => {
    analysed.push(file);
    const meta = await sharp(file).metadata().catch((error: Error) => error);
    if (meta instanceof Error) return { ok: false, file, reason: 'corrupt', message: `${file}: ${meta.message}` };
    const faces = (boxesByFileName[path.basename(file)] ?? []).map(faceAt);
    const ms = { decode: 0, detect: 0, describe: 0, align: 0, embed: 0, thumbnails: 0 };
    return { ok: true, file, width: meta.autoOrient.width, height: meta.autoOrient.height, format: meta.format ?? 'jpeg', faces, ms };
  };
  return {
    workers: 1,
    analysed,
    analyse,
    embedInBox: async (file, box) => {
      const result = await analyse(file);
      return result.ok ? { ...result, faces: [faceAt(box)] } : result;
    },
    embedAt: async (file, landmarks) => {
      const meta = await sharp(file).metadata().catch((error: Error) => error);
      if (meta instanceof Error) return { ok: false, file, reason: 'corrupt', message: `${file}: ${meta.message}` };
      const xs = landmarks.map((p) => p.x), ys = landmarks.map((p) => p.y);
      const box = { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
      const ms = { decode: 0, detect: 0, describe: 0, align: 0, embed: 0, thumbnails: 0 };
      return { ok: true, file, width: meta.autoOrient.width, height: meta.autoOrient.height, format: meta.format ?? 'jpeg', faces: [faceAt(box)], ms };
    },
    close: async () => {},
  };
}

/** A JPEG copy of the demo photo, optionally stored turned so that EXIF `orientation` shows it upright. */
export async function demoPhoto(file: string, orientation = 1): Promise<void> {
  // Stored pixels are the upright photo turned back; the tag turns it upright again on display.
  const undo: Record<number, number> = { 1: 0, 3: 180, 6: -90, 8: 90 };
  const turned = sharp(DEMO_PHOTO).rotate(undo[orientation] ?? 0);
  await turned.withMetadata({ orientation }).jpeg({ quality: 80 }).toFile(file);
}

export interface NamedFaceRow {
  photo: string;
  name: string;
  source: string;
  box: Box;
}

/** Every named face of the store as (photo file name, name, source, box), in a stable order. */
export function namedFacesOf(store: Store): NamedFaceRow[] {
  return store.faces.list().filter((face) => face.personName !== null)
    .map((face) => ({ photo: path.basename(face.photoPath), name: face.personName!, source: store.faces.get(face.id)!.source, box: face.box }))
    .sort((a, b) => `${a.photo}\u0000${a.name}`.localeCompare(`${b.photo}\u0000${b.name}`));
}

/** The same names on the same photos, and every box within `tolerancePx` (a round trip's promise). */
export function assertSameNamedFaces(actual: NamedFaceRow[], expected: NamedFaceRow[], tolerancePx = 1): void {
  assert.deepEqual(actual.map(({ photo, name, source }) => [photo, name, source]), expected.map(({ photo, name, source }) => [photo, name, source]));
  actual.forEach((face, i) => {
    for (const key of ['x', 'y', 'width', 'height'] as const) {
      const want = expected[i]!.box[key];
      assert.ok(Math.abs(face.box[key] - want) < tolerancePx, `${face.photo} ${face.name} ${key}: ${face.box[key]} vs ${want}`);
    }
  });
}
