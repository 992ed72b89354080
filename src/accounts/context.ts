import type { Store } from '../store/database.js';

/**
 * What the account functions need. An InboxContext has both, so the server can pass
 * the one it already holds; the clock is injectable so tests can expire sessions.
 */
export type AccountsContext = { store: Store; clock: () => number };

export const accountsContext = (store: Store, clock: () => number = Date.now): AccountsContext => ({ store, clock });
