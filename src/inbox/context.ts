import type { Store } from '../store/database.js';
import type { NewJob } from '../store/outbox.js';
import type { EventBus } from './bus.js';
import type { Conversation, InboxEvent } from './records.js';

/**
 * Turns a committed-to-be event into outbox jobs, inside the command's transaction, so
 * a side effect is queued exactly when its change commits. Channels register these
 * (email: "agent replied on an email conversation → send the mail").
 */
export type SideEffectPlanner = (event: InboxEvent, conversation: Conversation | null) => NewJob[];

export type InboxContext = {
  store: Store;
  bus: EventBus;
  clock: () => number;
  reopenClosedOnCustomerReply: boolean;
  sideEffects: SideEffectPlanner[];
};

export function createInboxContext(
  options: Pick<InboxContext, 'store' | 'bus'> & Partial<Omit<InboxContext, 'store' | 'bus'>>,
): InboxContext {
  return {
    clock: Date.now,
    reopenClosedOnCustomerReply: true,
    sideEffects: [],
    ...options,
  };
}
