import type Database from 'better-sqlite3';
import type { Migration } from './migration.ts';
import { journalTriggers } from './0002-decision-journal.ts';

/*
 * Videos and real dates (issue #15):
 * - photos.kind: 'photo' (stills, RAW previews included) or 'video'; photos.duration_s for videos;
 * - photos.date_source: where taken_at came from, 'exif' | 'xmp' | 'quicktime' | 'file' (the modification time,
 *   a guess the UI labels "file date"). Dates already stored came from EXIF; photos without one get their file date
 *   from mtime_ms now, so that sorting by date means something without a rescan;
 * - face_times: for a face found in a video, the time in seconds of the frame it was taken from (the person's best).
 *   Derived data like face_thumbnails: it follows its face, and the decision journal records it as it does thumbnails.
 */
const schema = `
ALTER TABLE photos ADD COLUMN kind TEXT NOT NULL DEFAULT 'photo' CHECK (kind IN ('photo', 'video'));
ALTER TABLE photos ADD COLUMN duration_s REAL CHECK (duration_s IS NULL OR duration_s >= 0);
ALTER TABLE photos ADD COLUMN date_source TEXT CHECK (date_source IS NULL OR date_source IN ('exif', 'xmp', 'quicktime', 'file'));
UPDATE photos SET date_source = 'exif' WHERE taken_at IS NOT NULL;

CREATE TABLE face_times (
  face_id INTEGER PRIMARY KEY REFERENCES faces (id) ON DELETE CASCADE,
  time_s  REAL    NOT NULL CHECK (time_s >= 0)
) STRICT;
`;

/** mtime as local time with the machine's offset, as library/dates.ts fileDate writes it (frozen here). */
function localWithOffset(mtimeMs: number): string {
  const date = new Date(Math.floor(mtimeMs / 1000) * 1000);
  const offset = -date.getTimezoneOffset();
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${offset >= 0 ? '+' : '-'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

export const mediaKindsAndDates: Migration = {
  version: 3,
  name: 'media-kinds-and-dates',
  up(db: Database.Database): void {
    db.exec(schema);
    const undated = db.prepare(`SELECT id, mtime_ms AS mtimeMs FROM photos WHERE taken_at IS NULL AND status <> 'failed'`).all() as Array<{ id: number; mtimeMs: number }>;
    const setFileDate = db.prepare(`UPDATE photos SET taken_at = ?, date_source = 'file' WHERE id = ?`);
    for (const { id, mtimeMs } of undated) setFileDate.run(localWithOffset(mtimeMs), id);
    for (const statement of journalTriggers(db, { table: 'face_times', key: ['face_id'], guard: 'face_id' })) db.exec(statement);
  },
};
