import { expect, test } from 'vitest';
import { parseRoute, routeToHash, sectionOf, type Route } from './routes.ts';
import { listWords, monthLabel, plural } from './words.ts';

test('every screen survives a reload: route -> address -> the same route', () => {
  const routes: Route[] = [
    { view: 'libraries' }, { view: 'photos' }, { view: 'photos', personIds: [3, 4] }, { view: 'people' },
    { view: 'person', ref: { kind: 'cluster', id: 12 } }, { view: 'person', ref: { kind: 'person', id: 2 } },
    { view: 'unsorted' }, { view: 'search' }, { view: 'search', faceId: 9 }, { view: 'photo', photoId: 7 },
    { view: 'photo', photoId: 7, personIds: [1] }, { view: 'history' }, { view: 'settings' },
  ];
  for (const route of routes) expect(parseRoute(routeToHash(route))).toEqual(route);
});

test('a malformed address lands somewhere sensible, never throws', () => {
  expect(parseRoute('')).toEqual({ view: 'libraries' });
  expect(parseRoute('#token=abc')).toEqual({ view: 'libraries' });
  expect(parseRoute('#/person/robot/3')).toEqual({ view: 'people' });
  expect(parseRoute('#/photo/-1')).toEqual({ view: 'photos' });
  expect(parseRoute('#/photos?people=1,x,2')).toEqual({ view: 'photos', personIds: [1, 2] });
  expect(sectionOf({ view: 'photo', photoId: 1 })).toBe('photos');
});

test('words: plurals, lists and months read right', () => {
  expect(plural(1, 'face')).toBe('1 face');
  expect(plural(0, 'face')).toBe('0 faces');
  expect(plural(12345, 'photo')).toBe('12,345 photos');
  expect(plural(2, 'person', 'people')).toBe('2 people');
  expect(listWords(['Ann'])).toBe('Ann');
  expect(listWords(['Ann', 'Bob', 'Cy'])).toBe('Ann, Bob and Cy');
  expect(monthLabel('2021-03')).toBe('March 2021');
});
