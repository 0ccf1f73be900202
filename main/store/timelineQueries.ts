/**
 * The photo timeline: every readable photo by date, newest first, optionally only photos in which each of some
 * persons appears and within a date range. A photo's date is its EXIF date, else its file's modification time
 * (local time, the same ISO 8601 form), and the answer says which.
 * Read-only queries over photos and face_assignments; prepared once per query shape.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

export interface TimelineFilter {
  personIds?: readonly number[];
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
}

export interface TimelineRow {
  id: number;
  contentHash: string | null;
  size: number;
  mtimeMs: number;
  width: number | null;
  height: number | null;
  date: string;
  /** Where the date comes from: 'exif', 'xmp', 'quicktime' (videos), or 'file' (the modification time). */
  dateSource: string;
}

const DATE = `coalesce(p.taken_at, strftime('%Y-%m-%dT%H:%M:%S', p.mtime_ms / 1000, 'unixepoch', 'localtime'))`;
/** Databases from before photos.date_source (migration 3) know only EXIF dates. */
const SOURCE_GUESS = `CASE WHEN p.taken_at IS NULL THEN 'file' ELSE 'exif' END`;

/** The WHERE clause and its parameters for a filter. */
function where(filter: TimelineFilter): { sql: string; params: Array<string | number> } {
  const parts = [`p.status = 'ok'`];
  const params: Array<string | number> = [];
  for (const personId of filter.personIds ?? []) {
    parts.push(`EXISTS (SELECT 1 FROM faces f JOIN face_assignments a ON a.face_id = f.id WHERE f.photo_id = p.id AND a.person_id = ?)`);
    params.push(personId);
  }
  // Dates compare as text: 'YYYY-MM-DD' sorts before any time on that day, so `to` takes the next day's start.
  if (filter.from) {
    parts.push(`${DATE} >= ?`);
    params.push(filter.from);
  }
  if (filter.to) {
    parts.push(`${DATE} < ?`);
    params.push(nextDay(filter.to));
  }
  return { sql: parts.join(' AND '), params };
}

export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

export class TimelineQueries {
  readonly #statements = new Map<string, Statement<unknown[]>>();

  readonly #source: string;

  constructor(private readonly db: Db) {
    const columns = db.prepare(`SELECT name FROM pragma_table_info('photos')`).all() as Array<{ name: string }>;
    this.#source = columns.some((c) => c.name === 'date_source') ? `coalesce(p.date_source, ${SOURCE_GUESS})` : SOURCE_GUESS;
  }

  #prepare(sql: string) {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Months ('YYYY-MM', newest first) with their photo counts. */
  months(filter: TimelineFilter): Array<{ month: string; count: number }> {
    const { sql, params } = where(filter);
    return this.#prepare(
      `SELECT substr(${DATE}, 1, 7) AS month, count(*) AS count FROM photos p WHERE ${sql} GROUP BY month ORDER BY month DESC`,
    ).all(...params) as Array<{ month: string; count: number }>;
  }

  /** Photos offset .. offset + limit - 1 of the timeline. */
  page(filter: TimelineFilter, offset: number, limit: number): TimelineRow[] {
    const { sql, params } = where(filter);
    return this.#prepare(
      `SELECT p.id, p.content_hash AS contentHash, p.size, p.mtime_ms AS mtimeMs, p.width, p.height, ${DATE} AS date,
         ${this.#source} AS dateSource
       FROM photos p WHERE ${sql} ORDER BY date DESC, p.id DESC LIMIT ? OFFSET ?`,
    ).all(...params, limit, offset) as TimelineRow[];
  }

  /** The photo's row, its 0-based place in the timeline, and the ids before and after it (null at the ends). */
  neighbours(filter: TimelineFilter, photoId: number): { row: TimelineRow | undefined; index: number; previous: number | null; next: number | null } {
    const { sql, params } = where(filter);
    const row = this.#prepare(
      `SELECT p.id, p.content_hash AS contentHash, p.size, p.mtime_ms AS mtimeMs, p.width, p.height, ${DATE} AS date,
         ${this.#source} AS dateSource
       FROM photos p WHERE p.id = ?`,
    ).get(photoId) as TimelineRow | undefined;
    if (!row) return { row, index: -1, previous: null, next: null };
    const inTimeline = this.#prepare(`SELECT 1 FROM photos p WHERE p.id = ? AND ${sql}`).get(photoId, ...params) !== undefined;
    if (!inTimeline) return { row, index: -1, previous: null, next: null };
    // Newer photos come first: "previous" is the next newer one, "next" the next older one.
    const newer = `(${DATE} > ? OR (${DATE} = ? AND p.id > ?))`;
    const older = `(${DATE} < ? OR (${DATE} = ? AND p.id < ?))`;
    const index = (this.#prepare(`SELECT count(*) AS n FROM photos p WHERE ${sql} AND ${newer}`).get(...params, row.date, row.date, photoId) as { n: number }).n;
    const previous = this.#prepare(`SELECT p.id FROM photos p WHERE ${sql} AND ${newer} ORDER BY ${DATE} ASC, p.id ASC LIMIT 1`)
      .get(...params, row.date, row.date, photoId) as { id: number } | undefined;
    const next = this.#prepare(`SELECT p.id FROM photos p WHERE ${sql} AND ${older} ORDER BY ${DATE} DESC, p.id DESC LIMIT 1`)
      .get(...params, row.date, row.date, photoId) as { id: number } | undefined;
    return { row, index, previous: previous?.id ?? null, next: next?.id ?? null };
  }
}
