import type { AvailabilityChoice } from '../store/schema.js';

// Whether a team member can take a conversation now. Online is automatic: while one of their
// inbox sockets is open, its instance refreshes `lastSeenAt` every SEEN_REFRESH_MS, and when
// the last one closes it is set once more; a reload or a short network drop within the grace
// does not make them offline. A manual `busy` or `offline` wins over all of that.

export const AVAILABILITIES = ['online', 'busy', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** How long after their last socket closed a member still counts as online. */
export const AVAILABILITY_GRACE_MS = 2 * 60_000;
/** How often an instance refreshes the members whose sockets it holds; well within the grace, so a crash costs at most the grace plus this. */
export const SEEN_REFRESH_MS = 30_000;

export type AvailabilityFacts = { availabilityChoice: AvailabilityChoice | null; lastSeenAt: number | null };

export function effectiveAvailability(facts: AvailabilityFacts, now: number): Availability {
  if (facts.availabilityChoice) return facts.availabilityChoice;
  return facts.lastSeenAt !== null && now - facts.lastSeenAt <= AVAILABILITY_GRACE_MS ? 'online' : 'offline';
}

/** The earliest `lastSeenAt` that still counts as online at `now`: the database's side of the same rule. */
export const onlineSince = (now: number): number => now - AVAILABILITY_GRACE_MS;
