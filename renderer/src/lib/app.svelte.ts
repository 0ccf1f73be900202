/**
 * The app's shared state: the client, where the user is (route, kept in the address so a reload stays), the
 * message bar (a message belongs to the action that made it and goes when the user moves on), change counters
 * that views reload on (fed by the API's change events), and Undo. Views keep their own state classes.
 */
import type { ApiEvent, ApiMethod, ApiRequest, ApiResponse, HistoryEntry } from '../../../main/api/contract.ts';
import { untrack } from 'svelte';
import { ApiCallError, type FacetClient } from './client.ts';
import { parseRoute, routeToHash, type Route } from './routes.ts';

export { NAV, type Route } from './routes.ts';

export interface Message {
  /** warning: something the user should know that is not a failure (a scan removed named faces). */
  kind: 'error' | 'info' | 'warning';
  text: string;
}

/** What a scan says about named faces no longer in their changed files (the message bar, Libraries). */
export function facesGoneText(gone: ReadonlyArray<{ file: string; person: string | null }>): string {
  const one = gone.length === 1;
  const list = gone.map((g) => `${g.person ?? 'a face'} in ${g.file}`).join('; ');
  return `${one ? 'A face' : `${gone.length} faces`} you had named or decided about ${one ? 'is' : 'are'} no longer in ${one ? 'its' : 'their'} changed file, and ${one ? 'was' : 'were'} removed: ${list}.`;
}

/** A yes/no question App.svelte shows as a dialog (ask). */
export interface Question {
  title: string;
  text: string;
  confirmLabel: string;
  /** Confirming deletes for good (the confirm button is drawn as a danger button). */
  danger?: boolean;
  answer: (yes: boolean) => void;
}

/** Decisions the store refuses with MergeConflictError when they would undo a "not this person" (retried with dropContradictions). */
export type ContradictingMethod = 'people.merge' | 'people.rename' | 'people.nameCluster';

/** The address bar, or nothing in tests. */
export interface Address {
  get(): string;
  /** push: a new history entry (navigation); otherwise the current one is replaced. */
  set(hash: string, push: boolean): void;
  /** Called when the user moves with the browser's back and forward buttons. */
  onChange(listener: () => void): void;
}

export function windowAddress(page: Window): Address {
  return {
    get: () => page.location.hash,
    set(hash, push) {
      if (page.location.hash === hash) return;
      if (push) page.history.pushState(null, '', hash);
      else page.history.replaceState(null, '', hash);
    },
    onChange: (listener) => page.addEventListener('popstate', listener),
  };
}

export type ChangeTopic = 'people' | 'faces' | 'libraries' | 'settings';

/**
 * In a component: calls `reload` whenever the API reports a change of one of `topics` (not on the first run;
 * the component loads itself on mount). This is how no screen shows stale data.
 */
export function reloadOnChange(app: AppState, topics: readonly ChangeTopic[], reload: () => unknown): void {
  let first = true;
  $effect(() => {
    for (const topic of topics) void app.changes[topic];
    if (first) {
      first = false;
      return;
    }
    untrack(() => void reload());
  });
}

export class AppState {
  route = $state<Route>({ view: 'libraries' });
  message = $state<Message | null>(null);
  question = $state<Question | null>(null);
  /** Bumped by the API's change events: a view that shows that kind of data reloads when it moves. */
  changes = $state<Record<ChangeTopic, number>>({ people: 0, faces: 0, libraries: 0, settings: 0 });
  /** The last decision undone, for the Undo toast. */
  undoing = $state(false);
  /** Whether Redo has something to make again (the nav's Redo button is enabled by it). */
  canRedo = $state(false);
  #trail: Route[] = [];

  constructor(readonly client: FacetClient, private readonly address?: Address) {
    if (address) {
      this.route = parseRoute(address.get());
      address.set(routeToHash(this.route), false);
      address.onChange(() => {
        this.route = parseRoute(address.get());
        this.message = null;
      });
    }
  }

  /** Follows the API's events (call once the transport is ready); returns the unsubscribe function. */
  listen(): () => void {
    void this.refreshRedo();
    return this.client.onEvent((event: ApiEvent) => {
      if (event.topic === 'changed') this.changes[event.what]++;
      if (event.topic === 'changed' && (event.what === 'people' || event.what === 'faces')) void this.refreshRedo();
      // A finished scan adds photos and faces: every view of them reloads.
      if (event.topic === 'scan' && (event.status.state === 'done' || event.status.state === 'cancelled')) {
        this.changes.libraries++;
        this.changes.faces++;
        // Said wherever the user is: the folder watcher's scans run unasked, and Libraries' line goes with the next.
        const gone = event.status.summary?.facesGone ?? [];
        if (gone.length > 0) this.message = { kind: 'warning', text: facesGoneText(gone) };
      }
    });
  }

