import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/inbox/bus.js';
import {
  addMessage,
  createConversation,
  inUnit,
  labelConversation,
  linkFollowUp,
  updateConversation,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { createInboxContext, type SideEffectPlanner } from '../src/inbox/context.js';
import { getConversation, getConversationEvents, getInboxCounts } from '../src/inbox/queries.js';
import type { InboxEvent } from '../src/inbox/records.js';
import { createOutboxWorker, type OutboxWorker } from '../src/jobs/outbox-worker.js';
import { openPostgres, type Store } from '../src/store/database.js';
import { findFollowUp, findOutbound, type InboundRow } from '../src/store/email.js';
import { countMessages } from '../src/store/messages.js';
import { findJob } from '../src/store/outbox.js';
import { findTimer } from '../src/store/timers.js';
import {
  bounceMail,
  type EmailHarness,
  MAIL_PEERS,
  queuedId,
  rawMail,
  settled,
  swaks,
  testEmailPlanner,
  uniqueId,
  useEmailChannel,
  useSink,
} from './support/email.js';
import { makeAdmin, makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Commands composed in one unit of work (src/inbox/commands/unit.ts): one transaction,
// one publish after its commit, nothing at all when it rolls back.

// Real planners, staged: one fails on demand (how a failure midway is made without
// mocking), one plans a job and a timer for every `labeled` event.
let failOn: string | null = null;
const failOnDemand: SideEffectPlanner = (event) => {
  if (failOn !== null && event.eventType === failOn) throw new Error(`planner refused ${event.eventType}`);
  return [];
};
const plansOnLabel: SideEffectPlanner = (event) =>
  event.eventType === 'labeled'
    ? [
        { kind: 'test.labeled', payload: { id: event.id }, idempotencyKey: `labeled:${event.id}`, runAt: event.createdAt },
        { key: `label-timer:${event.conversationId}`, kind: 'test.timer', dueAt: event.createdAt + 60_000, payload: { id: event.id } },
      ]
    : [];

const inbox = useTestInbox({ sideEffects: [failOnDemand, plansOnLabel] });

/** Counts the bus's publish calls, and what each carried. */
function publishes() {
  const calls: InboxEvent[][] = [];
  const stop = inbox.ctx.bus.subscribe((events) => calls.push([...events]));
  return { calls, stop };
}

const customerEmail = () => `unit-${Math.random().toString(36).slice(2)}@example.test`;

describe('commands in one unit of work', () => {
  it('commit together, and publish their events once, after the commit', async () => {
    const agent = await makeAgent(inbox);
    const { conversation: old } = await makeConversation(inbox);
    const seen = publishes();
    const result = await inUnit(inbox.ctx, async (unit) => {
      const created = await createConversation(unit, { from: { customerEmail: customerEmail() }, channel: 'email', subject: 'Again', body: 'one more thing' });
      await linkFollowUp(unit, { conversation: old.id, followUp: created.conversation.id, by: { system: 'Email' } });
      await labelConversation(unit, { conversation: created.conversation.id, tags: ['follow-up'], by: { userId: agent.id } });
      // Nothing is heard before the commit.
      expect(seen.calls).toHaveLength(0);
      return created;
    });
    seen.stop();
    expect(seen.calls).toHaveLength(1);
    expect(seen.calls[0]!.map((e) => [e.conversationId, e.eventType])).toEqual([
      [result.conversation.id, 'created'],
      [old.id, 'follow_up_opened'],
      [result.conversation.id, 'follow_up_of'],
      [result.conversation.id, 'labeled'],
    ]);
    expect((await getConversation(inbox.ctx, result.conversation.id)).tags).toEqual(['follow-up']);
    expect((await getConversationEvents(inbox.ctx, old.id)).at(-1)!.eventType).toBe('follow_up_opened');
  });

  it('roll back together when a later command fails: no rows, no events, no counters, nothing published', async () => {
    const { conversation: old } = await makeConversation(inbox);
    const counts = await getInboxCounts(inbox.ctx, 0);
    const email = customerEmail();
    const seen = publishes();
    failOn = 'follow_up_of';
    try {
      await expect(
        inUnit(inbox.ctx, async (unit) => {
          const created = await createConversation(unit, { from: { customerEmail: email }, channel: 'email', subject: 'Lost', body: 'never stored' });
          await linkFollowUp(unit, { conversation: old.id, followUp: created.conversation.id, by: { system: 'Email' } });
        }),
      ).rejects.toThrow('planner refused follow_up_of');
    } finally {
      failOn = null;
      seen.stop();
    }
    expect(seen.calls).toHaveLength(0);
    expect(await getInboxCounts(inbox.ctx, 0)).toEqual(counts);
    expect((await getConversationEvents(inbox.ctx, old.id)).map((e) => e.eventType)).toEqual(['created']);
    const customer = await inbox.store.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    expect(customer).toBeUndefined();
  });

  it('a failed command fails its unit even when the caller catches it: later commands refuse, and nothing commits', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const seen = publishes();
    let second: unknown;
    await expect(
      inUnit(inbox.ctx, async (unit) => {
        await labelConversation(unit, { conversation: conversation.id, tags: ['kept?'], by: { userId: agent.id } });
        await updateConversationStatus(unit, { conversation: conversation.id, status: 'resolved', by: { userId: 999_999_999 } }).catch(() => undefined);
        second = await addMessage(unit, { conversation: conversation.id, from: { userId: agent.id }, body: 'after the failure' }).catch(
          (error: unknown) => error,
        );
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    seen.stop();
    expect(second).toMatchObject({ code: 'validation_failed' });
    expect(seen.calls).toHaveLength(0);
    expect(await getConversation(inbox.ctx, conversation.id)).toEqual(conversation);
  });

  it('a check a command makes before it writes does not fail the unit', async () => {
    const { conversation } = await makeConversation(inbox);
    const agent = await makeAgent(inbox);
    const added = await inUnit(inbox.ctx, async (unit) => {
      await expect(
        createConversation(unit, { from: { userId: agent.id }, channel: 'ticket', subject: 'x'.repeat(501), body: 'b', customer: { email: customerEmail() } }),
      ).rejects.toMatchObject({
        field: 'subject',
      });
      return addMessage(unit, { conversation: conversation.id, from: { userId: agent.id }, body: 'still fine' });
    });
    expect(added.created).toBe(true);
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(2);
  });

  it('keeps idempotency by key inside a unit: a key seen before answers the first message, and the receipt is written', async () => {
    const { conversation } = await makeConversation(inbox);
    const receipts: number[] = [];
    const receipt = async (_tx: unknown, result: { message: { id: number } }) => void receipts.push(result.message.id);
    const [first, again] = await inUnit(inbox.ctx, async (unit) => {
      const a = await addMessage(unit, {
        conversation: conversation.id,
        from: { userId: conversation.customer.id },
        body: 'once',
        externalKey: `unit-key-${conversation.id}`,
        receipt,
      });
      const b = await addMessage(unit, {
        conversation: conversation.id,
        from: { userId: conversation.customer.id },
        body: 'once',
        externalKey: `unit-key-${conversation.id}`,
        receipt,
      });
      return [a, b];
    });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, message: { id: first.message.id } });
    const later = await inUnit(inbox.ctx, (unit) =>
      addMessage(unit, {
        conversation: conversation.id,
        from: { userId: conversation.customer.id },
        body: 'once',
        externalKey: `unit-key-${conversation.id}`,
        receipt,
      }),
    );
    expect(later).toMatchObject({ created: false, message: { id: first.message.id } });
    expect(receipts).toEqual([first.message.id, first.message.id, first.message.id]);
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(2);
  });

  it("sets timers in the unit (its own and its planners'), and a rollback leaves none", async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const plannedKey = `label-timer:${conversation.id}`;
    await expect(
      inUnit(inbox.ctx, async (unit) => {
        await unit.setTimer({ key: `own:${conversation.id}`, kind: 'test.own', dueAt: inbox.clock.now + 1000, payload: null });
        await labelConversation(unit, { conversation: conversation.id, tags: ['timed'], by: { userId: agent.id } });
        throw new Error('caller changed its mind');
      }),
    ).rejects.toThrow('caller changed its mind');
    expect(await findTimer(inbox.store.db, `own:${conversation.id}`)).toBeUndefined();
    expect(await findTimer(inbox.store.db, plannedKey)).toBeUndefined();

    // (Nothing outside the unit is read inside it: on SQLite the unit holds the one connection.)
    await inUnit(inbox.ctx, async (unit) => {
      await unit.setTimer({ key: `own:${conversation.id}`, kind: 'test.own', dueAt: inbox.clock.now + 1000, payload: { n: 1 } });
      await unit.setTimer({ key: `gone:${conversation.id}`, kind: 'test.own', dueAt: inbox.clock.now + 1000, payload: null });
      expect(await unit.cancelTimer(`gone:${conversation.id}`)).toBe(true);
      await labelConversation(unit, { conversation: conversation.id, tags: ['timed'], by: { userId: agent.id } });
    });
    expect(await findTimer(inbox.store.db, `own:${conversation.id}`)).toMatchObject({ kind: 'test.own', payload: JSON.stringify({ n: 1 }) });
    expect(await findTimer(inbox.store.db, `gone:${conversation.id}`)).toBeUndefined();
    const event = (await getConversationEvents(inbox.ctx, conversation.id)).find((e) => e.eventType === 'labeled')!;
    expect(await findTimer(inbox.store.db, plannedKey)).toMatchObject({ kind: 'test.timer', payload: JSON.stringify({ id: event.id }) });
    expect(await findJob(inbox.store.db, `labeled:${event.id}`)).toMatchObject({ kind: 'test.labeled' });
  });
});

// The losing racer. Two units with one key both miss the lookup only where a second writer
// can commit between a unit's lookup and its insert: PostgreSQL. SQLite has one writer at a
// time (BEGIN IMMEDIATE), so there the lookup always sees a committed key and this cannot happen.
describe.runIf(Boolean(process.env.DATABASE_URL))('a unit that loses an idempotency race (PostgreSQL)', () => {
  let other: Store;
  beforeAll(() => {
    other = openPostgres(inbox.store.connectionString!);
  });
  afterAll(async () => {
    await other?.close();
  });

  it('rolls back whole and runs once more, finding the winner: one message, and the rest of the unit once', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const key = `race-${conversation.id}`;
    // The winner: the same command through another store (its own pool and writer), held
    // open after its insert until the loser waits on the key.
    const otherCtx = createInboxContext({ store: other, bus: new EventBus(), clock: inbox.ctx.clock });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const winnerInserted = new Promise<void>((resolve) => (inserted = resolve));
    const winner = addMessage(otherCtx, {
      conversation: conversation.id,
      from: { userId: conversation.customer.id },
      body: 'winner',
      externalKey: key,
      receipt: async () => {
        inserted();
        await gate;
      },
    });
    await winnerInserted;

    const seen = publishes();
    let runs = 0;
    const loser = inUnit(inbox.ctx, async (unit) => {
      runs++;
      const added = await addMessage(unit, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'loser', externalKey: key });
      await labelConversation(unit, { conversation: conversation.id, tags: ['raced'], by: { userId: agent.id } });
      return added;
    });
    // The loser's lookup missed (uncommitted) and it now waits on the winner's lock.
    for (let i = 0; ; i++) {
      const { rows } = await import('kysely').then(({ sql }) =>
        sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(other.db),
      );
      if (rows[0]!.n > 0) break;
      if (i > 200) throw new Error('the loser never waited on the winner');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    release();
    const won = await winner;
    const lost = await loser;
    seen.stop();
    expect(won.created).toBe(true);
    expect(lost).toMatchObject({ created: false, message: { id: won.message.id, body: 'winner' } });
    expect(runs).toBe(2);
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(2);
    expect((await getConversation(inbox.ctx, conversation.id)).tags).toEqual(['raced']);
    // Published once, by the run that committed.
    expect(seen.calls.flat().map((e) => e.eventType)).toEqual(['labeled']);
  });
});

