/** library_roots: the folders the user added to the library. */
import path from 'node:path';
import type { Db } from './db.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';
import { NotFoundError } from './errors/notFoundError.ts';
import { ProtectedDataError } from './errors/protectedDataError.ts';

export interface LibraryRoot {
  id: number;
  path: string;
  addedAt: number;
  /** false while the folder cannot be reached (unplugged drive): its photos are kept, not marked missing. */
  online: boolean;
  lastScanAt: number | null;
}

interface RootRow extends Omit<LibraryRoot, 'online'> {
  online: number;
}

const columns = 'id, path, added_at AS addedAt, online, last_scan_at AS lastScanAt';

export const rootsSql = {
  insert: 'INSERT INTO library_roots (path, added_at) VALUES (?, ?) ON CONFLICT (path) DO NOTHING',
  byId: `SELECT ${columns} FROM library_roots WHERE id = ?`,
  byPath: `SELECT ${columns} FROM library_roots WHERE path = ?`,
  all: `SELECT ${columns} FROM library_roots ORDER BY path`,
  setOnline: 'UPDATE library_roots SET online = ? WHERE id = ?',
  markScanned: 'UPDATE library_roots SET last_scan_at = ? WHERE id = ?',
  hasPhotos: 'SELECT EXISTS (SELECT 1 FROM photos WHERE root_id = ?)',
  remove: 'DELETE FROM library_roots WHERE id = ?',
  movePhotos: 'UPDATE photos SET root_id = ? WHERE root_id = ?',
} as const;

export class RootsRepository {
  readonly #insert;
  readonly #byId;
  readonly #byPath;
  readonly #all;
  readonly #setOnline;
  readonly #markScanned;
  readonly #hasPhotos;
  readonly #remove;
  readonly #movePhotos;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    this.#movePhotos = db.prepare<[number, number]>(rootsSql.movePhotos);
    this.#insert = db.prepare<[string, number]>(rootsSql.insert);
    this.#byId = db.prepare<[number], RootRow>(rootsSql.byId);
    this.#byPath = db.prepare<[string], RootRow>(rootsSql.byPath);
    this.#all = db.prepare<[], RootRow>(rootsSql.all);
    this.#setOnline = db.prepare<[number, number]>(rootsSql.setOnline);
    this.#markScanned = db.prepare<[number, number]>(rootsSql.markScanned);
    this.#hasPhotos = db.prepare<[number], number>(rootsSql.hasPhotos).pluck();
    this.#remove = db.prepare<[number]>(rootsSql.remove);
  }

  /** Adds a folder (absolute path); adding one that is already there returns the existing root. */
  add(folder: string, now = Date.now()): LibraryRoot {
    if (!path.isAbsolute(folder)) throw new InvalidValueError('library_roots.path', `not absolute: ${folder}`);
    const normalised = path.resolve(folder);
    this.#insert.run(normalised, now);
    return toRoot(this.#byPath.get(normalised)!);
  }

  get(id: number): LibraryRoot | undefined {
    const row = this.#byId.get(id);
    return row && toRoot(row);
  }

  findByPath(folder: string): LibraryRoot | undefined {
    const row = this.#byPath.get(path.resolve(folder));
    return row && toRoot(row);
  }

  list(): LibraryRoot[] {
    return this.#all.all().map(toRoot);
  }

  setOnline(id: number, online: boolean): void {
    expectChanged(this.#setOnline.run(online ? 1 : 0, id).changes, id);
  }

  markScanned(id: number, at = Date.now()): void {
    expectChanged(this.#markScanned.run(at, id).changes, id);
  }

  /**
   * Merges folder `fromId` into `intoId` (a folder above it): its photos, with their faces and names, move over
   * unchanged and `fromId` is gone. One transaction.
   */
  mergeInto(fromId: number, intoId: number): void {
    this.#db.transaction(() => {
      this.#movePhotos.run(intoId, fromId);
      expectChanged(this.#remove.run(fromId).changes, fromId);
    })();
  }

  /**
   * Removes a folder that has no photos left. A folder with photos is refused with ProtectedDataError:
   * forgetting its photos (and the user's decisions on their faces) is forgetRoot() in forget.ts, on purpose.
   */
  remove(id: number): void {
    if (this.#hasPhotos.get(id) === 1) {
      throw new ProtectedDataError('library_roots', [id], `folder ${id} still has photos; use forgetRoot to forget them`);
    }
    expectChanged(this.#remove.run(id).changes, id);
  }
}

function toRoot(row: RootRow): LibraryRoot {
  return { ...row, online: row.online === 1 };
}

function expectChanged(changes: number, id: number): void {
  if (changes === 0) throw new NotFoundError('library_roots', id);
}
