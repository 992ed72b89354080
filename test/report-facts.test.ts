import { describe, expect, it } from 'vitest';
import { setDefaultCalendar } from '../src/calendar/index.js';
import {
  addMessage,
  assignConversation,
  createConversation,
  deleteConversation,
  escalateConversation,
  inUnit,
  markAsSpam,
  mergeConversations,
  restoreFromSpam,
  unmergeConversation,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { makeAdmin, makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// Issue 19's golden scenarios: the facts the commands write, in the transaction of the
// action, for every definition of "Definitions" (docs/reports.md), with a fixed clock.

const inbox = useTestInbox();
const at = (iso: string) => Date.parse(iso);
/** The next command runs at `iso` (the test clock adds 1 ms per read: durations round to whole seconds). */
const setTime = (iso: string) => {
  inbox.clock.now = at(iso) - 1;
};

type Fact = { metric: string; cycle: number; agentId: number | null; seconds: number | null; businessSeconds: number | null; conversationId: number };
async function factsOf(conversationId: number): Promise<Fact[]> {
  const rows = await inbox.store.db.selectFrom('report_facts').selectAll().where('conversationId', '=', conversationId).orderBy('id').execute();
  return rows.map((r) => ({
    metric: r.metric,
    cycle: Number(r.cycle),
    agentId: r.agentId === null ? null : Number(r.agentId),
    seconds: r.seconds === null ? null : Number(r.seconds),
    businessSeconds: r.businessSeconds === null ? null : Number(r.businessSeconds),
    conversationId: Number(r.conversationId),
  }));
}
const timed = (facts: Fact[], metric: string) =>
  facts.filter((f) => f.metric === metric).map((f) => ({ cycle: f.cycle, agentId: f.agentId, seconds: f.seconds }));

describe('report facts', () => {
  it('first response: created Mon 09:00, an agent replies 09:10 → 600 s, attributed to them; reply time too', async () => {
    const agent = await makeAgent(inbox);
    setTime('2026-03-02T09:00:00Z');
    const { conversation } = await makeConversation(inbox);
    setTime('2026-03-02T09:10:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'On it' });
    const facts = await factsOf(conversation.id);
    expect(facts.map((f) => f.metric)).toEqual(['created', 'message_in', 'message_out', 'handled', 'first_response', 'reply_time']);
    expect(timed(facts, 'first_response')).toEqual([{ cycle: 1, agentId: agent.id, seconds: 600 }]);
    expect(timed(facts, 'reply_time')).toEqual([{ cycle: 1, agentId: agent.id, seconds: 600 }]);
  });

  it('a bot chat handed over at 10:00, an agent at 10:05 → 300 s, not from the chat’s start', async () => {
    const agent = await makeAgent(inbox);
    setTime('2026-03-02T09:00:00Z');
    const { conversation } = await makeConversation(inbox, { channel: 'chatbot', withBot: true });
    setTime('2026-03-02T09:01:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { bot: 'Onethread bot' }, body: 'Have you tried turning it off?' });
    setTime('2026-03-02T10:00:00Z');
    await escalateConversation(inbox.ctx, { conversation: conversation.id, reason: 'asked', by: { bot: 'Onethread bot' } });
    setTime('2026-03-02T10:05:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'A person here' });
    const facts = await factsOf(conversation.id);
    expect(timed(facts, 'first_response')).toEqual([{ cycle: 2, agentId: agent.id, seconds: 300 }]);
    // The customer's wait for a person also starts at the handover.
    expect(timed(facts, 'reply_time')).toEqual([{ cycle: 2, agentId: agent.id, seconds: 300 }]);
    expect(facts.filter((f) => f.metric === 'bot_handover')).toHaveLength(1);
    // The bot's own message is nobody's reply.
    expect(facts.filter((f) => f.metric === 'message_out')).toHaveLength(1);
  });

  it('resolved Monday, reopened Friday 14:00, replied 14:10 → the second cycle’s first response is 600 s; resolution from each cycle’s start', async () => {
    const agent = await makeAgent(inbox);
    setTime('2026-03-02T09:00:00Z');
    const { conversation } = await makeConversation(inbox);
    setTime('2026-03-02T09:10:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Fixed' });
    setTime('2026-03-02T11:00:00Z');
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { userId: agent.id } });
    setTime('2026-03-06T14:00:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'It broke again' });
    setTime('2026-03-06T14:10:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Looking' });
    setTime('2026-03-06T15:00:00Z');
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { userId: agent.id } });
    const facts = await factsOf(conversation.id);
    expect(timed(facts, 'first_response')).toEqual([
      { cycle: 1, agentId: agent.id, seconds: 600 },
      { cycle: 2, agentId: agent.id, seconds: 600 },
    ]);
    expect(timed(facts, 'resolved')).toEqual([
      { cycle: 1, agentId: agent.id, seconds: 7200 },
      { cycle: 2, agentId: agent.id, seconds: 3600 },
    ]);
    expect(facts.filter((f) => f.metric === 'reopened').map((f) => f.cycle)).toEqual([2]);
    // The agent handled each cycle once.
    expect(timed(facts, 'handled')).toEqual([
      { cycle: 1, agentId: agent.id, seconds: null },
      { cycle: 2, agentId: agent.id, seconds: null },
    ]);
  });

  it('a note is never a first response; the first replier gets it, each replier their reply time; the resolver the resolution', async () => {
    const [ann, bob, boss] = [await makeAgent(inbox), await makeAgent(inbox), await makeAdmin(inbox)];
    setTime('2026-03-02T09:00:00Z');
    const { conversation } = await makeConversation(inbox);
    await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: bob.id, by: { userId: boss.id } });
    setTime('2026-03-02T09:05:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: ann.id }, body: 'internal: checking', isInternal: true });
    setTime('2026-03-02T09:20:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: ann.id }, body: 'First answer' });
    setTime('2026-03-02T09:30:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'Thanks, one more thing' });
    setTime('2026-03-02T09:31:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'Hello?' });
    setTime('2026-03-02T09:45:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: bob.id }, body: 'Second answer' });
    setTime('2026-03-02T10:00:00Z');
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { userId: boss.id } });
    const facts = await factsOf(conversation.id);
    expect(timed(facts, 'first_response')).toEqual([{ cycle: 1, agentId: ann.id, seconds: 1200 }]);
    // Bob's wait runs from the first of the two customer messages.
    expect(timed(facts, 'reply_time')).toEqual([
      { cycle: 1, agentId: ann.id, seconds: 1200 },
      { cycle: 1, agentId: bob.id, seconds: 900 },
    ]);
    expect(timed(facts, 'resolved')).toEqual([{ cycle: 1, agentId: boss.id, seconds: 3600 }]);
    expect(facts.filter((f) => f.metric === 'note').map((f) => f.agentId)).toEqual([ann.id]);
    expect(facts.filter((f) => f.metric === 'message_in')).toHaveLength(3);
    // Each replier handled the cycle once, at their first public reply; the note is not one.
    expect(timed(facts, 'handled')).toEqual([
      { cycle: 1, agentId: ann.id, seconds: null },
      { cycle: 1, agentId: bob.id, seconds: null },
    ]);
  });

  it('an automation resolving is attributed to the assignee; a bot chat resolved without a person counts as resolved by the bot', async () => {
    const ann = await makeAgent(inbox);
    setTime('2026-03-02T09:00:00Z');
    const { conversation } = await makeConversation(inbox, { channel: 'chatbot', withBot: true });
    setTime('2026-03-02T09:02:00Z');
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { bot: 'Onethread bot' } });
    expect((await factsOf(conversation.id)).map((f) => f.metric)).toEqual(['created', 'message_in', 'resolved', 'bot_resolved']);

    const other = (await makeConversation(inbox)).conversation;
    await assignConversation(inbox.ctx, { conversation: other.id, assigneeId: ann.id, by: { userId: ann.id } });
    await updateConversationStatus(inbox.ctx, { conversation: other.id, status: 'resolved', by: { rule: 'Auto-resolve' } });
    expect(timed(await factsOf(other.id), 'resolved').map((f) => f.agentId)).toEqual([ann.id]);
  });

  it('business time: Mon–Fri 09–12 and 13–17 Berlin, a Monday holiday: created Fri 16:30, replied Tue 09:30 → 3,600 s; a calendar change leaves old facts alone', async () => {
    const admin = await makeAdmin(inbox);
    const agent = await makeAgent(inbox);
    const intervals = [1, 2, 3, 4, 5].flatMap((day) => [
      { day, from: '09:00', to: '12:00' },
      { day, from: '13:00', to: '17:00' },
    ]);
    const berlin = { timezone: 'Europe/Berlin', intervals, holidays: [{ date: '2026-03-09', name: 'A holiday' }] };
    await setDefaultCalendar(inbox.store, berlin, { id: admin.id, role: 'admin', emailVerifiedAt: null });
    // Fri 2026-03-06 16:30 Berlin (CET, UTC+1) = 15:30 UTC; Tue 2026-03-10 09:30 = 08:30 UTC.
    setTime('2026-03-06T15:30:00Z');
    const { conversation } = await makeConversation(inbox);
    setTime('2026-03-10T08:30:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'After the long weekend' });
    const first = (await factsOf(conversation.id)).find((f) => f.metric === 'first_response')!;
    expect(first).toMatchObject({ seconds: (3 * 24 + 17) * 3600, businessSeconds: 3600 });

    // Always open from now on: the fact recorded under the old calendar stays as it was.
    await setDefaultCalendar(inbox.store, { timezone: 'Europe/Berlin', intervals: [], holidays: [] }, { id: admin.id, role: 'admin', emailVerifiedAt: null });
    expect((await factsOf(conversation.id)).find((f) => f.metric === 'first_response')).toEqual(first);
  });

  it('business time across the DST weekend: Fri 16:30 CET → Mon 09:30 CEST is 3,600 s open, 64 h on the clock', async () => {
    const admin = await makeAdmin(inbox);
    const agent = await makeAgent(inbox);
    const intervals = [1, 2, 3, 4, 5].flatMap((day) => [
      { day, from: '09:00', to: '12:00' },
      { day, from: '13:00', to: '17:00' },
    ]);
    await setDefaultCalendar(inbox.store, { timezone: 'Europe/Berlin', intervals, holidays: [] }, { id: admin.id, role: 'admin', emailVerifiedAt: null });
    setTime('2026-03-27T15:30:00Z');
    const { conversation } = await makeConversation(inbox);
    setTime('2026-03-30T07:30:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Good morning' });
    expect((await factsOf(conversation.id)).find((f) => f.metric === 'first_response')).toMatchObject({ seconds: 64 * 3600, businessSeconds: 3600 });
    await setDefaultCalendar(inbox.store, { timezone: 'UTC', intervals: [], holidays: [] }, { id: admin.id, role: 'admin', emailVerifiedAt: null });
  });

  it('imported history makes no facts; what happens after it does, measured from the imported cycle', async () => {
    const agent = await makeAgent(inbox);
    setTime('2026-03-02T09:00:00Z');
    const { conversation } = await inUnit(
      inbox.ctx,
      async (unit) => {
        const created = await createConversation(unit, {
          from: { customerEmail: 'imported@example.test' },
          channel: 'email',
          subject: 'From before',
          body: 'Old question',
        });
        await addMessage(unit, { conversation: created.conversation.id, from: { userId: agent.id }, body: 'Answered long ago' });
        return created;
      },
      { origin: 'import' },
    );
    expect(await factsOf(conversation.id)).toEqual([]);
    setTime('2026-03-03T09:00:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'Back again' });
    setTime('2026-03-03T09:02:00Z');
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Hello again' });
    const facts = await factsOf(conversation.id);
    expect(facts.map((f) => f.metric)).toEqual(['message_in', 'message_out', 'reply_time']);
    expect(timed(facts, 'reply_time')).toEqual([{ cycle: 1, agentId: agent.id, seconds: 120 }]);
  });

  it('spam takes a conversation’s facts out of facts and rollups, restoring brings them back; a merge moves them, an unmerge returns them; a delete removes them', async () => {
    const admin = await makeAdmin(inbox);
    const agent = await makeAgent(inbox);
    setTime('2026-04-06T09:00:00Z');
    const { conversation: a } = await makeConversation(inbox);
    const { conversation: b } = await makeConversation(inbox);
    setTime('2026-04-06T09:10:00Z');
    for (const c of [a, b]) await addMessage(inbox.ctx, { conversation: c.id, from: { userId: agent.id }, body: 'Hi' });
    const created = async () => {
      const rows = await inbox.store.db
        .selectFrom('report_rollups')
        .select((eb) => eb.fn.sum<number>('count').as('n'))
        .where('metric', '=', 'created')
        .where('dimension', '=', 'all')
        .where('span', '=', 1)
        .where('start', '=', at('2026-04-06T09:00:00Z'))
        .executeTakeFirst();
      return Number(rows?.n ?? 0);
    };
    const bFacts = await factsOf(b.id);
    expect(await created()).toBe(2);

    await markAsSpam(inbox.ctx, { conversation: b.id, by: { userId: admin.id } });
    expect(await factsOf(b.id)).toEqual([]);
    expect(await created()).toBe(1);
    await restoreFromSpam(inbox.ctx, { conversation: b.id, by: { userId: admin.id } });
    expect(await factsOf(b.id)).toEqual(bFacts);
    expect(await created()).toBe(2);

    await mergeConversations(inbox.ctx, { source: b.id, into: a.id, by: { userId: admin.id }, confirmDifferentCustomers: true });
    expect(await factsOf(b.id)).toEqual([]);
    expect((await factsOf(a.id)).filter((f) => f.metric === 'created')).toHaveLength(2);
    expect(await created()).toBe(2);
    await unmergeConversation(inbox.ctx, { source: b.id, by: { userId: admin.id } });
    expect(await factsOf(b.id)).toEqual(bFacts);

    await deleteConversation(inbox.ctx, { conversation: b.id, by: { userId: admin.id } });
    expect(await factsOf(b.id)).toEqual([]);
    expect(await created()).toBe(1);
  });
});
