import { backupDatabase, restoreDatabase } from '../../store/backup.ts';
import { openStore } from '../../store/index.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

export const backupCommand = defineCommand({
  summary: "copy the database to FILE while it may be in use (SQLite's online backup)",
  usage: 'facet backup FILE [--json]',
  async run({ args, json, database, out }) {
    if (args.length !== 1) throw new UsageError('name one file to write the backup to, as in `facet backup ~/facet-2026-05-01.db`');
    const result = await withStore(database, (store) => backupDatabase(store.db, args[0]!));
    out(json ? JSON.stringify(result) : `backup written to ${result.file} (${result.bytes} bytes, schema version ${result.schemaVersion})`);
    return 0;
  },
});

export const restoreCommand = defineCommand({
  summary: 'replace the database with a checked backup; the current one is kept beside it (close the app first)',
  usage: 'facet restore FILE [--json]',
  async run({ args, json, database, out }) {
    if (args.length !== 1) throw new UsageError('name the backup file to restore, as in `facet restore ~/facet-2026-05-01.db`');
    const result = await restoreDatabase(args[0]!, database);
    // Opening brings an older backup's schema up to date, and proves the restored file opens.
    openStore(database).close();
    if (json) out(JSON.stringify(result));
    else {
      out(`restored ${args[0]} into ${result.restored} (schema version ${result.schemaVersion})`);
      if (result.previous) out(`the database it replaced is kept as ${result.previous}`);
    }
    return 0;
  },
});
