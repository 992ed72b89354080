import type { Store } from '../store/database.js';
import type { NewJob } from '../store/outbox.js';
import type { EventOrigin } from '../store/schema.js';
import type { NewTimer } from '../store/timers.js';
import type { EventBus } from './bus.js';
import type { Conversation, InboxEvent } from './records.js';

/**
 * Where a write came from, recorded on every event so consumers can decide on it (the
 * email planner mails nothing for an import):
 *
 *   user      a team member (signed in: a session or an API token);
 *   customer  a customer, signed in or an identity a channel asserts (a mail's From, the
 *             contact form, a widget visitor), and a team address on mail nobody verified:
 *             the outside world writing in, whatever address it claims;
 *   bot       the chat bot, or a machine that writes messages (a bounce notice);
 *   rule      an automation, acting as the actor `{ rule: name }`;
 *   system    Onethread itself (`{ system: name }`: a channel's bookkeeping);
 *   import    data brought in from elsewhere: never an actor, always an override on the
 *             unit of work (`inUnit(ctx, work, { origin: 'import' })`), because an import
 *             writes in the name of the people who wrote back then.
 *
 * The actor decides (actors.ts resolveActor sets `origin`) unless the unit overrides it;
 * the events carry it to the planners and, for the team, to the API.
 */
export const ORIGINS = ['user', 'customer', 'bot', 'rule', 'system', 'import'] as const satisfies readonly EventOrigin[];
export type Origin = EventOrigin;

/** A timer a planner or command sets (store/timers.ts): `key` names it, a later set replaces it. */
export type { NewTimer } from '../store/timers.js';

/** What a planner queues for one event: outbox jobs and timers, in one list (a timer has a `dueAt`, a job a `runAt`). */
export type SideEffectPlan = (NewJob | NewTimer)[];

export const isTimer = (planned: NewJob | NewTimer): planned is NewTimer => 'dueAt' in planned;

/**
 * Turns a committed-to-be event into outbox jobs and timers, inside the command's
 * transaction, so a side effect is queued exactly when its change commits. Channels
 * register these (email: "agent replied on an email conversation → send the mail"). The
 * event carries its `origin`.
 */
export type SideEffectPlanner = (event: InboxEvent, conversation: Conversation | null) => SideEffectPlan;

export type InboxContext = {
  store: Store;
  bus: EventBus;
  clock: () => number;
  reopenClosedOnCustomerReply: boolean;
  sideEffects: SideEffectPlanner[];
  /**
   * Whether commands write report facts (default true). Off only to measure what they cost
   * (bench/report-writes.ts): reports of a store written without them are wrong until a rebuild.
   */
  reportFacts: boolean;
};

export function createInboxContext(options: Pick<InboxContext, 'store' | 'bus'> & Partial<Omit<InboxContext, 'store' | 'bus'>>): InboxContext {
  return {
    clock: Date.now,
    reopenClosedOnCustomerReply: true,
    sideEffects: [],
    reportFacts: true,
    ...options,
  };
}
