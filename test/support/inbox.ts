import { afterAll, beforeAll } from 'vitest';
import { EventBus } from '../../src/inbox/bus.js';
import { type CreateConversationInput, createConversation } from '../../src/inbox/commands.js';
import { createInboxContext, type InboxContext, type SideEffectPlanner } from '../../src/inbox/context.js';
import type { InboxEvent } from '../../src/inbox/records.js';
import type { Store } from '../../src/store/database.js';
import type { Role } from '../../src/store/schema.js';
import { insertUser } from '../../src/store/users.js';
import { makeTestStore } from './store.js';

export type TestInbox = {
  store: Store;
  ctx: InboxContext;
  /** Every event the bus published, in order. */
  published: InboxEvent[];
  /** Moves the clock the commands read. */
  clock: { now: number; advance(ms: number): number };
};

/** One database per test file, opened before and removed after its tests. */
export function useTestInbox(options: { sideEffects?: SideEffectPlanner[]; reopenClosedOnCustomerReply?: boolean } = {}): TestInbox {
  const harness = { published: [] as InboxEvent[] } as TestInbox;
  beforeAll(async () => {
    harness.store = await makeTestStore();
    const clock = {
      now: Date.UTC(2026, 0, 1),
      advance(ms: number) {
        clock.now += ms;
        return clock.now;
      },
    };
    harness.clock = clock;
    const bus = new EventBus();
    bus.subscribe((events) => harness.published.push(...events));
    harness.ctx = createInboxContext({
      store: harness.store,
      bus,
      // Every call moves time on by 1 ms so orderings by time are never ties by accident.
      clock: () => ++clock.now,
      sideEffects: options.sideEffects ?? [],
      reopenClosedOnCustomerReply: options.reopenClosedOnCustomerReply ?? true,
    });
  });
  afterAll(async () => {
    await harness.store?.close();
  });
  return harness;
}

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(++sequence).toString(36)}`;

export async function makeUser(inbox: TestInbox, role: Role, name?: string) {
  const id = unique();
  const row = await insertUser(inbox.store.db, { name: name ?? `${role} ${id}`, email: `${role}-${id}@example.test`, role, now: inbox.clock.now });
  return { id: Number(row.id), name: row.name, email: row.email, role };
}

export const makeAgent = (inbox: TestInbox, name?: string) => makeUser(inbox, 'agent', name);
export const makeAdmin = (inbox: TestInbox, name?: string) => makeUser(inbox, 'admin', name);
export const makeCustomer = (inbox: TestInbox, name?: string) => makeUser(inbox, 'customer', name);

/** A conversation opened by a new customer, unless `from` says otherwise. */
export async function makeConversation(inbox: TestInbox, input: Partial<CreateConversationInput> = {}) {
  return createConversation(inbox.ctx, {
    from: { customerEmail: `customer-${unique()}@example.test`, name: 'Casey Customer' },
    channel: 'ticket',
    subject: 'My payment failed',
    body: 'The card was charged but the order shows unpaid.',
    ...input,
  });
}
