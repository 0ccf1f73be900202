import { openStore } from '../../store/index.ts';
import { resolveDatabasePath } from '../database.ts';
import type { Command } from '../main.ts';

export const facesCommand: Command = {
  summary: 'list every face: photo, box (pixels of the upright original), score, quality, cluster and person',
  usage: 'facet faces [--person NAME] [--json]',
  options: { person: { type: 'string' } },
  async run({ values, json, out }) {
    const store = openStore(resolveDatabasePath());
    try {
      let filter = {};
      if (typeof values.person === 'string') {
        const person = store.persons.findByName(values.person);
        if (!person) throw new Error(`no person named "${values.person}"`);
        filter = { personId: person.id };
      }
      const round = (n: number) => Math.round(n * 100) / 100;
      if (json) {
        // Streamed as one JSON array so a library of a million faces never sits in memory as text.
        process.stdout.write('[');
        let first = true;
        for (const face of store.faces.iterate(filter)) {
          const item = {
            id: face.id,
            photo: face.photoPath,
            box: { x: round(face.box.x), y: round(face.box.y), width: round(face.box.width), height: round(face.box.height) },
            score: face.score,
            quality: face.quality,
            clusterId: face.clusterId,
            personId: face.personId,
            personName: face.personName,
          };
          process.stdout.write((first ? '\n' : ',\n') + JSON.stringify(item));
          first = false;
        }
        process.stdout.write(first ? ']\n' : '\n]\n');
      } else {
        for (const face of store.faces.iterate(filter)) {
          const { x, y, width, height } = face.box;
          out(`${String(face.id).padStart(6)}  ${face.personName ?? (face.clusterId !== null ? `cluster ${face.clusterId}` : '-')}\t${Math.round(x)},${Math.round(y)} ${Math.round(width)}x${Math.round(height)}  q=${(face.quality ?? 0).toFixed(2)}  ${face.photoPath}`);
        }
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
