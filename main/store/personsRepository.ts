/** persons: the people the user names (or that clustering proposes, unnamed). */
import type { Db } from './db.ts';
import { ConflictError } from './errors/conflictError.ts';
import { cleanName } from '../core/names.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';
import { NotFoundError } from './errors/notFoundError.ts';
import { ProtectedDataError } from './errors/protectedDataError.ts';
import { PersonMerger, type MergeOptions, type MergeResult } from './personMerge.ts';
import { personColumns as columns, toPerson, type Person, type PersonRow } from './personRow.ts';

export type { MergeOptions, MergeResult } from './personMerge.ts';
export type { Person } from './personRow.ts';

export interface PersonWithFaceCount extends Person {
  faceCount: number;
}

export interface NewPerson {
  name?: string | null;
  hidden?: boolean;
  favourite?: boolean;
  birthDate?: string | null;
}

export const personsSql = {
  insert: `INSERT INTO persons (name, name_key, hidden, favourite, birth_date, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  byId: `SELECT ${columns} FROM persons WHERE id = ?`,
  byNameKey: `SELECT ${columns} FROM persons WHERE name_key = ?`,
  list: `SELECT ${columns}, (SELECT count(*) FROM face_assignments a WHERE a.person_id = persons.id) AS faceCount
    FROM persons WHERE hidden = 0 OR ? ORDER BY name_key IS NULL, name_key, id`,
  rename: 'UPDATE persons SET name = ?, name_key = ?, updated_at = ? WHERE id = ?',
  setHidden: 'UPDATE persons SET hidden = ?, updated_at = ? WHERE id = ?',
  setFavourite: 'UPDATE persons SET favourite = ?, updated_at = ? WHERE id = ?',
  setBirthDate: 'UPDATE persons SET birth_date = ?, updated_at = ? WHERE id = ?',
  setCover: 'UPDATE persons SET cover_face_id = ?, updated_at = ? WHERE id = ?',
  isReferenced: `SELECT EXISTS (SELECT 1 FROM face_assignments WHERE person_id = :id)
    OR EXISTS (SELECT 1 FROM constraints WHERE person_id = :id)`,
  delete: 'DELETE FROM persons WHERE id = ?',
} as const;

export class PersonsRepository {
  readonly #db: Db;
  readonly #insert;
  readonly #byId;
  readonly #byNameKey;
  readonly #list;
  readonly #rename;
  readonly #setHidden;
  readonly #setFavourite;
  readonly #setBirthDate;
  readonly #setCover;
  readonly #isReferenced;
  readonly #delete;
  readonly #merger: PersonMerger;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare<[string | null, string | null, number, number, string | null, number, number]>(
      personsSql.insert,
    );
    this.#byId = db.prepare<[number], PersonRow>(personsSql.byId);
    this.#byNameKey = db.prepare<[string], PersonRow>(personsSql.byNameKey);
    this.#list = db.prepare<[number], PersonRow & { faceCount: number }>(personsSql.list);
    this.#rename = db.prepare<[string | null, string | null, number, number]>(personsSql.rename);
    this.#setHidden = db.prepare<[number, number, number]>(personsSql.setHidden);
    this.#setFavourite = db.prepare<[number, number, number]>(personsSql.setFavourite);
    this.#setBirthDate = db.prepare<[string | null, number, number]>(personsSql.setBirthDate);
    this.#setCover = db.prepare<[number | null, number, number]>(personsSql.setCover);
    this.#isReferenced = db.prepare<{ id: number }, number>(personsSql.isReferenced).pluck();
    this.#delete = db.prepare<[number]>(personsSql.delete);
    this.#merger = new PersonMerger(db);
  }

  /** A new person; a name already used (compared case-insensitively) is refused with ConflictError. */
  create(init: NewPerson = {}, now = Date.now()): Person {
    const name = init.name == null ? null : normalisePersonName(init.name);
    const birthDate = checkBirthDate(init.birthDate ?? null);
    return this.#db.transaction((): Person => {
      this.#checkNameFree(name, undefined);
      const hidden = init.hidden ? 1 : 0;
      const favourite = init.favourite ? 1 : 0;
      const { lastInsertRowid } = this.#insert.run(name, name && nameKey(name), hidden, favourite, birthDate, now, now);
      return this.get(Number(lastInsertRowid))!;
    }).immediate();
  }

  get(id: number): Person | undefined {
    const row = this.#byId.get(id);
    return row && toPerson(row);
  }

  /** The person called `name`, ignoring case and Unicode composition. */
  findByName(name: string): Person | undefined {
    const row = this.#byNameKey.get(nameKey(normalisePersonName(name)));
    return row && toPerson(row);
  }

  /** Named persons first, by name, then unnamed ones; hidden persons only when asked. */
  list(options: { includeHidden?: boolean } = {}): PersonWithFaceCount[] {
    return this.#list.all(options.includeHidden ? 1 : 0).map((row) => ({ ...toPerson(row), faceCount: row.faceCount }));
  }

  /** Names (or, with null, unnames) a person. */
  rename(id: number, name: string | null, now = Date.now()): Person {
    const normalised = name === null ? null : normalisePersonName(name);
    return this.#db.transaction((): Person => {
      this.#checkNameFree(normalised, id);
      expectChanged(this.#rename.run(normalised, normalised && nameKey(normalised), now, id).changes, id);
      return this.get(id)!;
    }).immediate();
  }

  setHidden(id: number, hidden: boolean, now = Date.now()): void {
    expectChanged(this.#setHidden.run(hidden ? 1 : 0, now, id).changes, id);
  }

  setFavourite(id: number, favourite: boolean, now = Date.now()): void {
    expectChanged(this.#setFavourite.run(favourite ? 1 : 0, now, id).changes, id);
  }

  setBirthDate(id: number, birthDate: string | null, now = Date.now()): void {
    expectChanged(this.#setBirthDate.run(checkBirthDate(birthDate), now, id).changes, id);
  }

  setCover(id: number, faceId: number | null, now = Date.now()): void {
    expectChanged(this.#setCover.run(faceId, now, id).changes, id);
  }

  /**
   * Merges person `fromId` into `intoId`: every face, assignment (user ones stay user) and constraint moves to
   * `intoId`, which keeps its own name, date and cover or takes `fromId`'s where it has none; then `fromId` is gone.
   * Throws MergeConflictError, changing nothing, when user decisions on a face would contradict each other.
   */
  merge(fromId: number, intoId: number, options: MergeOptions = {}, now = Date.now()): MergeResult {
    return this.#merger.merge(fromId, intoId, options, now);
  }

  /** Deletes a person nothing refers to any more; one with faces or constraints is refused (merge it instead). */
  remove(id: number): void {
    this.#db.transaction(() => {
      if (this.#isReferenced.get({ id }) === 1) {
        throw new ProtectedDataError('persons', [id], `person ${id} still has faces or constraints`);
      }
      expectChanged(this.#delete.run(id).changes, id);
    }).immediate();
  }

  #checkNameFree(name: string | null, selfId: number | undefined): void {
    if (name === null) return;
    const holder = this.#byNameKey.get(nameKey(name));
    if (holder && holder.id !== selfId) throw new ConflictError('persons', 'name', name, holder.id);
  }
}

/**
 * The one name rule (core/names.ts): NFC, controls and invisible format characters removed, white space folded,
 * length capped. A name with nothing visible is an error: use null to unname.
 */
export function normalisePersonName(name: string): string {
  const normalised = cleanName(name);
  if (normalised === undefined) {
    throw new InvalidValueError('persons.name', name.trim() === '' ? 'empty name (pass null to remove a name)' : 'the name has no visible character');
  }
  return normalised;
}

/** What names are compared by: compatibility-normalised and case-folded (upper then lower folds ß with SS too). */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase();
}

function checkBirthDate(date: string | null): string | null {
  if (date === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(date);
  const day = match && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (!day || day.toISOString().slice(0, 10) !== date) {
    throw new InvalidValueError('persons.birth_date', `not a YYYY-MM-DD calendar date: ${date}`);
  }
  return date;
}

function expectChanged(changes: number, id: number): void {
  if (changes === 0) throw new NotFoundError('persons', id);
}
