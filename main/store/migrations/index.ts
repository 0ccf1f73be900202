/** Every migration Facet knows, in order. Add new ones at the end; the last version is the schema this build writes. */
import type { Migration } from './migration.ts';
import { initial } from './0001-initial.ts';
import { decisionJournal } from './0002-decision-journal.ts';
import { mediaKindsAndDates } from './0003-media-kinds-and-dates.ts';
import { decisionRedo } from './0004-decision-redo.ts';

export type { Migration } from './migration.ts';

export const MIGRATIONS: readonly Migration[] = [initial, decisionJournal, mediaKindsAndDates, decisionRedo];

export const LATEST_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;
