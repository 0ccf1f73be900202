/**
 * The people grid and a person's page: persons and unnamed clusters with their counts and cover faces,
 * naming (an existing name merges), renaming, merging any two entries, and a person's photos in time order.
 */
import type { FaceListItem, Person } from '../../store/index.ts';
import { nameKey } from '../../store/personsRepository.ts';
import type { ApiRequest, ApiResponse, FaceItem, PeopleEntry, PeopleRef, PersonInfo, PersonPhoto } from '../contract.ts';
import { mergeTargets, nameTarget, renamePerson as rename, setPersonDetail, type PeopleTarget } from '../../people/decisions.ts';
import { RequestError } from '../errors.ts';
import { ageAt } from './similarity.ts';
import { toFaceItem, toPhotoItem, type ApiContext } from './context.ts';

export function toPersonInfo(person: Person): PersonInfo {
  const { id, name, hidden, favourite, birthDate, coverFaceId } = person;
  return { id, name, hidden, favourite, birthDate, coverFaceId };
}

export function requirePerson(ctx: ApiContext, personId: number, field = 'personId'): Person {
  const person = ctx.store.persons.get(personId);
  if (!person) throw new RequestError(field, `there is no person ${personId}`);
  return person;
}

/** The unassigned faces of a cluster (faces already given to a person have left it). */
export function clusterFaces(ctx: ApiContext, clusterId: number, field = 'clusterId'): FaceListItem[] {
  const faces = ctx.store.faces.list({ clusterId }).filter((face) => face.personId === null && face.assignedBy !== 'user');
  if (faces.length === 0) throw new RequestError(field, `cluster ${clusterId} has no unnamed faces (named or merged meanwhile?)`);
  return faces;
}

interface Bucket {
  count: number;
  bestFaceId: number;
  bestQuality: number;
}

function addToBucket(buckets: Map<number, Bucket>, key: number, face: FaceListItem): void {
  const quality = face.quality ?? 0;
  const bucket = buckets.get(key);
  if (!bucket) buckets.set(key, { count: 1, bestFaceId: face.id, bestQuality: quality });
  else {
    bucket.count++;
    if (quality > bucket.bestQuality) Object.assign(bucket, { bestFaceId: face.id, bestQuality: quality });
  }
}

