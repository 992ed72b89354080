import type { InboxEvent } from './records.js';

export type Listener = (events: readonly InboxEvent[]) => void;

/**
 * Committed events, in commit order, to whoever listens in this process (the WebSocket
 * hub, workers). Commands publish only after their transaction committed, so a
 * listener never sees an event that was rolled back.
 */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(events: readonly InboxEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        // One broken listener must not stop the others or fail a command that already committed.
        console.error('event listener failed', error);
      }
    }
  }

  /**
   * Something committed that no event says (a notification read, notification_changes):
   * the listeners wake as after events, so the hub and the other instances read the feeds.
   */
  nudge(): void {
    for (const listener of this.#listeners) {
      try {
        listener([]);
      } catch (error) {
        console.error('event listener failed', error);
      }
    }
  }
}
