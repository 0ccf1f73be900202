/**
 * The user's decisions about people, shared by the CLI and the app: naming a cluster, merging,
 * "not this person". Each is one transaction and is recorded as a user decision, which clustering
 * treats as a constraint and never overwrites.
 */
import { cleanName } from '../core/names.ts';
import type { Person, Store } from '../store/index.ts';

export class DecisionError extends Error {
  override readonly name = 'DecisionError';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** A person or an unnamed cluster, as the user refers to it. */
export type PeopleTarget = { kind: 'person'; person: Person } | { kind: 'cluster'; clusterId: number; label: string; faceIds: number[] };

/**
 * Resolves "c12" (a cluster's stable label), "person:7" / "7" (a person id) or a person's name.
 * Cluster labels refer to the latest clustering's assignments.
 */
export function resolveTarget(store: Store, reference: string, field = 'target'): PeopleTarget {
  const text = reference.trim();
  if (text === '') throw new DecisionError(field, `${field} is empty`);
  if (/^c\d+$/.test(text)) {
    const faces = store.faces.list().filter((face) => face.clusterLabel === text && face.personId === null);
    if (faces.length === 0) throw new DecisionError(field, `no unnamed cluster labelled "${text}" (see facet people)`);
    return { kind: 'cluster', clusterId: faces[0]!.clusterId!, label: text, faceIds: faces.map((face) => face.id) };
  }
  const idMatch = /^(?:person:)?(\d+)$/.exec(text);
  const byId = idMatch ? store.persons.get(Number(idMatch[1])) : undefined;
  if (byId) return { kind: 'person', person: byId };
  const byName = store.persons.findByName(text);
  if (byName) return { kind: 'person', person: byName };
  throw new DecisionError(field, `no person or cluster "${text}"`);
}

/** Names a cluster or renames a person. Naming with a name someone already has merges into that person. */
export function nameTarget(store: Store, target: PeopleTarget, name: string): Person {
  // The one name rule (core/names.ts): controls and invisible characters go; nothing visible left is refused.
  const trimmed = cleanName(name);
  if (trimmed === undefined) throw new DecisionError('name', name.trim() === '' ? 'a name cannot be empty' : 'the name has no visible character');
  return store.transaction(() => {
    const existing = store.persons.findByName(trimmed);
    if (target.kind === 'person') {
      if (existing && existing.id !== target.person.id) {
        store.persons.merge(target.person.id, existing.id);
        return store.persons.get(existing.id)!;
      }
      return store.persons.rename(target.person.id, trimmed);
    }
    const person = existing ?? store.persons.create({ name: trimmed });
    store.assignments.assignByUser(target.faceIds, person.id);
    return store.persons.get(person.id)!;
  });
}

/**
 * Merges `from` into `into`: a person absorbs a cluster whichever side it is on; two unnamed clusters
 * become one unnamed person. dropContradictedNotConstraints: see PersonsRepository.merge.
 */
export function mergeTargets(store: Store, from: PeopleTarget, into: PeopleTarget, options: { dropContradictedNotConstraints?: boolean } = {}): Person {
  return store.transaction(() => {
    if (from.kind === 'person' && into.kind === 'person') {
      if (from.person.id === into.person.id) throw new DecisionError('target', 'cannot merge a person with itself');
      store.persons.merge(from.person.id, into.person.id, options);
      return store.persons.get(into.person.id)!;
    }
    const person = into.kind === 'person' ? into.person : from.kind === 'person' ? from.person : store.persons.create({});
    const faceIds = [from, into].flatMap((target) => (target.kind === 'cluster' ? target.faceIds : []));
    store.assignments.assignByUser(faceIds, person.id);
    return store.persons.get(person.id)!;
  });
}

/** "Not this person": remembered as a constraint; the face leaves the person and never returns to it. */
export function rejectFace(store: Store, faceId: number, target: PeopleTarget): void {
  if (!store.faces.get(faceId)) throw new DecisionError('face', `no face ${faceId}`);
  if (target.kind !== 'person') {
    // An unnamed cluster has no identity to remember a rejection against: name it or reject from a person.
    const face = store.faces.list().find((candidate) => candidate.id === faceId);
    if (face?.clusterLabel !== target.label) throw new DecisionError('face', `face ${faceId} is not in cluster ${target.label}`);
    const person = store.persons.create({});
    store.transaction(() => {
      store.assignments.assignByUser(target.faceIds.filter((id) => id !== faceId), person.id);
      store.constraints.add(faceId, person.id, 'not');
    });
    return;
  }
  store.constraints.add(faceId, target.person.id, 'not');
}
