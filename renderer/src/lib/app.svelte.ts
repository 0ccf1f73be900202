/**
 * The app's shared state: the client, where the user is (route), and the message bar. Views keep their own
 * state classes (people.svelte.ts, unsorted.svelte.ts, ...) and report failures here.
 */
import type { ApiMethod, ApiRequest, ApiResponse, PeopleRef } from '../../../main/api/contract.ts';
import type { FacetClient } from './client.ts';

export type Route =
  | { view: 'libraries' }
  | { view: 'people' }
  | { view: 'person'; ref: PeopleRef }
  | { view: 'unsorted' }
  | { view: 'search'; faceId?: number }
  | { view: 'photo'; photoId: number }
  | { view: 'settings' };

export const NAV: ReadonlyArray<{ view: Route['view']; label: string; key: string }> = [
  { view: 'libraries', label: 'Libraries', key: '1' },
  { view: 'people', label: 'People', key: '2' },
  { view: 'unsorted', label: 'Unsorted', key: '3' },
  { view: 'search', label: 'Search', key: '4' },
  { view: 'settings', label: 'Settings', key: '5' },
];

export interface Message {
  kind: 'error' | 'info';
  text: string;
}

export class AppState {
  route = $state<Route>({ view: 'libraries' });
  message = $state<Message | null>(null);
  #history: Route[] = [];

  constructor(readonly client: FacetClient) {}

  go(route: Route): void {
    this.#history.push(this.route);
    this.route = route;
  }

  back(): void {
    this.route = this.#history.pop() ?? { view: 'people' };
  }

  /** Calls the API; a failure is shown in the message bar and resolves undefined. */
  async run<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M> | undefined> {
    try {
      return await this.client.call(method, request);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  fail(error: unknown): void {
    const e = error as { name?: string; message?: string; field?: string };
    this.message = { kind: 'error', text: `${e.message ?? String(error)}` };
  }

  inform(text: string): void {
    this.message = { kind: 'info', text };
  }
}
