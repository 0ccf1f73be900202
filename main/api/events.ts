/** The progress and change events main pushes to every window (IPC) or browser tab (Server-Sent Events). */
import type { ApiEvent } from './contract.ts';

export type EventListener = (event: ApiEvent) => void;

export class EventBus {
  readonly #listeners = new Set<EventListener>();

  /** Returns the function that unsubscribes. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One broken subscriber (a closed socket) must not stop the others from hearing the event.
        console.error('facet: event listener failed:', error);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
