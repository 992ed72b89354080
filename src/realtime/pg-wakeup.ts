import pg from 'pg';
import type { Store } from '../store/database.js';
import { EVENTS_CHANNEL, LISTEN_EVENTS_SQL, notifyEventsCommitted } from '../store/events.js';

// Several app instances on one PostgreSQL database learn of each other's commits here.
// A notification is only a wake-up: the hub then reads the event table after its own
// cursor, so a lost, duplicated or forged notification costs at most one cheap query.

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export type Log = (message: string, error?: unknown) => void;

export class PgWakeup {
  readonly #store: Store;
  readonly #onWake: () => void;
  readonly #log: Log;
  #client: pg.Client | null = null;
  #stopped = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: NodeJS.Timeout | null = null;
  #notifying = false;
  #notifyAgain = false;

  constructor(store: Store, onWake: () => void, log: Log) {
    if (!store.connectionString) throw new Error('PgWakeup needs a PostgreSQL store');
    this.#store = store;
    this.#onWake = onWake;
    this.#log = log;
  }

  /** Resolves once listening, or after the first failure (it keeps retrying in the background). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  /**
   * Tells every instance (this one too) that events committed. Calls coalesce, but one
   * arriving while a NOTIFY is in flight sends another afterwards: the first may have
   * been issued before that caller's commit, and listeners must read after it.
   */
  announce(): void {
    if (this.#stopped) return;
    if (this.#notifying) {
      this.#notifyAgain = true;
      return;
    }
    this.#notifying = true;
    notifyEventsCommitted(this.#store.db)
      .catch((error) => this.#log('realtime: NOTIFY failed; other instances will poll', error))
      .finally(() => {
        this.#notifying = false;
        if (this.#notifyAgain) {
          this.#notifyAgain = false;
          this.announce();
        }
      });
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    // A server that never answers (a black-holed failover) must not stall the retries.
    const client = new pg.Client({ connectionString: this.#store.connectionString, keepAlive: true, connectionTimeoutMillis: 10_000 });
    // A dropped connection must not crash the process; it is replaced.
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL) this.#onWake();
    });
    try {
      await client.connect();
      await client.query(LISTEN_EVENTS_SQL);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#retryMs = RETRY_MIN_MS;
    // Whatever committed while we were not listening is in the table: read it now.
    this.#onWake();
  }

  #lost(client: pg.Client, error?: unknown): void {
    if (this.#stopped || client.listenerCount('notification') === 0) return;
    client.removeAllListeners('notification');
    client.removeAllListeners('end');
    // Keep an error listener: a late socket error on the dead client would otherwise throw.
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.#client === client) this.#client = null;
    this.#log(`realtime: LISTEN connection lost; reconnecting in ${this.#retryMs} ms`, error);
    this.#retryTimer = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#retryTimer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }
}
