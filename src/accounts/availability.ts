import { invalid } from '../errors.js';
import { requestDrain } from '../inbox/assignment/request.js';
import { onlineSince, SEEN_REFRESH_MS } from '../inbox/availability.js';
import type { Store } from '../store/database.js';
import type { AvailabilityChoice } from '../store/schema.js';
import { transact } from '../store/transaction.js';
import { anyTeamMemberSeenSince, markSeen } from '../store/users.js';
import type { AccountsContext } from './context.js';

// Availability's automatic half: each instance records whose inbox sockets it holds (the
// manual choice is the profile's, profile.ts; inbox/availability.ts decides from both).
// Kept cheap: a member's first socket opening or last one closing is one write, and the
// sockets still open are refreshed together every SEEN_REFRESH_MS, never per frame.

/** What a member asks for: `online` and `auto` both mean "online while my inbox is open". */
export const AVAILABILITY_REQUESTS = ['online', 'busy', 'offline', 'auto'] as const;
export type AvailabilityRequest = (typeof AVAILABILITY_REQUESTS)[number];

export function availabilityChoiceOf(request: AvailabilityRequest): AvailabilityChoice | null {
  if (request === 'busy' || request === 'offline') return request;
  if (request === 'online' || request === 'auto') return null;
  throw invalid('availability', `availability must be one of ${AVAILABILITY_REQUESTS.join(', ')}`);
}

/**
 * `at`: when the sockets were seen (default now); a socket's closing is recorded as of its
 * moment, not the write's. `arrived`: a member's first socket opened, so they may have just
 * come online: what waits in an assignment queue may be theirs now.
 */
export async function recordSeen(ctx: AccountsContext, userIds: readonly number[], at = ctx.clock(), arrived = false): Promise<void> {
  await transact(ctx.store, async (tx) => {
    await markSeen(tx, userIds, at);
    if (arrived) await requestDrain(tx, at);
  });
}

type Cached = { online: boolean; until: number; version: number };
const cache = new WeakMap<Store, Cached>();
/** Like the default calendar's: the widget's config is asked for on every page view of a host site. */
const CACHE_MS = 5_000;

/** Whether some team member is effectively online (busy does not count), at most CACHE_MS old. */
export async function teamOnline(ctx: AccountsContext): Promise<boolean> {
  const now = ctx.clock();
  const cached = cache.get(ctx.store);
  if (cached && now >= cached.until - CACHE_MS && now < cached.until) return cached.online;
  const version = cached?.version ?? 0;
  const online = await anyTeamMemberSeenSince(ctx.store.db, onlineSince(now));
  // A change made through this instance while the read was on its way is newer than what it read.
  if ((cache.get(ctx.store)?.version ?? 0) === version) cache.set(ctx.store, { online, until: now + CACHE_MS, version });
  return online;
}

/** After a change through this instance: the next question reads the table. */
export function forgetTeamOnline(store: Store): void {
  cache.set(store, { online: false, until: 0, version: (cache.get(store)?.version ?? 0) + 1 });
}

/**
 * This instance's inbox sockets per team member. A member's first socket and their last
 * one's closing are written at once (they come online, their grace starts); the rest is
 * the periodic refresh. A failed write is reported and made good by the next refresh.
 */
export class SeenTracker {
  readonly #sockets = new Map<number, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: AccountsContext,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly refreshMs = SEEN_REFRESH_MS,
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.#write([...this.#sockets.keys()], this.ctx.clock()), this.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Resolves once written, for whoever wants to wait (tests); the socket does not. */
  opened(userId: number): Promise<void> {
    const count = this.#sockets.get(userId) ?? 0;
    this.#sockets.set(userId, count + 1);
    return count === 0 ? this.#write([userId], this.ctx.clock(), true) : Promise.resolve();
  }

  closed(userId: number): Promise<void> {
    const count = (this.#sockets.get(userId) ?? 0) - 1;
    if (count > 0) {
      this.#sockets.set(userId, count);
      return Promise.resolve();
    }
    this.#sockets.delete(userId);
    return this.#write([userId], this.ctx.clock());
  }

  async #write(userIds: number[], at: number, arrived = false): Promise<void> {
    if (userIds.length === 0) return;
    try {
      await recordSeen(this.ctx, userIds, at, arrived);
      forgetTeamOnline(this.ctx.store);
    } catch (error) {
      this.log('availability: recording open inbox sockets failed', error);
    }
  }
}
