/**
 * `facet export --json`: everything the user made, in one JSON document that other tools can read without
 * SQLite: persons, every face (photo path, box in pixels of the upright photo, who it is and who decided), and
 * the user's constraints. Faces are streamed a page at a time, so a large library never sits in memory as text.
 */
import type { Store } from '../store/index.ts';
import { LATEST_VERSION } from '../store/index.ts';

export const EXPORT_FORMAT = 'facet-export';
export const EXPORT_FORMAT_VERSION = 1;

const PAGE = 1000;
const round = (n: number) => Math.round(n * 100) / 100;

export function writeJsonExport(store: Store, write: (chunk: string) => void, now = new Date()): { persons: number; faces: number; constraints: number } {
  const header = { format: EXPORT_FORMAT, version: EXPORT_FORMAT_VERSION, schemaVersion: LATEST_VERSION, exportedAt: now.toISOString() };
  write(JSON.stringify(header).slice(0, -1));

  const persons = store.persons.list({ includeHidden: true });
  write(',\n"persons":[');
  persons.forEach(({ id, name, hidden, favourite, birthDate, coverFaceId }, i) => {
    write((i === 0 ? '\n' : ',\n') + JSON.stringify({ id, name, hidden, favourite, birthDate, coverFaceId }));
  });

  write('\n],\n"faces":[');
  let faces = 0;
  for (let afterId = 0; ; ) {
    const page = store.faces.list({ afterId, limit: PAGE });
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    for (const face of page) {
      const { x, y, width, height } = face.box;
      const item = {
        id: face.id,
        photo: face.photoPath,
        box: { x: round(x), y: round(y), width: round(width), height: round(height) },
        source: store.faces.get(face.id)?.source ?? 'detected',
        score: face.score,
        quality: face.quality,
        personId: face.personId,
        personName: face.personName,
        assignedBy: face.assignedBy,
        cluster: face.clusterLabel,
      };
      write((faces++ === 0 ? '\n' : ',\n') + JSON.stringify(item));
    }
  }

  const constraints = store.constraints.listAll();
  write('\n],\n"constraints":[');
  constraints.forEach(({ faceId, personId, kind }, i) => write((i === 0 ? '\n' : ',\n') + JSON.stringify({ faceId, personId, kind })));
  write('\n]}\n');
  return { persons: persons.length, faces, constraints: constraints.length };
}
