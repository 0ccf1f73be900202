import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

export const statusCommand: Command = {
  summary: 'what the library holds: folders, photos, faces, people, embeddings',
  usage: 'facet status [--json]',
  async run({ json, out }) {
    const file = resolveDatabasePath();
    const store = openStore(file);
    try {
      const roots = store.roots.list();
      const photos = store.photos.counts();
      const persons = store.persons.list({ includeHidden: true });
      const faces = store.db.prepare('SELECT count(*) FROM faces').pluck().get() as number;
      const embeddings = store.embeddings.models();
      const report = {
        database: file,
        roots: roots.map((root) => ({ path: root.path, online: root.online, lastScanAt: root.lastScanAt })),
        photos,
        faces,
        persons: persons.length,
        namedPersons: persons.filter((person) => person.name !== null).length,
        embeddings,
      };
      if (json) out(JSON.stringify(report));
      else {
        out(`database ${file}`);
        for (const root of report.roots) out(`folder   ${root.path}${root.online ? '' : ' (offline)'}`);
        out(`photos   ${photos.ok} ok, ${photos.failed} failed, ${photos.missing} missing`);
        out(`faces    ${faces}; persons ${report.persons} (${report.namedPersons} named)`);
        for (const model of embeddings) out(`embeddings ${JSON.stringify(model)}`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
