import { currentModels } from '../../people/adapterStore.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export const statusCommand = defineCommand({
  summary: 'what the library holds: folders, photos, faces, people, embeddings',
  usage: 'facet status [--json]',
  async run({ json, database, out }) {
    const report = await withStore(database, (store) => {
      const persons = store.persons.list({ includeHidden: true });
      return {
        database,
        roots: store.roots.list().map((root) => ({ path: root.path, online: root.online, lastScanAt: root.lastScanAt })),
        photos: store.photos.counts(),
        faces: store.db.prepare('SELECT count(*) FROM faces').pluck().get() as number,
        persons: persons.length,
        namedPersons: persons.filter((person) => person.name !== null).length,
        embeddings: store.embeddings.models(),
        embedder: currentModels(store).current,
      };
    });
    if (json) {
      out(JSON.stringify(report));
      return 0;
    }
    const { photos } = report;
    out(`database    ${report.database}`);
    if (report.roots.length === 0) out('folders     none yet: facet scan DIR adds one');
    for (const root of report.roots) {
      const scanned = root.lastScanAt ? `last scanned ${new Date(root.lastScanAt).toLocaleString()}` : 'not scanned yet';
      out(`folder      ${root.path} (${root.online ? scanned : 'offline'})`);
    }
    out(`photos      ${photos.ok.toLocaleString('en')} readable, ${photos.failed.toLocaleString('en')} unreadable, ${photos.missing.toLocaleString('en')} missing`);
    out(`faces       ${report.faces.toLocaleString('en')}`);
    out(`persons     ${report.persons.toLocaleString('en')} (${report.namedPersons.toLocaleString('en')} named)`);
    if (report.embeddings.length === 0) out('embeddings  none yet');
    for (const model of report.embeddings) out(`embeddings  ${plural(model.count, 'face')} by ${model.modelId}${model.modelId === report.embedder ? ' (in use)' : ''}`);
    if (!report.embeddings.some((model) => model.modelId === report.embedder)) out(`embedder    ${report.embedder} (in use: the next scan embeds the faces with it)`);
    return 0;
  },
});
