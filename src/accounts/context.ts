import type { Store } from '../store/database.js';

/**
 * What the account functions need. An InboxContext has both, so the server can pass
 * the one it already holds; the clock is injectable so tests can expire sessions.
 */
export type AccountsContext = {
  store: Store;
  clock: () => number;
  /** Where links mailed to users point (PUBLIC_URL); unset: the default PUBLIC_URL, for callers that mail none. */
  publicUrl?: string;
  /**
   * Called after a commit that ended sessions or API tokens or switched an account off,
   * so whoever holds connections opened with them (the live stream) re-checks at once
   * rather than on its next round. Accounts do not know who listens.
   */
  onCredentialsChanged?: () => void;
};

export const accountsContext = (store: Store, clock: () => number = Date.now, publicUrl?: string): AccountsContext => ({ store, clock, publicUrl });

/** Tells the listener, if any; the change is committed, so a failing listener must not fail it. */
export function credentialsChanged(ctx: AccountsContext): void {
  try {
    ctx.onCredentialsChanged?.();
  } catch (error) {
    console.error('credentials listener failed', error);
  }
}
