/** Every migration Facet knows, in order. Add new ones at the end; the last version is the schema this build writes. */
import type { Migration } from './migration.ts';
import { initial } from './0001-initial.ts';

export type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [initial];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;