// A unit holding a conversation's row (unit.holdConversation, what an import does) writes it
// once, at its end: the same commands must leave the same conversation, tag rows and counters
// as when each writes the row at once.
describe('a conversation row held by its unit', () => {
  const flatten = (value: unknown, prefix = ''): Record<string, number> =>
    typeof value === 'number' ? { [prefix]: value } : Object.assign({}, ...Object.entries(value as object).map(([k, v]) => flatten(v, `${prefix}.${k}`)));
  const delta = (from: unknown, to: unknown) => {
    const [a, b] = [flatten(from), flatten(to)];
    return Object.fromEntries(Object.keys(b).flatMap((k) => (b[k] === (a[k] ?? 0) ? [] : [[k, b[k]! - (a[k] ?? 0)]])));
  };

  it('comes out as written command by command: the conversation, its tag rows and the counters', async () => {
    const agent = await makeAgent(inbox);
    const history = (hold: boolean) =>
      inUnit(inbox.ctx, async (unit) => {
        const { conversation } = await createConversation(unit, { from: { customerEmail: customerEmail() }, channel: 'email', subject: 'Held', body: 'first' });
        if (hold) unit.holdConversation(conversation.id);
        const customer = { customerId: conversation.customer.id };
        await addMessage(unit, { conversation: conversation.id, from: { userId: agent.id }, body: 'a reply' });
        await labelConversation(unit, { conversation: conversation.id, labels: ['follow-up'], tags: ['vip'], by: { userId: agent.id } });
        await addMessage(unit, { conversation: conversation.id, from: customer, body: 'thanks' });
        // The priority's rank is the database's to compute, and a conversation named by its
        // number is read from the database: both must see the row as the commands left it.
        await updateConversation(unit, { conversation: conversation.id, priority: 'urgent', by: { userId: agent.id } });
        await addMessage(unit, { conversation: conversation.number, from: { userId: agent.id }, body: 'by number' });
        await addMessage(unit, { conversation: conversation.id, from: customer, body: 'one more' });
        await updateConversationStatus(unit, { conversation: conversation.id, status: 'resolved', by: { userId: agent.id } });
        return conversation.id;
      });
    const tagRows = (id: number) =>
      inbox.store.db.selectFrom('conversation_tags').select(['name', 'status', 'lastMessageAt']).where('conversationId', '=', id).orderBy('name').execute();
    // The test's clock moves on between the two: times are compared from each one's start.
    const shape = async (id: number) => {
      const { id: _id, number: _number, customer: _customer, ...rest } = await getConversation(inbox.ctx, id);
      const since = (at: unknown) => (typeof at === 'number' ? at - rest.createdAt : at);
      return {
        ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k.endsWith('At') ? since(v) : v])),
        tagRows: (await tagRows(id)).map((t) => ({ ...t, lastMessageAt: since(t.lastMessageAt) })),
      };
    };

    const counts0 = await getInboxCounts(inbox.ctx, agent.id);
    const written = await history(false);
    const counts1 = await getInboxCounts(inbox.ctx, agent.id);
    const held = await history(true);
    const counts2 = await getInboxCounts(inbox.ctx, agent.id);

    const expected = await shape(written);
    expect(expected).toMatchObject({ status: 'resolved', priority: 'urgent', messageCount: 5, labels: ['follow-up'], tags: ['vip'] });
    expect(expected.tagRows).toHaveLength(2);
    expect(await shape(held)).toEqual(expected);
    expect(delta(counts1, counts2)).toEqual(delta(counts0, counts1));
    expect(Object.keys(delta(counts0, counts1)).length).toBeGreaterThan(0);
  });
});

