/** settings: the user's preferences, one JSON value per key. */
import type { Db } from './db.ts';
import { InvalidValueError } from './errors/invalidValueError.ts';

export const settingsSql = {
  get: 'SELECT value FROM settings WHERE key = ?',
  set: `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  delete: 'DELETE FROM settings WHERE key = ?',
  all: 'SELECT key, value FROM settings ORDER BY key',
} as const;

export class SettingsRepository {
  readonly #get;
  readonly #set;
  readonly #delete;
  readonly #all;

  constructor(db: Db) {
    this.#get = db.prepare<[string], string>(settingsSql.get).pluck();
    this.#set = db.prepare<[string, string, number]>(settingsSql.set);
    this.#delete = db.prepare<[string]>(settingsSql.delete);
    this.#all = db.prepare<[], { key: string; value: string }>(settingsSql.all);
  }

  /** The stored value, parsed; undefined when the key was never set. The caller checks the shape it expects. */
  get(key: string): unknown {
    const json = this.#get.get(key);
    return json === undefined ? undefined : JSON.parse(json);
  }

  /** Stores any JSON-serialisable value (undefined, functions and the like are refused). */
  set(key: string, value: unknown, now = Date.now()): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new InvalidValueError(`settings.${key}`, 'value cannot be stored as JSON');
    this.#set.run(key, json, now);
  }

  delete(key: string): boolean {
    return this.#delete.run(key).changes > 0;
  }

  all(): Record<string, unknown> {
    return Object.fromEntries(this.#all.all().map(({ key, value }) => [key, JSON.parse(value)]));
  }
}
