/**
 * Libraries without images, for the clustering and fine-tuning faults: photos, faces (each with its own box)
 * and embeddings written straight into the store, then names given the way a user gives them.
 */
import type { Store } from '../../main/store/index.ts';

export interface SyntheticSet {
  /** [n, dim] unit rows. */
  vectors: Float32Array;
  dim: number;
  /** True identity of each row. */
  identity: Int32Array;
  /** Photo of each row (rows of one photo are different identities). */
  photoIds?: Int32Array;
}

export interface InsertedLibrary {
  faceIds: number[];
  /** Face ids by true identity. */
  byIdentity: Map<number, number[]>;
}

/** Writes the set as photos under a root that does not exist on disk, in one transaction. */
export function insertSynthetic(store: Store, set: SyntheticSet, modelId: string, root = '/synthetic-library'): InsertedLibrary {
  const n = set.identity.length;
  return store.transaction(() => {
    const rootId = store.roots.add(root).id;
    const photoOf = set.photoIds ?? Int32Array.from({ length: n }, (_, i) => i);
    const rowsByPhoto = new Map<number, number[]>();
    photoOf.forEach((photo, row) => rowsByPhoto.set(photo, [...(rowsByPhoto.get(photo) ?? []), row]));
    const faceIds: number[] = new Array(n);
    for (const [photo, rows] of rowsByPhoto) {
      const photoId = store.photos.upsert({
        rootId, path: `${root}/p${photo}.jpg`, size: 1000 + photo, mtimeMs: 1, contentHash: `synthetic-${photo}`, width: 4000, height: 3000,
      }).id;
      const ids = store.faces.insertDetected(photoId, 'synthetic', rows.map((_, k) => ({
        box: { x: 10 + 150 * k, y: 20, width: 100, height: 120 }, landmarks: null, score: 0.9, quality: 0.8,
      })));
      rows.forEach((row, k) => { faceIds[row] = ids[k]!; });
    }
    store.embeddings.putMany(modelId, faceIds.map((faceId, i) => ({ faceId, vector: set.vectors.subarray(i * set.dim, (i + 1) * set.dim) })));
    const byIdentity = new Map<number, number[]>();
    set.identity.forEach((who, i) => byIdentity.set(who, [...(byIdentity.get(who) ?? []), faceIds[i]!]));
    return { faceIds, byIdentity };
  });
}

/**
 * Names the `persons` largest identities "Person 1", "Person 2"... with `perPerson` of their faces each (decisions
 * by the user), and says one more face of each is not that person. Returns the person ids.
 */
export function nameLargest(store: Store, library: InsertedLibrary, persons: number, perPerson: number): number[] {
  const largest = [...library.byIdentity.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).slice(0, persons);
  return largest.map(([, faces], k) => {
    const person = store.persons.create({ name: `Person ${k + 1}` });
    store.assignments.assignByUser(faces.slice(0, perPerson), person.id);
    const other = largest[(k + 1) % largest.length]![1];
    if (other !== faces) store.constraints.add(other[other.length - 1]!, person.id, 'not');
    return person.id;
  });
}
