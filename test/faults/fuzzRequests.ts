/**
 * Seeded API requests for fuzzing: a plausible request for a method of the contract (small ids, names that
 * exist), usually bent out of shape: wrong types, missing and unknown fields, prototype keys, huge strings,
 * deep nesting, NaN and Infinity, odd Unicode. Never the two requests that delete on purpose
 * (settings.forgetAllFaceData with its confirmation, libraries.remove with forgetPhotos), nor an export into the
 * photos themselves (libraries.exportXmp with inPlace): those are the user's
 * choice, and the fuzz must keep the library it checks.
 */
import { API_METHODS } from '../../main/api/contract.ts';
import type { Random } from '../../main/core/random.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const POLLUTION_KEY = 'fuzzPolluted';

const STRINGS = [
  '', ' ', '  \t\n', 'Ann', 'ann', 'ANN', 'Bob', 'Émile', 'E\u0301mile', 'ß', 'ﬀ', '\u200b', '\u202eevil', '\ud800', '😀👨‍👩‍👧',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '../../../etc/passwd', '..%2f..%2f', '/', '/tmp',
  'relative/path', 'c1', 'c2', 'person:1', '1', '-1', '1e309', 'NaN', 'Infinity', 'null', 'true', '2000-02-30', '2001-01-01',
  "'; DROP TABLE persons; --", '<img src=x onerror=alert(1)>', 'line\r\nX-Injected: 1', 'a\u0000b', 'forget ', 'FORGET',
  'dlib-resnet', 'ssd-mobilenetv1', 'average', 'single', 'AAAA', '/9j/4AAQSkZJRg==',
];
const NUMBERS = [0, -0, 1, 2, 3, 5, 7, 12, 13, -1, 0.5, 0.01, 1.2, 4, 4.0001, 1e-300, 1e308, -1e308, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity];

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(items.length)]!;
}

/** Any value, JSON or not (NaN, Infinity, undefined survive only outside JSON). */
export function randomValue(random: Random, depth = 0): unknown {
  const roll = random.int(depth > 2 ? 6 : 9);
  switch (roll) {
    case 0: return null;
    case 1: return random.next() < 0.5;
    case 2: case 3: return pick(random, NUMBERS);
    case 4: case 5: return pick(random, STRINGS);
    case 6: return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: random.int(4) }, () => [pick(random, STRINGS), randomValue(random, depth + 1)]));
    default: return undefined;
  }
}

/** An object whose own key is `key`, even '__proto__' (which a literal would take as the prototype). */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

