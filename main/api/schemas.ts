/**
 * One request schema per API method. The mapped type makes the compiler check each schema against the
 * contract's request type, so a field added to the contract but not validated here fails the type check.
 */
import type { ApiMethod, ApiRequest } from './contract.ts';
import {
  array, boolean, id, integer, nullable, number, object, oneOf, optional, string, variant, type Schema,
} from './schema.ts';

import { SMALLEST_FACE_MAX, SMALLEST_FACE_MIN } from '../core/settingKeys.ts';

const empty = object({});
const personName = string({ min: 1, max: 200 });
const faceIds = array(id(), { min: 1, max: 10_000, unique: true });
const ref = variant('kind', { person: object({ id: id() }), cluster: object({ id: id() }) });
const box = object({
  x: number({ min: -1e5, max: 1e5 }),
  y: number({ min: -1e5, max: 1e5 }),
  width: number({ min: 1, max: 1e5 }),
  height: number({ min: 1, max: 1e5 }),
});
const limit = (max: number) => optional(integer({ min: 1, max }));
const isoDate = string({ pattern: /^\d{4}-\d{2}-\d{2}$/u, patternName: 'a date as YYYY-MM-DD' });
const modelId = string({ min: 1, max: 100, pattern: /^[a-z0-9][a-z0-9._-]*$/u, patternName: 'a model id such as dlib-resnet' });
const linkage = oneOf(['average', 'single', 'complete'] as const);
/** Squared L2 between unit vectors lies in [0, 4]. */
const threshold = number({ min: 0.01, max: 4 });
const timelineQuery = {
  personIds: optional(array(id(), { min: 1, max: 20, unique: true })),
  from: optional(isoDate),
  to: optional(isoDate),
};
/** 20 MB of image is 26.7 M base64 characters. */
const MAX_IMAGE_BASE64 = 28_000_000;

export const REQUEST_SCHEMAS: { [M in ApiMethod]: Schema<ApiRequest<M>> } = {
  'app.info': empty,

  'libraries.list': empty,
  'libraries.add': object({ path: string({ min: 1, max: 4096 }) }),
  'libraries.remove': object({ rootId: id(), forgetPhotos: optional(boolean()) }),
  'libraries.startScan': object({ rootIds: optional(array(id(), { min: 1, max: 1000, unique: true })) }),
  'libraries.pauseScan': empty,
  'libraries.scanStatus': empty,
  'libraries.failures': empty,
  'libraries.retryFailures': object({ photoIds: optional(array(id(), { min: 1, max: 100_000, unique: true })) }),
  'libraries.exportXmp': object({ personId: optional(id()), inPlace: optional(boolean()) }),

  'people.list': object({ includeHidden: optional(boolean()) }),
  'people.nameCluster': object({ clusterId: id(), name: personName, dropContradictions: optional(boolean()) }),
  'people.rename': object({ personId: id(), name: nullable(personName), mergeIfTaken: optional(boolean()), dropContradictions: optional(boolean()) }),
  'people.merge': object({ from: ref, into: ref, dropContradictions: optional(boolean()) }),
  'people.hide': object({ personId: id(), hidden: boolean() }),
  'people.favourite': object({ personId: id(), favourite: boolean() }),
  'people.setBirthDate': object({ personId: id(), birthDate: nullable(isoDate) }),
  'people.setCover': object({ personId: id(), faceId: nullable(id()) }),
  'people.names': object({ prefix: optional(string({ max: 200 })) }),

  'person.get': object({ personId: id() }),
  'faces.list': object({ ref, afterId: optional(integer({ min: 0 })), limit: limit(5000) }),
  'faces.loose': object({ afterId: optional(integer({ min: 0 })), limit: limit(5000) }),
  'faces.notThisPerson': object({ faceIds, personId: id() }),
  'faces.move': object({ faceIds, personId: id() }),
  'faces.assign': object({ faceIds, name: nullable(personName) }),

  'unsorted.suggestions': object({ limit: limit(1000) }),
  'unsorted.confirm': object({ faceId: id(), personId: id(), faceIds: optional(faceIds) }),
  'unsorted.reject': object({ faceId: id(), personId: id(), faceIds: optional(faceIds) }),
  'history.list': object({ limit: limit(1000) }),
  'history.undo': object({ count: optional(integer({ min: 1, max: 1000 })) }),
  'history.redo': object({ count: optional(integer({ min: 1, max: 1000 })) }),
  'learn.finetune': object({ force: optional(boolean()) }),
  'learn.rollback': empty,

  'search.byNames': object({ names: array(personName, { min: 1, max: 20 }), from: optional(isoDate), to: optional(isoDate) }),
  'search.byFace': object({ faceId: id(), limit: limit(1000) }),
  'search.byImage': object({
    imageBase64: string({ min: 4, max: MAX_IMAGE_BASE64, pattern: /^[A-Za-z0-9+/]+={0,2}$/u, patternName: 'base64 (no data: prefix)' }),
    limit: limit(1000),
  }),

  'photo.get': object({ photoId: id() }),
  'photo.addManualFace': object({ photoId: id(), box, name: optional(nullable(personName)) }),

  'settings.get': empty,
  'settings.set': object({
    threshold: optional(threshold),
    linkage: optional(linkage),
    minClusterSize: optional(integer({ min: 1, max: 1000 })),
    detector: optional(modelId),
    embedder: optional(modelId),
    scanCores: optional(nullable(integer({ min: 1, max: 1024 }))),
    smallestFace: optional(nullable(integer({ min: SMALLEST_FACE_MIN, max: SMALLEST_FACE_MAX }))),
    precision: optional(nullable(oneOf(['fp32', 'int8-embedder', 'int8'] as const))),
  }),
  'settings.previewThreshold': object({ threshold }),
  'settings.forgetAllFaceData': object({ confirm: oneOf(['forget'] as const) }),

  'cluster.run': object({ threshold: optional(threshold), minClusterSize: optional(integer({ min: 1, max: 1000 })) }),

  // app views (issue #16)
  'photos.timeline': object(timelineQuery),
  'photos.page': object({ ...timelineQuery, offset: integer({ min: 0 }), limit: integer({ min: 1, max: 2000 }) }),
  'photos.neighbours': object({ ...timelineQuery, photoId: id() }),
};

/** Validates `request` for `method`; throws ValidationError naming the field. */
export function parseRequest<M extends ApiMethod>(method: M, request: unknown): ApiRequest<M> {
  return REQUEST_SCHEMAS[method].parse(request === undefined ? {} : request, '');
}
