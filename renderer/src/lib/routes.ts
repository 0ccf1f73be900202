/**
 * Where the user is, as a value and as the address's fragment (#/people, #/person/cluster/12, #/photo/7?people=3,4),
 * so a reload, the browser's back button and a bookmark all land on the same screen.
 */
import type { PeopleRef } from '../../../main/api/contract.ts';

export type Route =
  | { view: 'libraries' }
  | { view: 'photos'; personIds?: number[] }
  | { view: 'people' }
  | { view: 'person'; ref: PeopleRef }
  | { view: 'unsorted' }
  | { view: 'search'; faceId?: number }
  | { view: 'photo'; photoId: number; personIds?: number[] }
  | { view: 'history' }
  | { view: 'settings' };

export const NAV: ReadonlyArray<{ view: Route['view']; label: string; key: string }> = [
  { view: 'libraries', label: 'Libraries', key: '1' },
  { view: 'photos', label: 'Photos', key: '2' },
  { view: 'people', label: 'People', key: '3' },
  { view: 'unsorted', label: 'Review', key: '4' },
  { view: 'search', label: 'Search', key: '5' },
  { view: 'history', label: 'History', key: '6' },
  { view: 'settings', label: 'Settings', key: '7' },
];

const ids = (text: string | null): number[] | undefined => {
  if (!text) return undefined;
  const list = text.split(',').map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  return list.length > 0 ? list : undefined;
};

const positive = (text: string | undefined): number | undefined => {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/** The route a fragment names; an unknown or malformed one is the Libraries screen. */
export function parseRoute(hash: string): Route {
  const [pathPart = '', query = ''] = hash.replace(/^#\/?/u, '').split('?');
  const params = new URLSearchParams(query);
  const [view, a, b] = pathPart.split('/');
  switch (view) {
    case 'photos': {
      const personIds = ids(params.get('people'));
      return personIds ? { view, personIds } : { view };
    }
    case 'person': {
      const id = positive(b);
      return (a === 'person' || a === 'cluster') && id ? { view, ref: { kind: a, id } } : { view: 'people' };
    }
    case 'search': {
      const faceId = positive(params.get('face') ?? undefined);
      return faceId ? { view, faceId } : { view };
    }
    case 'photo': {
      const photoId = positive(a);
      if (!photoId) return { view: 'photos' };
      const personIds = ids(params.get('people'));
      return personIds ? { view, photoId, personIds } : { view, photoId };
    }
    case 'people':
    case 'unsorted':
    case 'history':
    case 'settings':
      return { view };
    default:
      return { view: 'libraries' };
  }
}

export function routeToHash(route: Route): string {
  switch (route.view) {
    case 'photos':
      return route.personIds?.length ? `#/photos?people=${route.personIds.join(',')}` : '#/photos';
    case 'person':
      return `#/person/${route.ref.kind}/${route.ref.id}`;
    case 'search':
      return route.faceId ? `#/search?face=${route.faceId}` : '#/search';
    case 'photo':
      return `#/photo/${route.photoId}${route.personIds?.length ? `?people=${route.personIds.join(',')}` : ''}`;
    default:
      return `#/${route.view}`;
  }
}

/** The nav section a route belongs to (a person's page is under People, a photo under Photos). */
export function sectionOf(route: Route): Route['view'] {
  if (route.view === 'person') return 'people';
  if (route.view === 'photo') return 'photos';
  return route.view;
}
