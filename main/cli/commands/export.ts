import { createWriteStream } from 'node:fs';
import { writeJsonExport } from '../../people/exportJson.ts';
import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

export const exportCommand: Command = {
  summary: 'export persons, faces (photo paths and boxes) and constraints as one JSON document',
  usage: 'facet export --json [--out FILE]',
  options: { out: { type: 'string' } },
  async run({ values, json, err }) {
    if (!json) throw new Error('the only export format is JSON: run `facet export --json` (add --out FILE to write a file)');
    const store = openStore(resolveDatabasePath());
    try {
      if (typeof values.out !== 'string') {
        writeJsonExport(store, (chunk) => process.stdout.write(chunk));
        return 0;
      }
      const stream = createWriteStream(values.out);
      const counts = writeJsonExport(store, (chunk) => stream.write(chunk));
      await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
      err(`${counts.persons} persons, ${counts.faces} faces, ${counts.constraints} constraints written to ${values.out}`);
      return 0;
    } finally {
      store.close();
    }
  },
};