  go(route: Route): void {
    this.#trail.push(this.route);
    this.route = route;
    this.message = null;
    this.address?.set(routeToHash(route), true);
  }

  /** Replaces the current screen (e.g. the next photo) without growing the back trail. */
  replace(route: Route): void {
    this.route = route;
    this.message = null;
    this.address?.set(routeToHash(route), false);
  }

  back(fallback: Route = { view: 'people' }): void {
    this.route = this.#trail.pop() ?? fallback;
    this.message = null;
    this.address?.set(routeToHash(this.route), true);
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

  /** Asks a yes/no question in a dialog; resolves true when the user confirms. */
  ask(question: Omit<Question, 'answer'>): Promise<boolean> {
    this.question?.answer(false);
    return new Promise((resolve) => {
      this.question = {
        ...question,
        answer: (yes) => {
          this.question = null;
          resolve(yes);
        },
      };
    });
  }

  /**
   * A decision that may put faces with a person the user said they are not (a merge; naming a group, or renaming a
   * person, with another person's name). The store refuses it and changes nothing; the user is asked, and only if
   * they confirm does it run again, dropping those decisions (Ctrl+Z brings them back). `what` starts the question
   * ("Merging Bob into Ada"); `person` is who the faces would join.
   */
  async runContradicting<M extends ContradictingMethod>(method: M, request: ApiRequest<M>, what: string, person: string): Promise<ApiResponse<M> | undefined> {
    try {
      return await this.client.call(method, request);
    } catch (error) {
      if (!(error instanceof ApiCallError) || error.name !== 'MergeConflictError') {
        this.fail(error);
        return undefined;
      }
      const count = error.faceIds?.length ?? 1;
      const faces = count === 1 ? 'a face here is' : `${count} faces here are`;
      const yes = await this.ask({
        title: 'Go against your earlier decision?',
        text: `${what} goes against what you said before: ${faces} not ${person}. Going ahead puts ${count === 1 ? 'it' : 'them'} with ${person} and forgets that decision. Ctrl+Z undoes it.`,
        confirmLabel: 'Go ahead',
      });
      if (!yes) return undefined;
      return this.run(method, { ...request, dropContradictions: true });
    }
  }

  fail(error: unknown): void {
    const e = error as { name?: string; message?: string; field?: string };
    this.message = { kind: 'error', text: `${e.message ?? String(error)}` };
  }

  inform(text: string): void {
    this.message = { kind: 'info', text };
  }

  /**
   * Undo takes the newest decisions and redo gives them back oldest first, so the undone ones are always the newest:
   * there is something to redo exactly when the newest decision can be redone.
   */
  async refreshRedo(): Promise<void> {
    try {
      this.canRedo = (await this.client.call('history.list', { limit: 1 })).entries[0]?.redoable === true;
    } catch {
      this.canRedo = false;
    }
  }

  /**
   * Undo or redo, one at a time (`undoing` guards both): the decisions it took back or made again; [] when there was
   * nothing to ("there is nothing to undo/redo" is an answer, said as information, not a failure); undefined when it
   * failed (said in the message bar) or another was running.
   */
  async #step(method: 'history.undo' | 'history.redo', count: number): Promise<HistoryEntry[] | undefined> {
    if (this.undoing) return undefined;
    this.undoing = true;
    try {
      let entries: HistoryEntry[];
      try {
        const result = await this.client.call(method, { count });
        entries = 'undone' in result ? result.undone : result.redone;
      } catch (error) {
        if (!(error instanceof ApiCallError && error.field === 'count' && /^there is nothing to/u.test(error.message))) {
          this.fail(error);
          return undefined;
        }
        entries = [];
      }
      if (entries.length > 0) this.changes.people++;
      await this.refreshRedo();
      return entries;
    } finally {
      this.undoing = false;
    }
  }

  /** Reverts the last decision not yet undone (Ctrl+Z, the Undo button); says what was undone. */
  async undo(count = 1): Promise<HistoryEntry[]> {
    const undone = await this.#step('history.undo', count);
    if (undone?.length === 0) this.inform('Nothing to undo.');
    else if (undone) this.inform(`Undone: ${undone.map((e) => e.summary).join('; ')}. ${undone.length === 1 ? 'Ctrl+Shift+Z redoes it.' : 'Ctrl+Shift+Z redoes them, one at a time.'}`);
    return undone ?? [];
  }

  /** Makes the last undone decision again (Ctrl+Shift+Z, Ctrl+Y, the Redo button); says what was redone. */
  async redo(count = 1): Promise<HistoryEntry[]> {
    const redone = await this.#step('history.redo', count);
    if (redone?.length === 0) this.inform('Nothing to redo: redo makes again what you undid, until you make a new decision.');
    else if (redone) this.inform(`Redone: ${redone.map((e) => e.summary).join('; ')}`);
    return redone ?? [];
  }
}
