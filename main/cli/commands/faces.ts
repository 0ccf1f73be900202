import { escapeControls } from '../../core/names.ts';
import { resolveTarget } from '../../people/decisions.ts';
import { withStore } from '../database.ts';
import { UsageError } from '../options.ts';
import { defineCommand } from '../command.ts';

const round = (n: number) => Math.round(n * 100) / 100;

export const facesCommand = defineCommand({
  summary: 'list every face: photo, box (pixels of the upright original), score, quality, cluster and person',
  usage: 'facet faces [--person NAME|ID] [--json]',
  options: { person: { type: 'string', placeholder: 'NAME|ID', description: 'only the faces of this person (a name, an id or person:3)' } },
  async run({ values, json, database, out, write }) {
    return withStore(database, (store) => {
      let filter = {};
      if (values.person !== undefined) {
        // As the other commands take a person: a name, an id or person:3 (an unnamed person has only its id).
        const target = resolveTarget(store, values.person, '--person');
        if (target.kind !== 'person') throw new UsageError(`--person takes a person (a name, an id or person:3), not the cluster ${target.label}`, 'person');
        filter = { personId: target.person.id };
      }
      if (json) {
        // Streamed as one JSON array so a library of a million faces never sits in memory as text. The cluster is
        // given by the label `facet people` shows and `facet name` takes (c4); the row id only as clusterRowId.
        write('[');
        let first = true;
        for (const face of store.faces.iterate(filter)) {
          const item = {
            id: face.id,
            photo: face.photoPath,
            box: { x: round(face.box.x), y: round(face.box.y), width: round(face.box.width), height: round(face.box.height) },
            score: face.score,
            quality: face.quality,
            clusterLabel: face.clusterLabel,
            clusterRowId: face.clusterId,
            personId: face.personId,
            personName: face.personName,
          };
          write((first ? '\n' : ',\n') + JSON.stringify(item));
          first = false;
        }
        write(first ? ']\n' : '\n]\n');
        return 0;
      }
      for (const face of store.faces.iterate(filter)) {
        const { x, y, width, height } = face.box;
        const who = face.personName !== null ? escapeControls(face.personName) : face.clusterLabel ?? '-';
        out(`${String(face.id).padStart(6)}  ${who}\t${Math.round(x)},${Math.round(y)} ${Math.round(width)}x${Math.round(height)}  q=${(face.quality ?? 0).toFixed(2)}  ${face.photoPath}`);
      }
      return 0;
    });
  },
});
