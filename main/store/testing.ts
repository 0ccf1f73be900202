/**
 * Helpers for the store's tests (Signal-style: a fresh database per test, `explain` for query plans)
 * and small builders for rows. Not part of the public surface.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Box, FiveLandmarks } from '../core/types.ts';
import { openDatabase, type Db } from './db.ts';
import type { FaceInput } from './facesRepository.ts';
import { createStore, type Store } from './store.ts';

/** A migrated in-memory database. */
export function createDb(): Db {
  return openDatabase(':memory:');
}

export function createTestStore(): Store {
  return createStore(createDb());
}

/** A fresh temporary folder, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facet-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The query plan of `sql`, one step per line (e.g. "SEARCH photos USING INDEX ... (path=?)"). */
export function explain(db: Db, sql: string, params: unknown[] | Record<string, unknown> = []): string {
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const rows = (Array.isArray(params) ? statement.all(...params) : statement.all(params)) as Array<{ detail: string }>;
  return rows.map((row) => row.detail).join('\n');
}

export const ROOT = path.resolve('/photos');

export function photoPath(name: string): string {
  return path.join(ROOT, name);
}

/** Adds the test root and a photo in it; returns the photo id. */
export function addPhoto(store: Store, name = 'a.jpg', contentHash: string | null = `hash-${name}`): number {
  const root = store.roots.add(ROOT);
  return store.photos.upsert({ rootId: root.id, path: photoPath(name), size: 1000, mtimeMs: 1.5, contentHash }).id;
}

export function faceInput(overrides: Partial<FaceInput> = {}): FaceInput {
  const box: Box = { x: 10, y: 20, width: 100, height: 120 };
  const landmarks: FiveLandmarks = [
    { x: 40, y: 60 },
    { x: 80, y: 60 },
    { x: 60, y: 80 },
    { x: 45, y: 110 },
    { x: 75, y: 110 },
  ];
  const thumbnail = Buffer.from([0xff, 0xd8, 0xff, 0xd9]); // an empty JPEG: start and end markers
  return { box, landmarks, score: 0.98, quality: 0.8, blur: 120, thumbnail, ...overrides };
}

/** A photo with `count` detected faces; returns the face ids. */
export function addFaces(store: Store, count: number, photoName = 'a.jpg'): number[] {
  const photoId = addPhoto(store, photoName);
  return store.faces.insertDetected(photoId, 'test-detector', Array.from({ length: count }, () => faceInput()));
}