export function listPeople(ctx: ApiContext, { includeHidden }: ApiRequest<'people.list'>): ApiResponse<'people.list'> {
  const persons = new Map<number, Bucket>();
  const clusters = new Map<number, Bucket>();
  for (const face of ctx.store.faces.list()) {
    if (face.personId !== null) addToBucket(persons, face.personId, face);
    // A user row with no person means "nobody": such a face is no longer offered in a cluster.
    else if (face.clusterId !== null && face.assignedBy !== 'user') addToBucket(clusters, face.clusterId, face);
  }
  const entries: PeopleEntry[] = [];
  for (const person of ctx.store.persons.list({ includeHidden: includeHidden === true })) {
    const bucket = persons.get(person.id);
    if (!bucket && person.name === null) continue;
    entries.push({
      ref: { kind: 'person', id: person.id }, name: person.name, faceCount: bucket?.count ?? 0,
      coverFaceId: person.coverFaceId ?? bucket?.bestFaceId ?? null,
      hidden: person.hidden, favourite: person.favourite, birthDate: person.birthDate,
    });
  }
  for (const [clusterId, bucket] of clusters) {
    entries.push({
      ref: { kind: 'cluster', id: clusterId }, name: null, faceCount: bucket.count, coverFaceId: bucket.bestFaceId,
      hidden: false, favourite: false, birthDate: null,
    });
  }
  entries.sort((a, b) => b.faceCount - a.faceCount || (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.ref.id - b.ref.id);
  return { entries };
}

/** A person or cluster of the API as the decisions module (shared with the CLI) takes it. */
function toTarget(ctx: ApiContext, ref: PeopleRef, idField: string): PeopleTarget {
  if (ref.kind === 'person') return { kind: 'person', person: requirePerson(ctx, ref.id, idField) };
  const faces = clusterFaces(ctx, ref.id, idField);
  // The label the CLI shows and takes (c12), so the history reads the same from either; the decisions module says "cluster".
  return { kind: 'cluster', clusterId: ref.id, label: faces[0]!.clusterLabel ?? String(ref.id), faceIds: faces.map((face) => face.id) };
}

export function nameCluster(ctx: ApiContext, { clusterId, name, dropContradictions }: ApiRequest<'people.nameCluster'>): ApiResponse<'people.nameCluster'> {
  const { store } = ctx;
  const target = toTarget(ctx, { kind: 'cluster', id: clusterId }, 'clusterId');
  const merged = store.persons.findByName(name.trim()) !== undefined;
  // The user's word: clustering keeps these faces with this person from now on (journaled: undo reverts it).
  return { personId: nameTarget(store, target, name, { dropContradictedNotConstraints: dropContradictions === true }).id, merged };
}

export function renamePerson(ctx: ApiContext, { personId, name, mergeIfTaken, dropContradictions }: ApiRequest<'people.rename'>): ApiResponse<'people.rename'> {
  requirePerson(ctx, personId);
  return rename(ctx.store, personId, name, { mergeIfTaken, dropContradictedNotConstraints: dropContradictions === true });
}

export function mergePeople(ctx: ApiContext, { from, into, dropContradictions }: ApiRequest<'people.merge'>): ApiResponse<'people.merge'> {
  if (from.kind === into.kind && from.id === into.id) throw new RequestError('into', 'cannot merge an entry into itself');
  const person = mergeTargets(ctx.store, toTarget(ctx, from, 'from.id'), toTarget(ctx, into, 'into.id'), { dropContradictedNotConstraints: dropContradictions === true });
  return { personId: person.id };
}

export function hidePerson(ctx: ApiContext, { personId, hidden }: ApiRequest<'people.hide'>): ApiResponse<'people.hide'> {
  requirePerson(ctx, personId);
  return toPersonInfo(setPersonDetail(ctx.store, personId, 'hide', hidden));
}

export function favouritePerson(ctx: ApiContext, { personId, favourite }: ApiRequest<'people.favourite'>): ApiResponse<'people.favourite'> {
  requirePerson(ctx, personId);
  return toPersonInfo(setPersonDetail(ctx.store, personId, 'favourite', favourite));
}

export function setBirthDate(ctx: ApiContext, { personId, birthDate }: ApiRequest<'people.setBirthDate'>): ApiResponse<'people.setBirthDate'> {
  requirePerson(ctx, personId);
  return toPersonInfo(setPersonDetail(ctx.store, personId, 'birthDate', birthDate));
}

export function setCover(ctx: ApiContext, { personId, faceId }: ApiRequest<'people.setCover'>): ApiResponse<'people.setCover'> {
  requirePerson(ctx, personId);
  return toPersonInfo(setPersonDetail(ctx.store, personId, 'cover', faceId));
}

export function personNames(ctx: ApiContext, { prefix }: ApiRequest<'people.names'>): ApiResponse<'people.names'> {
  const key = prefix ? nameKey(prefix.trim()) : '';
  const names = ctx.store.persons
    .list()
    .flatMap((p) => (p.name !== null && nameKey(p.name).startsWith(key) ? [{ personId: p.id, name: p.name }] : []))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { names: names.slice(0, 50) };
}

export function getPerson(ctx: ApiContext, { personId }: ApiRequest<'person.get'>): ApiResponse<'person.get'> {
  const person = requirePerson(ctx, personId);
  const faces = ctx.store.faces.list({ personId });
  const seen = new Set<number>();
  const photos: PersonPhoto[] = [];
  for (const face of faces) {
    if (seen.has(face.photoId)) continue;
    seen.add(face.photoId);
    const photo = ctx.store.photos.get(face.photoId);
    if (!photo) continue;
    photos.push({ ...toPhotoItem(photo), faceId: face.id, ageYears: ageAt(person.birthDate, photo.takenAt) });
  }
  // Oldest first; photos without a date go last, in the order they were added.
  photos.sort((a, b) => (a.takenAt ?? '\uffff').localeCompare(b.takenAt ?? '\uffff') || a.photoId - b.photoId);
  return { person: toPersonInfo(person), faceCount: faces.length, photos };
}

/** A page of faces (id order) after `afterId`, with how many there are in all. */
function facePage(faces: FaceListItem[], afterId: number | undefined, limit: number | undefined): { faces: FaceItem[]; total: number } {
  const start = afterId === undefined ? 0 : faces.findIndex((face) => face.id > afterId);
  return { faces: (start < 0 ? [] : faces.slice(start, start + (limit ?? 500))).map((face) => toFaceItem(face)), total: faces.length };
}

export function listLooseFaces(ctx: ApiContext, { afterId, limit }: ApiRequest<'faces.loose'>): ApiResponse<'faces.loose'> {
  return facePage(ctx.store.faces.list({ loose: true }), afterId, limit);
}

export function listFaces(ctx: ApiContext, { ref, afterId, limit }: ApiRequest<'faces.list'>): ApiResponse<'faces.list'> {
  let faces: FaceListItem[];
  if (ref.kind === 'person') {
    requirePerson(ctx, ref.id, 'ref.id');
    faces = ctx.store.faces.list({ personId: ref.id });
  } else {
    faces = ctx.store.faces.list({ clusterId: ref.id }).filter((face) => face.personId === null && face.assignedBy !== 'user');
  }
  return facePage(faces, afterId, limit);
}
