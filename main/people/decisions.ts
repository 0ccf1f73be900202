/**
 * The user's decisions about people, one implementation for the CLI and the app: naming, renaming, merging,
 * "not this person", moving, assigning, confirming, hiding, favourites, covers, birth dates, manual faces and
 * forgetting. Each runs in one transaction and is journaled in it (store.journal), so `facet history` lists it
 * and `facet undo` reverts it exactly, also after a restart and after re-clustering. Clustering treats the
 * decisions as constraints and never overwrites them.
 *
 * Semantics (tested as properties in decisions.property.test.ts on real LFW embeddings):
 * - rejecting face f from person P changes where f goes and nothing else;
 * - naming, confirming, moving and assigning never move a face the user did not touch out of a named person;
 * - a rejected face never returns to P; two faces of one photo never share a person.
 */
import { cleanName } from '../core/names.ts';
import { MergeConflictError, type NewDecision, type Person, type Store } from '../store/index.ts';
import { forgetAdapters } from './adapterStore.ts';

export class DecisionError extends Error {
  override readonly name = 'DecisionError';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** A person or an unnamed cluster, as the user refers to it. */
export type PeopleTarget = { kind: 'person'; person: Person } | { kind: 'cluster'; clusterId: number; label: string; faceIds: number[] };

/**
 * Runs `change` as one journaled decision in one transaction. A decision made inside another (a manual face
 * named as it is drawn) is part of the outer one, so one undo reverts both.
 */
export function decide<T>(store: Store, decision: NewDecision, change: () => T): T {
  return store.transaction(() => (store.journal.recordingId() !== null ? change() : store.journal.record(decision, change).value));
}

const faces = (n: number) => `${n} face${n === 1 ? '' : 's'}`;
export const personLabel = (person: Pick<Person, 'id' | 'name'>) => (person.name !== null ? `"${person.name}"` : `person ${person.id}`);
const targetLabel = (target: PeopleTarget) => (target.kind === 'person' ? personLabel(target.person) : `group ${target.label}`);

function requirePerson(store: Store, personId: number, field = 'personId'): Person {
  const person = store.persons.get(personId);
  if (!person) throw new DecisionError(field, `there is no person ${personId}`);
  return person;
}

function requireFaces(store: Store, faceIds: readonly number[], field = 'faceIds'): void {
  if (faceIds.length === 0) throw new DecisionError(field, 'no faces given');
  faceIds.forEach((faceId, i) => {
    if (!store.faces.get(faceId)) throw new DecisionError(faceIds.length === 1 ? field : `${field}[${i}]`, `there is no face ${faceId}`);
  });
}

/**
 * Resolves "c12" (a cluster's stable label), "person:7" / "7" (a person id) or a person's name.
 * Cluster labels refer to the latest clustering's assignments.
 */
export function resolveTarget(store: Store, reference: string, field = 'target'): PeopleTarget {
  const text = reference.trim();
  if (text === '') throw new DecisionError(field, `${field} is empty`);
  if (/^c\d+$/.test(text)) {
    const members = store.faces.list().filter((face) => face.clusterLabel === text && face.personId === null && face.assignedBy !== 'user');
    if (members.length === 0) throw new DecisionError(field, `no unnamed cluster labelled "${text}" (see facet people)`);
    return { kind: 'cluster', clusterId: members[0]!.clusterId!, label: text, faceIds: members.map((face) => face.id) };
  }
  const idMatch = /^(?:person:)?(\d+)$/.exec(text);
  const byId = idMatch ? store.persons.get(Number(idMatch[1])) : undefined;
  if (byId) return { kind: 'person', person: byId };
  const byName = store.persons.findByName(text);
  if (byName) return { kind: 'person', person: byName };
  throw new DecisionError(field, `no person or cluster "${text}"`);
}

/** The one name rule (core/names.ts): controls and invisible characters go; nothing visible left is refused. */
function visibleName(name: string): string {
  const cleaned = cleanName(name);
  if (cleaned === undefined) throw new DecisionError('name', name.trim() === '' ? 'a name cannot be empty' : 'the name has no visible character');
  return cleaned;
}

/** Confirms a change that drops "not this person" decisions it contradicts (see MergeConflictError). */
export interface ContradictionOptions {
  dropContradictedNotConstraints?: boolean;
}

/**
 * A cluster's faces about to join a person as a group (merged into it, or named with its name): the faces among
 * them the user said are not that person are refused (MergeConflictError, nothing changed) unless the user
 * confirmed dropping those decisions. Moving chosen faces (moveFaces) needs no such check: the user named those
 * faces one by one, and their latest word replaces the earlier one. Before, a group join dropped them silently.
 */
function refuseContradictions(store: Store, faceIds: readonly number[], person: Person, what: string, options: ContradictionOptions): void {
  if (options.dropContradictedNotConstraints) return;
  const rejected = new Set(store.constraints.listForPerson(person.id).filter((c) => c.kind === 'not').map((c) => c.faceId));
  const contradicted = faceIds.filter((faceId) => rejected.has(faceId)).sort((a, b) => a - b);
  if (contradicted.length > 0) throw new MergeConflictError(undefined, person.id, contradicted, what);
}

/** Names a cluster or renames a person. Naming with a name someone already has merges into that person. */
export function nameTarget(store: Store, target: PeopleTarget, name: string, options: ContradictionOptions = {}): Person {
  const trimmed = visibleName(name);
  const existing = store.persons.findByName(trimmed);
  if (target.kind === 'person') {
    // The name it has (a field that fires its change twice) is no decision: it would fill the history and end redo.
    if (target.person.name === trimmed) return target.person;
    const merging = existing !== undefined && existing.id !== target.person.id;
    const summary = merging ? `Renamed ${personLabel(target.person)} to "${trimmed}", which merged it into ${personLabel(existing!)}` : `Renamed ${personLabel(target.person)} to "${trimmed}"`;
    const faceIds = store.assignments.listByPerson(target.person.id).map((a) => a.faceId);
    return decide(store, { kind: 'rename', summary, faceIds }, () => {
      if (merging) {
        store.persons.merge(target.person.id, existing!.id, options);
        return store.persons.get(existing!.id)!;
      }
      return store.persons.rename(target.person.id, trimmed);
    });
  }
  const summary = `Named ${targetLabel(target)} "${trimmed}" (${faces(target.faceIds.length)})${existing ? ', an existing person' : ''}`;
  if (existing) refuseContradictions(store, target.faceIds, existing, `naming ${targetLabel(target)} "${trimmed}"`, options);
  return decide(store, { kind: 'name', summary, faceIds: target.faceIds }, () => {
    const person = existing ?? store.persons.create({ name: trimmed });
    store.assignments.assignByUser(target.faceIds, person.id);
    return store.persons.get(person.id)!;
  });
}

/** Renames (or un-names, with null) a person; a name someone else has is refused unless `mergeIfTaken`. */
export function renamePerson(store: Store, personId: number, name: string | null, options: { mergeIfTaken?: boolean } & ContradictionOptions = {}): { personId: number; merged: boolean } {
  const person = requirePerson(store, personId);
  if (name !== null) name = visibleName(name);
  if (name !== null && options.mergeIfTaken) {
    const holder = store.persons.findByName(name);
    if (holder && holder.id !== personId) {
      const merged = nameTarget(store, { kind: 'person', person }, name, options);
      return { personId: merged.id, merged: true };
    }
  }
  if (person.name === name) return { personId, merged: false }; // no change, no decision (see nameTarget)
  const summary = name === null ? `Removed the name of ${personLabel(person)}` : `Renamed ${personLabel(person)} to "${name.trim()}"`;
  return decide(store, { kind: 'rename', summary }, () => {
    store.persons.rename(personId, name);
    return { personId, merged: false };
  });
}

/**
 * Merges `from` into `into`: a person absorbs a cluster whichever side it is on; two unnamed clusters become one
 * unnamed person. An entry merged into itself is refused. dropContradictedNotConstraints: see PersonsRepository.merge.
 */
export function mergeTargets(store: Store, from: PeopleTarget, into: PeopleTarget, options: ContradictionOptions = {}): Person {
  const same = from.kind === 'person' && into.kind === 'person'
    ? from.person.id === into.person.id
    : from.kind === 'cluster' && into.kind === 'cluster' && from.clusterId === into.clusterId;
  if (same) throw new DecisionError('into', `cannot merge ${targetLabel(from)} into itself`);
  const moved = from.kind === 'person' ? store.assignments.listByPerson(from.person.id).map((a) => a.faceId) : from.faceIds;
  const summary = `Merged ${targetLabel(from)} into ${targetLabel(into)} (${faces(moved.length + (into.kind === 'cluster' ? into.faceIds.length : 0))})`;
  return decide(store, { kind: 'merge', summary, faceIds: moved }, () => {
    if (from.kind === 'person' && into.kind === 'person') {
      store.persons.merge(from.person.id, into.person.id, options);
      return store.persons.get(into.person.id)!;
    }
    const existing = into.kind === 'person' ? into.person : from.kind === 'person' ? from.person : undefined;
    const person = existing ?? store.persons.create({});
    const faceIds = [from, into].flatMap((target) => (target.kind === 'cluster' ? target.faceIds : []));
    if (existing) refuseContradictions(store, faceIds, existing, `merging ${targetLabel(from)} into ${targetLabel(into)}`, options);
    store.assignments.assignByUser(faceIds, person.id);
    return store.persons.get(person.id)!;
  });
}

/**
 * "Not this person": remembered as a constraint; the faces leave the person and never return to it. Faces the
 * user had put with the person go back to clustering (not to "nobody"): the user said who they are not.
 */
export function rejectFaces(store: Store, faceIds: readonly number[], personId: number, kind: 'reject' = 'reject'): number {
  const person = requirePerson(store, personId);
  requireFaces(store, faceIds);
  const summary = `${faces(faceIds.length)} marked not ${personLabel(person)}`;
  return decide(store, { kind, summary, faceIds }, () => {
    const wereUsers = faceIds.filter((faceId) => {
      const assignment = store.assignments.get(faceId);
      return assignment?.source === 'user' && assignment.personId === personId;
    });
    for (const faceId of faceIds) store.constraints.add(faceId, personId, 'not');
    store.assignments.releaseToAuto(wereUsers);
    return faceIds.length;
  });
}

/** The CLI's `facet reject FACE TARGET`: from a person, or from an unnamed cluster (which then becomes a person). */
export function rejectFace(store: Store, faceId: number, target: PeopleTarget): void {
  if (!store.faces.get(faceId)) throw new DecisionError('face', `no face ${faceId}`);
  if (target.kind === 'person') {
    rejectFaces(store, [faceId], target.person.id);
    return;
  }
  // An unnamed cluster has no identity to remember a rejection against: its other faces become an unnamed person.
  if (!target.faceIds.includes(faceId)) throw new DecisionError('face', `face ${faceId} is not in cluster ${target.label}`);
  decide(store, { kind: 'reject', summary: `Face ${faceId} marked not the rest of group ${target.label}`, faceIds: [faceId] }, () => {
    const person = store.persons.create({});
    store.assignments.assignByUser(target.faceIds.filter((id) => id !== faceId), person.id);
    store.constraints.add(faceId, person.id, 'not');
  });
}

/** Moves faces to a person (the user's word: they stay there). */
export function moveFaces(store: Store, faceIds: readonly number[], personId: number, kind: 'move' | 'confirm' = 'move'): number {
  const person = requirePerson(store, personId);
  requireFaces(store, faceIds);
  const summary = kind === 'confirm' ? `Confirmed ${faces(faceIds.length)} as ${personLabel(person)}` : `Moved ${faces(faceIds.length)} to ${personLabel(person)}`;
  return decide(store, { kind, summary, faceIds }, () => {
    store.assignments.assignByUser(faceIds, personId);
    return faceIds.length;
  });
}

/** Gives faces to the person of that name (created if new), or to nobody with null. */
export function assignFaces(store: Store, faceIds: readonly number[], name: string | null): { personId: number | null; created: boolean } {
  requireFaces(store, faceIds);
  const trimmed = name === null ? null : visibleName(name);
  // Faces taken from one named person to another are a move, and History says so (it said "Named 2 faces").
  const owners = new Set(faceIds.map((faceId) => store.assignments.get(faceId)?.personId ?? null));
  const [owner] = owners;
  const from = owners.size === 1 && owner !== null && owner !== undefined ? store.persons.get(owner) : undefined;
  const summary = trimmed === null
    ? `${faces(faceIds.length)} marked as nobody to name`
    : from?.name != null && from.name !== trimmed ? `Moved ${faces(faceIds.length)} from ${personLabel(from)} to "${trimmed}"` : `Named ${faces(faceIds.length)} "${trimmed}"`;
  return decide(store, { kind: 'assign', summary, faceIds }, () => {
    if (trimmed === null) {
      store.assignments.assignByUser(faceIds, null);
      return { personId: null, created: false };
    }
    const existing = store.persons.findByName(trimmed);
    const person = existing ?? store.persons.create({ name: trimmed });
    store.assignments.assignByUser(faceIds, person.id);
    return { personId: person.id, created: existing === undefined };
  });
}

type PersonSetting = 'hide' | 'favourite' | 'cover' | 'birthDate';

/** Hidden, favourite, cover face or birth date of a person. */
export function setPersonDetail(store: Store, personId: number, detail: PersonSetting, value: boolean | number | string | null): Person {
  const person = requirePerson(store, personId);
  const summaries: Record<PersonSetting, string> = {
    hide: `${value ? 'Hid' : 'Showed'} ${personLabel(person)}`,
    favourite: `${value ? 'Marked' : 'Unmarked'} ${personLabel(person)} as a favourite`,
    cover: value === null ? `Reset the cover of ${personLabel(person)}` : `Chose face ${String(value)} as the cover of ${personLabel(person)}`,
    birthDate: value === null ? `Removed the birth date of ${personLabel(person)}` : `Set the birth date of ${personLabel(person)} to ${String(value)}`,
  };
  if (detail === 'cover' && value !== null && store.assignments.get(value as number)?.personId !== personId) {
    throw new DecisionError('faceId', `face ${String(value)} is not a face of ${personLabel(person)}`);
  }
  // The same value again (a form that fires its change twice) is no decision: it would fill the history and end redo.
  const current = { hide: person.hidden, favourite: person.favourite, cover: person.coverFaceId, birthDate: person.birthDate }[detail];
  if (current === value) return person;
  const faceIds = detail === 'cover' && typeof value === 'number' ? [value] : [];
  return decide(store, { kind: detail, summary: summaries[detail], faceIds }, () => {
    if (detail === 'hide') store.persons.setHidden(personId, value as boolean);
    else if (detail === 'favourite') store.persons.setFavourite(personId, value as boolean);
    else if (detail === 'cover') store.persons.setCover(personId, value as number | null);
    else store.persons.setBirthDate(personId, value as string | null);
    return store.persons.get(personId)!;
  });
}

/** Forgets every face, embedding, person and decision; cannot be undone (the data is gone, as asked). */
export function forgetFaceData(store: Store): { faces: number; persons: number } {
  const result = store.securely(() => decide(store, { kind: 'forget', summary: 'Forgot all face data', undoable: false }, () => {
    const forgotten = store.forgetAllFaceData();
    forgetAdapters(store); // learnt from the named faces: face data too
    store.journal.forgetEarlier(); // the history names people and faces that are gone
    return { faces: forgotten.faces, persons: forgotten.persons };
  }));
  // Outside the decision's transaction, where SQLite allows it: no page image of the deleted rows stays in the WAL.
  store.truncateWal();
  return result;
}
