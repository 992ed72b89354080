import { type CredentialState, findCredentialStates } from '../store/accounts.js';
import type { Store } from '../store/database.js';
import type { LiveViewer } from './frames.js';
import type { Log } from './pg-wakeup.js';
import { CLOSE_CREDENTIALS_ENDED, CLOSE_VIEWER_CHANGED } from './protocol.js';

// An open socket was authenticated once, at the upgrade; the session or token behind it
// can end later (sign-out, password change, revocation, deactivation) or its user change
// role. The watch re-checks every open socket of this instance in one query: on a timer
// (which also covers changes made by other instances or the command line) and at once
// when this instance's accounts functions report a change. A socket whose credential is
// gone is closed with a 4xxx code; frames stop at the close.

/** How a socket authenticated: the session row id (the cookie token's hash) or the API token id. */
export type Credential = { kind: 'session'; sessionId: string; userId: number } | { kind: 'token'; tokenId: number; userId: number };

export interface WatchedSocket {
  readonly credential: Credential;
  /** Mutable: a renamed user's presence frames carry the new name. */
  readonly viewer: LiveViewer;
  close(code: number, reason: string): void;
}

export type Verdict = { keep: true } | { keep: false; code: number; reason: string };

/** Whether a socket may stay open, given its credential's row as it is now (undefined: gone). */
export function judge(credential: Credential, viewer: LiveViewer, state: CredentialState | undefined, now: number): Verdict {
  const ended = (reason: string): Verdict => ({ keep: false, code: CLOSE_CREDENTIALS_ENDED, reason });
  if (!state || state.userId !== credential.userId)
    return ended(credential.kind === 'session' ? 'the session ended; sign in again' : 'the API token was revoked');
  if (state.deactivatedAt !== null) return ended('the account was deactivated');
  if (state.expiresAt !== null && state.expiresAt <= now) return ended('the session expired; sign in again');
  // Which frames a socket gets follows from the role it joined with; reconnecting re-reads it.
  if (state.role !== viewer.role) return { keep: false, code: CLOSE_VIEWER_CHANGED, reason: 'the account’s role changed; reconnect' };
  // A customer who confirmed their address now sees more of their conversations (policies.canView).
  if (state.emailVerifiedAt !== viewer.emailVerifiedAt) return { keep: false, code: CLOSE_VIEWER_CHANGED, reason: 'the address was confirmed; reconnect' };
  return { keep: true };
}

export type CredentialWatchOptions = {
  /** How often every open socket's credentials are re-checked; also the longest a socket outlives them (changes made elsewhere). */
  recheckMs?: number;
};

export class CredentialWatch {
  readonly #sockets = new Set<WatchedSocket>();
  readonly #store: Store;
  readonly #clock: () => number;
  readonly #recheckMs: number;
  readonly #log: Log;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(accounts: { store: Store; clock: () => number }, options: CredentialWatchOptions & { log: Log }) {
    this.#store = accounts.store;
    this.#clock = accounts.clock;
    this.#recheckMs = options.recheckMs ?? 10_000;
    this.#log = options.log;
  }

  start(): void {
    this.#timer = setInterval(() => this.recheck(), this.#recheckMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#sockets.clear();
    await this.#running;
  }

  add(socket: WatchedSocket): void {
    this.#sockets.add(socket);
  }

  remove(socket: WatchedSocket): void {
    this.#sockets.delete(socket);
  }

  /**
   * Re-checks soon. A call during a check runs one more afterwards: that check may have
   * read the credentials before the caller's change committed.
   */
  recheck(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#check()
      .catch((error) => this.#log('realtime: re-checking credentials failed; sockets stay open until the next round', error))
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.recheck();
        }
      });
  }

  /** Resolves once the checks queued so far are done (for shutdown and tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #check(): Promise<void> {
    const sockets = [...this.#sockets];
    if (sockets.length === 0) return;
    const sessionIds = new Set<string>();
    const tokenIds = new Set<number>();
    for (const { credential } of sockets) {
      if (credential.kind === 'session') sessionIds.add(credential.sessionId);
      else tokenIds.add(credential.tokenId);
    }
    const states = await findCredentialStates(this.#store.db, [...sessionIds], [...tokenIds]);
    const bySession = new Map(states.flatMap((s) => (s.sessionId === null ? [] : [[s.sessionId, s] as const])));
    const byToken = new Map(states.flatMap((s) => (s.tokenId === null ? [] : [[s.tokenId, s] as const])));
    const now = this.#clock();
    for (const socket of sockets) {
      if (!this.#sockets.has(socket)) continue;
      const { credential, viewer } = socket;
      const state = credential.kind === 'session' ? bySession.get(credential.sessionId) : byToken.get(credential.tokenId);
      const verdict = judge(credential, viewer, state, now);
      if (!verdict.keep) {
        this.#sockets.delete(socket);
        socket.close(verdict.code, verdict.reason);
      } else if (state) {
        viewer.name = state.name;
        viewer.email = state.email;
      }
    }
  }
}
