import type Database from 'better-sqlite3';
import type { Migration } from './migration.ts';

/*
 * The default precision of the ONNX networks became 'int8-embedder' (embed/precision.ts: the embedder in int8). Vectors
 * of one library are compared
 * with each other, so a library that already holds faces keeps the fp32 networks it was scanned with: its setting
 * is written as 'fp32' unless its owner chose one. Settings → Network precision still switches it. A library with
 * no faces yet starts on the default. The key and value are frozen here as core/settingKeys.ts names them today.
 */
export const pinFp32ForExistingLibraries: Migration = {
  version: 4,
  name: 'pin-fp32-for-existing-libraries',
  up(db: Database.Database): void {
    db.prepare(`
      INSERT INTO settings (key, value, updated_at)
      SELECT 'precision', '"fp32"', CAST(unixepoch('subsec') * 1000 AS INTEGER)
      WHERE EXISTS (SELECT 1 FROM embeddings) AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'precision')
    `).run();
  },
};
