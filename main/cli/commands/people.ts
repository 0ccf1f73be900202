import { DEFAULT_EMBEDDER } from '../../../native-models/catalog.ts';
import { escapeControls } from '../../core/names.ts';
import { withStore } from '../database.ts';
import { defineCommand } from '../command.ts';

export interface PeopleEntry {
  kind: 'person' | 'cluster';
  /** What `facet name`, `merge` and `reject` take: "person:3" for a person, the cluster's label ("c4") for a cluster. */
  id: string;
  name: string | null;
  faces: number;
  representativeFaceId: number;
}

export const peopleCommand = defineCommand({
  summary: 'list persons and unnamed clusters with face counts and a representative face',
  usage: 'facet people [--json]',
  async run({ json, database, out }) {
    return withStore(database, (store) => {
      const groups = new Map<string, { kind: 'person' | 'cluster'; name: string | null; faces: Array<{ id: number; quality: number }> }>();
      for (const face of store.faces.iterate()) {
        const key = face.personId !== null ? `person:${face.personId}` : face.clusterLabel ?? null;
        if (key === null) continue;
        if (!groups.has(key)) groups.set(key, { kind: face.personId !== null ? 'person' : 'cluster', name: face.personName, faces: [] });
        groups.get(key)!.faces.push({ id: face.id, quality: face.quality ?? 0 });
      }
      // The representative face is the best-quality one (a person's chosen cover face wins).
      const entries: PeopleEntry[] = [...groups.entries()].map(([id, group]) => {
        const cover = group.kind === 'person' ? store.persons.get(Number(id.slice(7)))?.coverFaceId ?? null : null;
        const best = group.faces.reduce((a, b) => (b.quality > a.quality ? b : a));
        return { kind: group.kind, id, name: group.name, faces: group.faces.length, representativeFaceId: cover ?? best.id };
      });
      entries.sort((a, b) => b.faces - a.faces || a.id.localeCompare(b.id));
      if (json) {
        out(JSON.stringify(entries));
        return 0;
      }
      const run = store.clusters.latestDoneRun((store.settings.get('embedder') as string | undefined) ?? DEFAULT_EMBEDDER);
      if (!run) out('no clustering yet: run facet cluster');
      for (const entry of entries) {
        out(`${entry.id.padEnd(12)} ${String(entry.faces).padStart(5)} ${entry.faces === 1 ? 'face ' : 'faces'}  ${entry.name === null ? '(unnamed)' : escapeControls(entry.name)}  face ${entry.representativeFaceId}`);
      }
      return 0;
    });
  },
});
