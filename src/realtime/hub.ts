import type { EventBus } from '../inbox/bus.js';
import type { Store } from '../store/database.js';
import { latestEventId, listEventsSince } from '../store/events.js';
import { frameFor, type LiveViewer, type PreparedEvent, prepareEvents, readyFrame } from './frames.js';
import { latestNotificationChange, pruneNotificationChanges, tailNotificationChanges } from './notification-frames.js';
import { type Log, PgWakeup } from './pg-wakeup.js';

// The live stream of one process. The event table is the source of truth: the hub keeps
// one cursor (the last event id it has delivered) and, whenever woken, reads the events
// after it in id order and hands each connected client its frame. Event ids become
// visible in id order on both databases (store/events.ts), so "id > cursor" never skips
// an event that commits late. Wake-ups come from the in-process bus, from PostgreSQL
// NOTIFY (other instances) and from a poll, the safety net for anything lost.
//
// A client resuming with `since` replays (since, cursor] from the table and joins the
// live set under the same lock that delivers, so between replay and live there is no
// gap and no duplicate.

export interface LiveClient {
  readonly viewer: LiveViewer;
  /** Events up to this id were sent to this client, or deliberately skipped. */
  sentUpTo: number;
  readonly open: boolean;
  readonly bufferedAmount: number;
  /** Sends, or drops the client when its unsent backlog is over the limit. */
  send(frame: string): void;
  /** Resolves when the backlog is small again, or the client has gone. */
  drained(): Promise<void>;
  heartbeat(): void;
  close(code: number, reason: string): void;
  /** This client's own rendering of events (chat visitors); without it, frameFor for its viewer. */
  present?(event: PreparedEvent): string | null;
}

export type HubOptions = {
  /** How often the table is read even if nothing woke the hub. */
  pollMs?: number;
  heartbeatMs?: number;
  /** A client whose unsent frames exceed this is dropped; it can resume with `since`. */
  maxBufferedBytes?: number;
  log?: Log;
};

const PAGE = 500;

export class RealtimeHub {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #clients = new Set<LiveClient>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #options: Required<HubOptions>;
  #cursor = 0;
  /** The last notification_changes id handled (notification-frames.ts): a second feed, tailed alike. */
  #notificationCursor = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #tailQueued = false;
  /** Reading the table failed last time: said once, and said again when it works. */
  #failing = false;
  #stopped = false;
  #pg: PgWakeup | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(store: Store, bus: EventBus, options: HubOptions = {}) {
    this.#store = store;
    this.#bus = bus;
    this.#options = {
      pollMs: options.pollMs ?? 1000,
      heartbeatMs: options.heartbeatMs ?? 30_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
      log: options.log ?? ((message, error) => console.error(message, error ?? '')),
    };
  }

  get maxBufferedBytes(): number {
    return this.#options.maxBufferedBytes;
  }

  /** The newest event id in the table: where a client that has just read the current state resumes. */
  latestId(): Promise<number> {
    return latestEventId(this.#store.db);
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  async start(): Promise<void> {
    this.#cursor = await latestEventId(this.#store.db);
    this.#notificationCursor = await latestNotificationChange(this.#store.db);
    if (this.#store.dialect === 'postgres' && this.#store.connectionString) {
      this.#pg = new PgWakeup(this.#store, () => this.wake(), this.#options.log);
      await this.#pg.start();
    }
    // Commands publish after commit: the events are in the table by the time we read.
    this.#unsubscribe = this.#bus.subscribe(() => {
      this.wake();
      this.#pg?.announce();
    });
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#options.pollMs, () => this.wake());
    every(60 * 60 * 1000, () => void pruneNotificationChanges(this.#store.db, Date.now(), this.#options.log));
    every(this.#options.heartbeatMs, () => {
      for (const c of this.#clients) c.heartbeat();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#timers.forEach(clearInterval);
    await this.#pg?.stop();
    for (const client of this.#clients) client.close(1001, 'server shutting down');
    this.#clients.clear();
    await this.#queue;
  }

  /** Reads the table after the cursor soon; calls while a read is already queued coalesce. */
  wake(): void {
    if (this.#tailQueued || this.#stopped) return;
    this.#tailQueued = true;
    this.#exclusive(async () => {
      this.#tailQueued = false;
      await this.#tail();
      this.#notificationCursor = await tailNotificationChanges(this.#store.db, this.#notificationCursor, this.#clients);
    }).then(
      () => this.#reading(true),
      (error) => this.#reading(false, error),
    );
  }

  // The cursor only moves past what was delivered, so after a failed read (the database
  // restarting, a lost connection) the next wake-up — the poll, at the latest — carries on
  // from the same event: nothing is skipped and nothing sent twice. An outage is logged
  // once, not at every poll and commit.
  #reading(ok: boolean, error?: unknown): void {
    if (ok === !this.#failing) return;
    this.#failing = !ok;
    if (ok) this.#options.log('realtime: reading events works again; the live stream carries on where it stopped');
    else this.#options.log('realtime: reading events failed; retrying at every wake-up until it works', error);
  }

  /** Replays what the client missed after `since` (none when null), then makes it live. */
  async join(client: LiveClient, since: number | null): Promise<void> {
    if (since !== null) {
      client.sentUpTo = since;
      // Far behind: catch up outside the lock, so the other clients keep receiving meanwhile.
      while (client.open && this.#cursor - client.sentUpTo > PAGE) await this.#replayPage(client, this.#cursor);
    }
    await this.#exclusive(async () => {
      if (since === null) client.sentUpTo = this.#cursor;
      while (client.open && client.sentUpTo < this.#cursor) await this.#replayPage(client, this.#cursor);
      if (!client.open || this.#stopped) return;
      client.send(readyFrame(Math.max(client.sentUpTo, this.#cursor)));
      this.#clients.add(client);
    });
  }

  leave(client: LiveClient): void {
    this.#clients.delete(client);
  }

  async #tail(): Promise<void> {
    for (;;) {
      if (this.#clients.size === 0) {
        // Nobody to present to: just move on. A client resuming later reads the table itself.
        this.#cursor = Math.max(this.#cursor, await latestEventId(this.#store.db));
        return;
      }
      const rows = await listEventsSince(this.#store.db, this.#cursor, PAGE);
      if (rows.length === 0) return;
      const events = await prepareEvents(this.#store.db, rows);
      for (const client of this.#clients) for (const event of events) deliver(client, event);
      this.#cursor = Number(rows[rows.length - 1]!.id);
      if (rows.length < PAGE) return;
    }
  }

  /** Sends the next page of events after client.sentUpTo, up to `upTo`, pacing a slow client. */
  async #replayPage(client: LiveClient, upTo: number): Promise<void> {
    const rows = (await listEventsSince(this.#store.db, client.sentUpTo, PAGE)).filter((row) => Number(row.id) <= upTo);
    if (rows.length === 0) {
      client.sentUpTo = upTo;
      return;
    }
    for (const event of await prepareEvents(this.#store.db, rows)) {
      if (client.bufferedAmount > this.#options.maxBufferedBytes / 2) await client.drained();
      if (!client.open) return;
      deliver(client, event);
    }
    client.sentUpTo = Math.max(client.sentUpTo, Number(rows[rows.length - 1]!.id));
  }

  /** Runs `work` after everything queued before it: tails and joins never interleave. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function deliver(client: LiveClient, event: PreparedEvent): void {
  if (!client.open || event.id <= client.sentUpTo) return;
  const frame = client.present ? client.present(event) : frameFor(client.viewer, event);
  if (frame !== null) client.send(frame);
  client.sentUpTo = event.id;
}