// Filing one mail writes what belongs together in one unit (src/channels/email/file-mail.ts):
// a bounce's failed delivery with the note that tells of it, a follow-up conversation with
// its link. A planner refusing the second part's event stages the failure.
let mailFailOn: string | null = null;
const failMailOnDemand: SideEffectPlanner = (event) => {
  if (mailFailOn !== null && event.eventType === mailFailOn) throw new Error(`planner refused ${event.eventType}`);
  return [];
};

describe.skipIf(!MAIL_PEERS.swaks || !MAIL_PEERS.aiosmtpd)('filing a mail: its parts commit together', () => {
  const sink = useSink();
  const mail = useEmailChannel({
    config: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}` }),
    sideEffects: [testEmailPlanner(), failMailOnDemand],
    reopenClosedOnCustomerReply: false,
  });
  let worker: OutboxWorker;
  beforeAll(() => {
    worker = createOutboxWorker({ store: mail.store, handlers: mail.channel.handlers, log: () => {} });
  });
  afterAll(() => worker.stop());

  async function inbound(harness: EmailHarness, raw: string, options: { from?: string } = {}) {
    const result = await swaks(harness.port, { data: raw, ...options });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return settled(harness, queuedId(result));
  }

  it('a bounce whose note fails leaves the delivery as it was; filed again, both are written', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(mail, rawMail({ from: 'bea@example.org', subject: 'Parcel' }));
    const conversationId = row.conversationId!;
    const reply = await addMessage(mail.ctx, { conversation: conversationId, from: { userId: agent.id }, body: 'On its way.' });
    expect(await worker.runOnce()).toBe(1);
    const outbound = (await findOutbound(mail.store.db, reply.message.id))!;
    const bounce = bounceMail({
      messageId: outbound.headerMessageId,
      to: 'bea@example.org',
      subject: 'Re: Parcel',
      body: 'On its way.',
      report: 'Undelivered Mail Returned to Sender',
      reason: 'Mailbox unknown.',
    });
    const delivery = async () =>
      (await mail.store.db.selectFrom('message_deliveries').selectAll().where('messageId', '=', reply.message.id).executeTakeFirst())?.status;
    const eventTypes = async () => (await getConversationEvents(mail.ctx, conversationId)).map((e) => e.eventType);
    const eventsBefore = await eventTypes();

    mailFailOn = 'note_added';
    let failed: InboundRow;
    try {
      failed = await inbound(mail, bounce, { from: '<>' });
    } finally {
      mailFailOn = null;
    }
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('planner refused note_added') });
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'sent' });
    expect(await delivery()).toBe('sent');
    expect(await eventTypes()).toEqual(eventsBefore);
    expect(await countMessages(mail.store.db, conversationId)).toBe(2);

    const refiled = (await mail.channel.pipeline.reprocess(failed.id))!;
    expect(refiled).toMatchObject({ status: 'processed', conversationId });
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'failed' });
    expect(await delivery()).toBe('failed');
    expect(await eventTypes()).toEqual([...eventsBefore, 'delivery_updated', 'note_added']);
    expect(await countMessages(mail.store.db, conversationId)).toBe(3);
  });

  it('a follow-up whose link fails leaves no conversation; filed again, both are written', async () => {
    const admin = await makeAdmin(mail);
    const parent = uniqueId('closed');
    const first = await inbound(mail, rawMail({ messageId: parent, from: 'ivo@example.org', subject: 'Warranty' }));
    await updateConversationStatus(mail.ctx, { conversation: first.conversationId!, status: 'closed', by: { userId: admin.id } });
    const counts = await getInboxCounts(mail.ctx, 0);
    const reply = rawMail({ from: 'ivo@example.org', subject: 'Re: Warranty', inReplyTo: parent, body: 'One more thing' });

    mailFailOn = 'follow_up_of';
    let failed: InboundRow;
    try {
      failed = await inbound(mail, reply);
    } finally {
      mailFailOn = null;
    }
    expect(failed).toMatchObject({ status: 'failed', conversationId: null, error: expect.stringContaining('planner refused follow_up_of') });
    expect(await getInboxCounts(mail.ctx, 0)).toEqual(counts);
    expect(await findFollowUp(mail.store.db, first.conversationId!)).toBeNull();
    expect((await getConversationEvents(mail.ctx, first.conversationId!)).map((e) => e.eventType)).not.toContain('follow_up_opened');

    const refiled = (await mail.channel.pipeline.reprocess(failed.id))!;
    expect(refiled.status).toBe('processed');
    expect(refiled.conversationId).not.toBe(first.conversationId);
    expect(await findFollowUp(mail.store.db, first.conversationId!)).toBe(refiled.conversationId);
    expect((await getConversationEvents(mail.ctx, refiled.conversationId!)).map((e) => e.eventType)).toEqual(['created', 'follow_up_of']);
    expect((await getConversationEvents(mail.ctx, first.conversationId!)).at(-1)!.eventType).toBe('follow_up_opened');
  });
});