export function deeplyNested(depth: number): unknown {
  let value: unknown = { [POLLUTION_KEY]: 1 };
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

const id = (random: Random) => (random.next() < 0.85 ? 1 + random.int(14) : pick(random, NUMBERS));
const ids = (random: Random) => Array.from({ length: 1 + random.int(3) }, () => id(random));
const ref = (random: Random) => ({ kind: pick(random, ['person', 'cluster', 'Person', 'group']), id: id(random) });
const name = (random: Random) => pick(random, STRINGS.slice(0, 20));

/** A request that is (nearly) right for `method`. */
export function plausibleRequest(method: string, random: Random): Record<string, unknown> {
  const maybe = <T>(value: T) => (random.next() < 0.5 ? value : undefined);
  const requests: Record<string, () => Record<string, unknown>> = {
    'libraries.add': () => ({ path: pick(random, ['/tmp', '/', 'relative', '/no/such/folder', ...STRINGS]) }),
    'libraries.remove': () => ({ rootId: id(random), forgetPhotos: maybe(false) }),
    'libraries.startScan': () => ({ rootIds: maybe(ids(random)) }),
    'libraries.exportXmp': () => ({ personId: maybe(id(random)), inPlace: maybe(false) }),
    'people.list': () => ({ includeHidden: maybe(random.next() < 0.5) }),
    'people.nameCluster': () => ({ clusterId: id(random), name: name(random) }),
    'people.rename': () => ({ personId: id(random), name: random.next() < 0.2 ? null : name(random), mergeIfTaken: maybe(true) }),
    'people.merge': () => ({ from: ref(random), into: ref(random), dropContradictions: maybe(random.next() < 0.5) }),
    'people.hide': () => ({ personId: id(random), hidden: random.next() < 0.5 }),
    'people.favourite': () => ({ personId: id(random), favourite: random.next() < 0.5 }),
    'people.setBirthDate': () => ({ personId: id(random), birthDate: pick(random, [null, '2000-01-01', '2000-02-30', '1999-13-01', '0000-00-00']) }),
    'people.setCover': () => ({ personId: id(random), faceId: random.next() < 0.2 ? null : id(random) }),
    'people.names': () => ({ prefix: maybe(name(random)) }),
    'person.get': () => ({ personId: id(random) }),
    'faces.list': () => ({ ref: ref(random), afterId: maybe(id(random)), limit: maybe(id(random)) }),
    'faces.notThisPerson': () => ({ faceIds: ids(random), personId: id(random) }),
    'faces.move': () => ({ faceIds: ids(random), personId: id(random) }),
    'faces.assign': () => ({ faceIds: ids(random), name: random.next() < 0.2 ? null : name(random) }),
    'unsorted.suggestions': () => ({ limit: maybe(id(random)) }),
    'unsorted.confirm': () => ({ faceId: id(random), personId: id(random) }),
    'unsorted.reject': () => ({ faceId: id(random), personId: id(random) }),
    'search.byNames': () => ({ names: [name(random), name(random)].slice(0, 1 + random.int(2)) }),
    'search.byFace': () => ({ faceId: id(random), limit: maybe(id(random)) }),
    'search.byImage': () => ({ imageBase64: pick(random, ['AAAA', '/9j/4AAQSkZJRgABAQ==', 'bm90IGFuIGltYWdl', '====']), limit: maybe(id(random)) }),
    'photo.get': () => ({ photoId: id(random) }),
    'photo.addManualFace': () => ({ photoId: id(random), box: { x: pick(random, NUMBERS), y: 5, width: pick(random, [1, 20, 0, -5, 1e6]), height: 30 }, name: maybe(name(random)) }),
    'settings.set': () => ({ threshold: maybe(pick(random, NUMBERS)), linkage: maybe(pick(random, ['average', 'single', 'ward'])), minClusterSize: maybe(id(random)), embedder: maybe(pick(random, STRINGS)) }),
    'settings.previewThreshold': () => ({ threshold: pick(random, NUMBERS) }),
    // Never the confirmation itself.
    'settings.forgetAllFaceData': () => ({ confirm: pick(random, ['Forget', 'forget ', 'yes', 'FORGET', true, 1]) }),
    'cluster.run': () => ({ threshold: maybe(pick(random, NUMBERS)), minClusterSize: maybe(id(random)) }),
  };
  const request = Object.hasOwn(requests, method) ? requests[method]!() : {};
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  return request;
}

/** Bends a request: a wrong type, a missing or unknown field, a prototype key, a huge string, deep nesting. */
export function mutate(request: Record<string, unknown>, random: Random): unknown {
  const keys = Object.keys(request);
  const someKey = () => (keys.length > 0 ? pick(random, keys) : 'x');
  const copy = { ...request };
  switch (random.int(10)) {
    case 0: return randomValue(random);
    case 1: return { ...copy, [someKey()]: randomValue(random) };
    case 2: { delete copy[someKey()]; return copy; }
    case 3: return withOwn(copy, pick(random, ['__proto__', 'constructor', 'prototype']), { [POLLUTION_KEY]: true, prototype: { [POLLUTION_KEY]: true } });
    case 4: return { ...copy, [someKey()]: 'x'.repeat(pick(random, [201, 4097, 10_001, 100_000])) };
    case 5: return { ...copy, [someKey()]: deeplyNested(pick(random, [10, 100, 2000])) };
    case 6: return { ...copy, [someKey()]: pick(random, [NaN, Infinity, -Infinity, -0, 1e308]) };
    case 7: return { ...copy, [pick(random, STRINGS)]: randomValue(random) };
    case 8: return [copy];
    default: return { ...copy, [someKey()]: Array.from({ length: pick(random, [0, 1, 10_001]) }, () => 1) };
  }
}

/** A method name: mostly from the contract, else a near miss or junk. */
export function randomMethod(random: Random): string {
  if (random.next() < 0.85) return pick(random, API_METHODS);
  return pick(random, [
    '', 'app', 'app.info.', 'APP.INFO', 'people.list ', 'people/list', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
    'prototype', 'events', 'session', 'x'.repeat(5000), 'people.list\u0000', 'settings.forgetAllFaceData\n', '😀', '..', '../api/app.info',
  ]);
}

/** Takes back a deliberate deletion that a mutation may have made valid (see the top of this file). */
export function withoutDeliberateDeletion(method: string, body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  if (method.startsWith('libraries.remove') && record.forgetPhotos === true) return { ...record, forgetPhotos: false };
  if (method.startsWith('settings.forgetAllFaceData') && record.confirm === 'forget') return { ...record, confirm: 'no' };
  // Writing names into the photos themselves is also the user's choice: the fuzz may write sidecars only.
  if (method.startsWith('libraries.exportXmp') && record.inPlace === true) return { ...record, inPlace: false };
  return body;
}
