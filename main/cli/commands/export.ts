import { createWriteStream } from 'node:fs';
import { writeJsonExport } from '../../people/exportJson.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../options.ts';

export const exportCommand = defineCommand({
  summary: 'export persons, faces (photo paths and boxes) and constraints as one JSON document',
  usage: 'facet export --json [--out FILE]',
  options: { out: { type: 'string', placeholder: 'FILE', description: 'write to FILE instead of stdout' } },
  async run({ values, json, database, write, err }) {
    if (!json) throw new UsageError('the only export format is JSON: run `facet export --json` (add --out FILE to write a file)');
    const file = values.out;
    return withStore(database, async (store) => {
      if (file === undefined) {
        writeJsonExport(store, write);
        return 0;
      }
      const stream = createWriteStream(file);
      const failed = new Promise<never>((_, reject) => stream.on('error', reject));
      const counts = writeJsonExport(store, (chunk) => stream.write(chunk));
      await Promise.race([failed, new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())))]);
      err(`${counts.persons} persons, ${counts.faces} faces, ${counts.constraints} constraints written to ${file}`);
      return 0;
    });
  },
});
