import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.js';
import {
  addMessage,
  assignConversation,
  createConversation,
  deleteConversation,
  labelConversation,
  markConversationRead,
  setConversationPriority,
  setConversationType,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { COUNT_CAP, type ConversationQuery, getConversation, getConversations, getInboxCounts, MAX_PAGE, type StatusCounts } from '../src/inbox/queries.js';
import type { Conversation } from '../src/inbox/records.js';
import { CHANNELS, CONVERSATION_TYPES, LABELS, PRIORITIES, type Priority, STATUSES } from '../src/store/schema.js';
import { makeAdmin, makeAgent, makeConversation, makeCustomer, useTestInbox } from './support/inbox.js';

// getConversations and getInboxCounts against data made by the commands. The file shares
// one database, so each test works inside its own tag, agent or customer address, except
// where a count is global on purpose and is then compared with the table itself.

const inbox = useTestInbox();

let sequence = 0;
/** A tag (or word) no other test uses: lower case, no ':' (tags are normalised so). */
const unique = (prefix: string) => `${prefix}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

type Sort = NonNullable<ConversationQuery['sort']>;
type Item = Awaited<ReturnType<typeof getConversations>>['items'][number];

const ids = (items: readonly { id: number }[]) => items.map((c) => c.id);
const RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/** The order a sort promises, newest (or most urgent) first, ties broken by id. */
function sortKey(c: Conversation, sort: Sort): number[] {
  if (sort === 'createdAt') return [c.createdAt, c.id];
  if (sort === 'priority') return [RANK[c.priority], c.lastMessageAt, c.id];
  return [c.lastMessageAt, c.id];
}
function compareDesc(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i]! - a[i]!;
  return 0;
}

/** Re-reads conversations and returns their ids in the order `sort` promises. */
async function expectedOrder(conversationIds: readonly number[], sort: Sort = 'lastMessageAt'): Promise<number[]> {
  const fresh = await Promise.all(conversationIds.map((id) => getConversation(inbox.ctx, id)));
  return fresh.sort((a, b) => compareDesc(sortKey(a, sort), sortKey(b, sort))).map((c) => c.id);
}

/** Every item of a list, following nextCursor page by page. */
async function walk(query: ConversationQuery, limit = 3): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await getConversations(inbox.ctx, { ...query, limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.nextCursor === null) return items;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('the walk did not end');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function expectValidationError(promise: Promise<unknown>, field: string): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ code: 'validation_failed', field });
}

const customerOf = (c: Conversation) => ({ customerEmail: c.customer.email });

async function customerReply(c: Conversation, body = 'One more thing.') {
  return (await addMessage(inbox.ctx, { conversation: c.id, from: customerOf(c), body })).conversation;
}

describe('getConversations filters', () => {
  it('lists only the conversations in one status, or in any of several', async () => {
    const tag = unique('status');
    const agent = await makeAgent(inbox);
    const make = async () => {
      const { conversation } = await makeConversation(inbox, { tags: [tag] });
      await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: agent.id, by: { userId: agent.id } });
      return conversation;
    };
    const open = await make();
    const pending = await make();
    const resolved = await make();
    const closed = await make();
    await updateConversationStatus(inbox.ctx, { conversation: pending.id, status: 'pending', by: { userId: agent.id } });
    await updateConversationStatus(inbox.ctx, { conversation: resolved.id, status: 'resolved', by: { userId: agent.id } });
    await updateConversationStatus(inbox.ctx, { conversation: closed.id, status: 'closed', by: { userId: agent.id } });

    // Through the tag's own rows (conversation_tags) and through the conversations index.
    for (const view of [{ tag }, { assignee: agent.id }] satisfies ConversationQuery[]) {
      expect(ids((await getConversations(inbox.ctx, { ...view, statuses: ['open'] })).items)).toEqual([open.id]);
      expect(ids((await getConversations(inbox.ctx, { ...view, statuses: ['closed'] })).items)).toEqual([closed.id]);
      const several = await getConversations(inbox.ctx, { ...view, statuses: ['pending', 'resolved'] });
      expect(ids(several.items)).toEqual(await expectedOrder([pending.id, resolved.id]));
      const repeated = await getConversations(inbox.ctx, { ...view, statuses: ['open', 'open', 'closed'] });
      expect(ids(repeated.items)).toEqual(await expectedOrder([open.id, closed.id]));
      const all = await getConversations(inbox.ctx, view);
      expect(ids(all.items)).toEqual(await expectedOrder([open.id, pending.id, resolved.id, closed.id]));
    }
  });

  it('lists only the conversations of one channel', async () => {
    const tag = unique('channel');
    const made = new Map<string, number>();
    for (const channel of CHANNELS) made.set(channel, (await makeConversation(inbox, { tags: [tag], channel })).conversation.id);
    for (const channel of CHANNELS) {
      const page = await getConversations(inbox.ctx, { tag, channel });
      expect(ids(page.items)).toEqual([made.get(channel)]);
      expect(page.items[0]!.channel).toBe(channel);
    }
  });

  it('filters by assignee: me (the viewer), unassigned, or a user id', async () => {
    const tag = unique('assignee');
    const [me, other] = [await makeAgent(inbox), await makeAgent(inbox)];
    const mine = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const theirs = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const nobodys = (await makeConversation(inbox, { tags: [tag] })).conversation;
    await assignConversation(inbox.ctx, { conversation: mine.id, assigneeId: me.id, by: { userId: me.id } });
    await assignConversation(inbox.ctx, { conversation: theirs.id, assigneeId: other.id, by: { userId: me.id } });

    expect(ids((await getConversations(inbox.ctx, { tag, assignee: 'me', viewerId: me.id })).items)).toEqual([mine.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, assignee: 'me', viewerId: other.id })).items)).toEqual([theirs.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, assignee: other.id })).items)).toEqual([theirs.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, assignee: 'unassigned' })).items)).toEqual([nobodys.id]);
    // Without a tag the assignee's own index answers: only their conversation.
    expect(ids((await getConversations(inbox.ctx, { assignee: 'me', viewerId: me.id })).items)).toEqual([mine.id]);

    await assignConversation(inbox.ctx, { conversation: mine.id, assigneeId: null, by: { userId: me.id } });
    expect((await getConversations(inbox.ctx, { tag, assignee: 'me', viewerId: me.id })).items).toEqual([]);
    expect(ids((await getConversations(inbox.ctx, { tag, assignee: 'unassigned' })).items)).toEqual(await expectedOrder([mine.id, nobodys.id]));
  });

  it('rejects assignee "me" without a viewer', async () => {
    await expectValidationError(getConversations(inbox.ctx, { assignee: 'me' }), 'assignee');
  });

  it('filters by priority, following priority changes', async () => {
    const tag = unique('priority');
    const agent = await makeAgent(inbox);
    const high = (await makeConversation(inbox, { tags: [tag], priority: 'high' })).conversation;
    const normal = (await makeConversation(inbox, { tags: [tag] })).conversation;
    expect(ids((await getConversations(inbox.ctx, { tag, priority: 'high' })).items)).toEqual([high.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, priority: 'normal' })).items)).toEqual([normal.id]);
    await setConversationPriority(inbox.ctx, { conversation: normal.id, priority: 'high', by: { userId: agent.id } });
    expect(ids((await getConversations(inbox.ctx, { tag, priority: 'high' })).items)).toEqual(await expectedOrder([high.id, normal.id]));
    expect((await getConversations(inbox.ctx, { tag, priority: 'normal' })).items).toEqual([]);
  });

  it('filters by label, alone (the label view) and with other filters, following relabelling', async () => {
    const tag = unique('label');
    const agent = await makeAgent(inbox);
    const urgent = (await makeConversation(inbox, { tags: [tag], labels: ['urgent'] })).conversation;
    const followUp = (await makeConversation(inbox, { tags: [tag], labels: ['follow-up'] })).conversation;
    const plain = (await makeConversation(inbox, { tags: [tag] })).conversation;

    expect(ids((await getConversations(inbox.ctx, { tag, label: 'urgent' })).items)).toEqual([urgent.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, label: 'follow-up' })).items)).toEqual([followUp.id]);

    // The label view on its own holds other tests' conversations too: ours are in it, and
    // everything in it carries the label.
    const urgentView = await walk({ label: 'urgent' }, 50);
    expect(urgentView.every((c) => c.labels.includes('urgent'))).toBe(true);
    expect(ids(urgentView)).toContain(urgent.id);
    expect(ids(urgentView)).not.toContain(followUp.id);
    expect(ids(urgentView)).not.toContain(plain.id);

    await labelConversation(inbox.ctx, { conversation: plain.id, labels: ['urgent'], by: { userId: agent.id } });
    await labelConversation(inbox.ctx, { conversation: urgent.id, labels: [], by: { userId: agent.id } });
    expect(ids((await getConversations(inbox.ctx, { tag, label: 'urgent' })).items)).toEqual([plain.id]);
    const after = ids(await walk({ label: 'urgent' }, 50));
    expect(after).toContain(plain.id);
    expect(after).not.toContain(urgent.id);
  });

  it('filters by tag, matching it case-insensitively, with several tags on one conversation', async () => {
    const [tag, other] = [unique('tag'), unique('other')];
    const both = (await makeConversation(inbox, { tags: [tag, other] })).conversation;
    const one = (await makeConversation(inbox, { tags: [tag] })).conversation;
    expect(ids((await getConversations(inbox.ctx, { tag })).items)).toEqual(await expectedOrder([both.id, one.id]));
    expect(ids((await getConversations(inbox.ctx, { tag: other.toUpperCase() })).items)).toEqual([both.id]);
    expect((await getConversations(inbox.ctx, { tag: unique('nothing') })).items).toEqual([]);
  });

  it('filters by a tag written as it was when set: tags are normalised alike on write and on filter', async () => {
    const suffix = unique('x');
    // normalizeTags stores "Needs Review" as "needs-review".
    const conversation = (await makeConversation(inbox, { tags: [`Needs Review ${suffix}`] })).conversation;
    expect(conversation.tags).toEqual([`needs-review-${suffix}`]);
    expect(ids((await getConversations(inbox.ctx, { tag: `needs-review-${suffix}` })).items)).toEqual([conversation.id]);
    expect(ids((await getConversations(inbox.ctx, { tag: `Needs Review ${suffix}` })).items)).toEqual([conversation.id]);
    expect(ids((await getConversations(inbox.ctx, { tag: `  needs-review-${suffix} ` })).items)).toEqual([conversation.id]);
  });

  it('filters by conversation type, following type changes', async () => {
    const tag = unique('type');
    const agent = await makeAgent(inbox);
    const sales = (await makeConversation(inbox, { tags: [tag], type: 'sales' })).conversation;
    const support = (await makeConversation(inbox, { tags: [tag] })).conversation;
    expect(ids((await getConversations(inbox.ctx, { tag, type: 'sales' })).items)).toEqual([sales.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, type: 'support' })).items)).toEqual([support.id]);
    await setConversationType(inbox.ctx, { conversation: sales.id, type: 'general', by: { userId: agent.id } });
    expect((await getConversations(inbox.ctx, { tag, type: 'sales' })).items).toEqual([]);
    expect(ids((await getConversations(inbox.ctx, { tag, type: 'general' })).items)).toEqual([sales.id]);
  });

  it("filters by the customer's email address, whatever its case", async () => {
    const email = `${unique('dana')}@example.test`;
    const first = (await makeConversation(inbox, { from: { customerEmail: email, name: 'Dana' } })).conversation;
    const second = (await makeConversation(inbox, { from: { customerEmail: email.toUpperCase() }, channel: 'email' })).conversation;
    await makeConversation(inbox);
    const expected = await expectedOrder([first.id, second.id]);
    expect(ids((await getConversations(inbox.ctx, { customerEmail: email })).items)).toEqual(expected);
    expect(ids((await getConversations(inbox.ctx, { customerEmail: email.toUpperCase() })).items)).toEqual(expected);
    expect(ids((await getConversations(inbox.ctx, { customerEmail: email, channel: 'email' })).items)).toEqual([second.id]);
    expect(ids((await getConversations(inbox.ctx, { customerId: first.customer.id })).items)).toEqual(expected);
  });

  it('restricts the list to conversations matching a text query, combined with the other filters', async () => {
    const tag = unique('text');
    const word = unique('quasar').replace(/-/g, '');
    const inBody = (await makeConversation(inbox, { tags: [tag], body: `The ${word} arrived broken.` })).conversation;
    const inSubject = (await makeConversation(inbox, { tags: [tag], subject: `About ${word}`, channel: 'email' })).conversation;
    const inReply = (await makeConversation(inbox, { tags: [tag] })).conversation;
    await customerReply(inReply, `Also the ${word} is missing`);
    const unrelated = (await makeConversation(inbox, { tags: [tag] })).conversation;

    const matches = await getConversations(inbox.ctx, { q: word });
    // Listed in the list's order (newest message first), not by relevance.
    expect(ids(matches.items)).toEqual(await expectedOrder([inBody.id, inSubject.id, inReply.id]));
    expect(ids(matches.items)).not.toContain(unrelated.id);
    expect(ids((await getConversations(inbox.ctx, { q: word, channel: 'email' })).items)).toEqual([inSubject.id]);
    expect(ids((await getConversations(inbox.ctx, { q: word.toUpperCase(), tag, sort: 'createdAt' })).items)).toEqual(
      await expectedOrder([inBody.id, inSubject.id, inReply.id], 'createdAt'),
    );
    expect((await getConversations(inbox.ctx, { q: `${word} nosuchwordanywhere` })).items).toEqual([]);
  });

  it('combines filters: every one of them must hold', async () => {
    const tag = unique('combined');
    const agent = await makeAgent(inbox);
    const target = (await makeConversation(inbox, { tags: [tag], channel: 'email', priority: 'urgent', labels: ['follow-up'] })).conversation;
    const wrongChannel = (await makeConversation(inbox, { tags: [tag], channel: 'ticket', priority: 'urgent', labels: ['follow-up'] })).conversation;
    const wrongPriority = (await makeConversation(inbox, { tags: [tag], channel: 'email', priority: 'low', labels: ['follow-up'] })).conversation;
    const noLabel = (await makeConversation(inbox, { tags: [tag], channel: 'email', priority: 'urgent' })).conversation;
    for (const c of [target, wrongChannel, wrongPriority, noLabel]) {
      await assignConversation(inbox.ctx, { conversation: c.id, assigneeId: agent.id, by: { userId: agent.id } });
    }
    const page = await getConversations(inbox.ctx, {
      tag,
      label: 'follow-up',
      channel: 'email',
      priority: 'urgent',
      assignee: 'me',
      viewerId: agent.id,
      statuses: ['open', 'pending'],
    });
    expect(ids(page.items)).toEqual([target.id]);
  });
});

describe('getConversations sorts', () => {
  it('sorts by last message, newest first, by default; a reply moves a conversation to the top', async () => {
    const tag = unique('sort-last');
    const a = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const b = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const c = (await makeConversation(inbox, { tags: [tag] })).conversation;
    expect(ids((await getConversations(inbox.ctx, { tag })).items)).toEqual([c.id, b.id, a.id]);
    await customerReply(a);
    expect(ids((await getConversations(inbox.ctx, { tag })).items)).toEqual([a.id, c.id, b.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, sort: 'lastMessageAt' })).items)).toEqual([a.id, c.id, b.id]);
  });

  it('does not move a conversation for an internal note', async () => {
    const tag = unique('sort-note');
    const agent = await makeAgent(inbox);
    const a = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const b = (await makeConversation(inbox, { tags: [tag] })).conversation;
    await addMessage(inbox.ctx, { conversation: a.id, from: { userId: agent.id }, body: 'Note to self', isInternal: true });
    expect(ids((await getConversations(inbox.ctx, { tag })).items)).toEqual([b.id, a.id]);
  });

  it('sorts by creation time, newest first, whatever replies arrive', async () => {
    const tag = unique('sort-created');
    const a = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const b = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const c = (await makeConversation(inbox, { tags: [tag] })).conversation;
    await customerReply(a);
    expect(ids((await getConversations(inbox.ctx, { tag, sort: 'createdAt' })).items)).toEqual([c.id, b.id, a.id]);
    expect(ids((await getConversations(inbox.ctx, { tag, sort: 'createdAt', statuses: ['open'] })).items)).toEqual([c.id, b.id, a.id]);
  });

  it('sorts by priority, most urgent first, then by last message; priority changes re-sort', async () => {
    const tag = unique('sort-priority');
    const agent = await makeAgent(inbox);
    const low = (await makeConversation(inbox, { tags: [tag], priority: 'low' })).conversation;
    const urgent = (await makeConversation(inbox, { tags: [tag], priority: 'urgent' })).conversation;
    const normalOld = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const high = (await makeConversation(inbox, { tags: [tag], priority: 'high' })).conversation;
    const normalNew = (await makeConversation(inbox, { tags: [tag] })).conversation;
    expect(ids((await getConversations(inbox.ctx, { tag, sort: 'priority' })).items)).toEqual([urgent.id, high.id, normalNew.id, normalOld.id, low.id]);
    await setConversationPriority(inbox.ctx, { conversation: low.id, priority: 'urgent', by: { userId: agent.id } });
    await customerReply(normalOld);
    // Both urgent now: the one with the newer last message first.
    expect(ids((await getConversations(inbox.ctx, { tag, sort: 'priority', statuses: ['open'] })).items)).toEqual([
      urgent.id,
      low.id,
      high.id,
      normalOld.id,
      normalNew.id,
    ]);
  });

  it.each(['oldest', 'toString', 'constructor'])('rejects the unknown sort %j as validation_failed', async (sort) => {
    await expectValidationError(getConversations(inbox.ctx, { sort: sort as Sort }), 'sort');
  });
});

describe('getConversations keyset cursor', () => {
  type Variant = { name: string; query: (tag: string, agentId: number) => ConversationQuery; sorts: Sort[] };
  const variants: Variant[] = [
    { name: 'a tag view', query: (tag) => ({ tag }), sorts: ['lastMessageAt', 'createdAt', 'priority'] },
    { name: "an assignee's view", query: (_tag, agentId) => ({ assignee: agentId }), sorts: ['lastMessageAt', 'createdAt', 'priority'] },
    {
      name: 'open + pending of an assignee (UNION ALL)',
      query: (_tag, agentId) => ({ assignee: agentId, statuses: ['open', 'pending'] }),
      sorts: ['lastMessageAt', 'createdAt', 'priority'],
    },
    {
      name: 'open + pending of a tag (UNION ALL)',
      query: (tag) => ({ tag, statuses: ['open', 'pending'] }),
      sorts: ['lastMessageAt', 'createdAt', 'priority'],
    },
  ];

  /** `count` conversations in one tag, all assigned to one agent, with mixed priorities and statuses. */
  async function population(count: number) {
    const tag = unique('walk');
    const agent = await makeAgent(inbox);
    const made: Conversation[] = [];
    for (let i = 0; i < count; i++) {
      const { conversation } = await makeConversation(inbox, { tags: [tag], priority: PRIORITIES[i % PRIORITIES.length] });
      await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: agent.id, by: { userId: agent.id } });
      // Every third one is waiting on the customer (pending), after an agent reply.
      if (i % 3 === 1) await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'On it.' });
      made.push(conversation);
    }
    // Replies to a few early ones, so lastMessageAt order differs from creation order.
    for (const c of made.slice(0, count).filter((_, i) => i % 5 === 0)) await customerReply(c);
    return { tag, agent, made };
  }

  for (const variant of variants) {
    describe(variant.name, () => {
      it.each(variant.sorts)('walks every page for sort=%s and gets every row exactly once, in order', async (sort) => {
        const { tag, agent, made } = await population(17);
        const query = { ...variant.query(tag, agent.id), sort };
        const walked = ids(await walk(query, 4));
        const everything = ids((await getConversations(inbox.ctx, { ...query, limit: MAX_PAGE })).items);
        const fresh = await Promise.all(made.map((c) => getConversation(inbox.ctx, c.id)));
        const inView = fresh.filter((c) => !query.statuses || query.statuses.includes(c.status)).map((c) => c.id);
        expect(inView.length).toBeGreaterThan(8);
        expect(walked).toEqual(await expectedOrder(inView, sort));
        expect(everything).toEqual(walked);
        expect(new Set(walked).size).toBe(walked.length);
      });
    });
  }

  it('splits rows with equal sort keys across pages by id, losing none', async () => {
    const tag = unique('ties');
    // A clock that stands still: every conversation gets the same createdAt and lastMessageAt.
    const frozen = inbox.clock.advance(1000);
    const ctx = { ...inbox.ctx, clock: () => frozen };
    const made: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { conversation } = await createConversation(ctx, {
        from: { customerEmail: `${unique('tie')}@example.test` },
        channel: 'chatbot',
        subject: 'Same instant',
        body: 'Hello',
        tags: [tag],
      });
      made.push(conversation.id);
    }
    const byIdDesc = [...made].sort((a, b) => b - a);
    for (const sort of ['lastMessageAt', 'createdAt', 'priority'] as const) {
      expect(ids(await walk({ tag, sort }, 2))).toEqual(byIdDesc);
      expect(ids(await walk({ tag, sort, statuses: ['open', 'pending'] }, 3))).toEqual(byIdDesc);
    }
  });

  type LiveVariant = { name: string; query: (tag: string, agentId: number) => ConversationQuery };
  const liveVariants: LiveVariant[] = [
    { name: 'a tag view (conversation_tags walk)', query: (tag) => ({ tag }) },
    { name: "an assignee's view (conversations index walk)", query: (_tag, agentId) => ({ assignee: agentId }) },
    { name: 'open + pending (UNION ALL of index walks)', query: (_tag, agentId) => ({ assignee: agentId, statuses: ['open', 'pending'] }) },
    { name: 'open + pending of a tag (UNION ALL of tag walks)', query: (tag) => ({ tag, statuses: ['open', 'pending'] }) },
  ];

  it.each(liveVariants)('skips and repeats no row while new messages and conversations arrive between pages: $name', async (variant) => {
    const { tag, agent, made } = await population(24);
    const query = variant.query(tag, agent.id);
    const limit = 4;
    const returned: number[] = [];
    const touched: number[] = [];
    const created: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await getConversations(inbox.ctx, { ...query, limit, cursor });
      returned.push(...ids(page.items));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;

      // Between pages: a customer writes in on a conversation the walk has not reached
      // (the oldest one left), and a brand-new conversation arrives in the view.
      const notReached = (await expectedOrder(made.map((c) => c.id))).filter((id) => !returned.includes(id) && !touched.includes(id));
      const victim = notReached[notReached.length - 1];
      if (victim !== undefined) {
        await customerReply(await getConversation(inbox.ctx, victim), 'Any news?');
        touched.push(victim);
      }
      const { conversation } = await makeConversation(inbox, { tags: [tag] });
      await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: agent.id, by: { userId: agent.id } });
      created.push(conversation.id);
    }

    expect(touched.length).toBeGreaterThan(2);
    expect(new Set(returned).size).toBe(returned.length);
    const fresh = await Promise.all(made.map((c) => getConversation(inbox.ctx, c.id)));
    const untouchedInView = fresh.filter((c) => !touched.includes(c.id) && (!query.statuses || query.statuses.includes(c.status))).map((c) => c.id);
    for (const id of untouchedInView) expect(returned).toContain(id);
    // The walk returned the untouched rows in order; touched ones moved above its cursor.
    expect(returned.filter((id) => untouchedInView.includes(id))).toEqual(await expectedOrder(untouchedInView));
    for (const id of [...touched, ...created]) expect(returned).not.toContain(id);

    // A fresh first page shows what moved and what arrived, newest first.
    const moved = [...touched, ...created];
    const top = await getConversations(inbox.ctx, { ...query, limit: moved.length });
    expect(ids(top.items)).toEqual(await expectedOrder(moved));
  });

  it('accepts a limit from 1 to 100 and rejects anything else as validation_failed on limit', async () => {
    const tag = unique('limit');
    for (let i = 0; i < 3; i++) await makeConversation(inbox, { tags: [tag] });
    expect((await getConversations(inbox.ctx, { tag, limit: 1 })).items).toHaveLength(1);
    expect((await getConversations(inbox.ctx, { tag, limit: MAX_PAGE })).items).toHaveLength(3);
    expect(MAX_PAGE).toBe(100);
    for (const limit of [101, 0, -1, 2.5, Number.NaN, 1e9]) {
      await expectValidationError(getConversations(inbox.ctx, { tag, limit }), 'limit');
    }
  });

  it('returns no cursor on the last page, and one that leads on when more rows exist', async () => {
    const tag = unique('cursor');
    for (let i = 0; i < 3; i++) await makeConversation(inbox, { tags: [tag] });
    expect((await getConversations(inbox.ctx, { tag, limit: 3 })).nextCursor).toBeNull();
    const first = await getConversations(inbox.ctx, { tag, limit: 2 });
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await getConversations(inbox.ctx, { tag, limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not make, or one made for another sort, as validation_failed on cursor', async () => {
    const tag = unique('bad-cursor');
    for (let i = 0; i < 3; i++) await makeConversation(inbox, { tags: [tag] });
    const { nextCursor } = await getConversations(inbox.ctx, { tag, limit: 1 });
    expect(nextCursor).not.toBeNull();
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      'not a cursor',
      '!!!',
      encode({ sort: 'lastMessageAt' }),
      encode(null),
      encode(42),
      encode('lastMessageAt'),
      encode(['lastMessageAt', 1]),
      encode(['lastMessageAt', 1, 2, 3]),
      encode(['lastMessageAt', 1.5, 2]),
      encode(['lastMessageAt', '1', 2]),
      encode(['lastMessageAt', null, 2]),
      encode(['lastMessageAt', 2 ** 60, 2]),
      encode(['bogus', 1, 2]),
      nextCursor!.slice(0, -2),
    ];
    for (const cursor of bad) await expectValidationError(getConversations(inbox.ctx, { tag, cursor }), 'cursor');
    // A good cursor is bound to its sort.
    await expectValidationError(getConversations(inbox.ctx, { tag, cursor: nextCursor!, sort: 'createdAt' }), 'cursor');
    await expectValidationError(getConversations(inbox.ctx, { tag, cursor: nextCursor!, sort: 'priority' }), 'cursor');
    expect((await getConversations(inbox.ctx, { tag, cursor: nextCursor!, sort: 'lastMessageAt' })).items).toHaveLength(2);
  });
});

describe('getConversations counts', () => {
  type Row = { status: string; channel: string; type: string; priority: string; assignedTo: number | null; labels: string[]; tags: string[] };

  /** The conversations table as it is, for counting by hand. */
  async function tableRows(): Promise<Row[]> {
    const rows = await inbox.store.db.selectFrom('conversations').select(['status', 'channel', 'type', 'priority', 'assignedTo', 'labels', 'tags']).execute();
    return rows.map((r) => ({
      ...r,
      assignedTo: r.assignedTo === null ? null : Number(r.assignedTo),
      labels: JSON.parse(r.labels) as string[],
      tags: JSON.parse(r.tags) as string[],
    }));
  }

  function countByStatus(rows: readonly Row[], predicate: (r: Row) => boolean): StatusCounts {
    const counts: StatusCounts = { open: 0, pending: 0, resolved: 0, closed: 0 };
    for (const r of rows) if (predicate(r)) counts[r.status as keyof StatusCounts] += 1;
    return counts;
  }

  /** Every single-dimension view's counts (read from counters) equal a count of the table. */
  async function expectCountersMatchTable(tag: string, agentIds: number[]): Promise<void> {
    const rows = await tableRows();
    const views: [ConversationQuery, (r: Row) => boolean][] = [
      [{}, () => true],
      ...CHANNELS.map((channel): [ConversationQuery, (r: Row) => boolean] => [{ channel }, (r) => r.channel === channel]),
      ...LABELS.map((label): [ConversationQuery, (r: Row) => boolean] => [{ label }, (r) => r.labels.includes(label)]),
      ...PRIORITIES.map((priority): [ConversationQuery, (r: Row) => boolean] => [{ priority }, (r) => r.priority === priority]),
      ...CONVERSATION_TYPES.map((type): [ConversationQuery, (r: Row) => boolean] => [{ type }, (r) => r.type === type]),
      [{ assignee: 'unassigned' }, (r) => r.assignedTo === null],
      ...agentIds.map((id): [ConversationQuery, (r: Row) => boolean] => [{ assignee: id }, (r) => r.assignedTo === id]),
      [{ tag }, (r) => r.tags.includes(tag)],
    ];
    for (const [query, predicate] of views) {
      const page = await getConversations(inbox.ctx, { ...query, limit: 1 });
      expect(page.counts, JSON.stringify(query)).toEqual(countByStatus(rows, predicate));
      expect(page.countsCapped).toBe(false);
    }
    // And the tag's counts equal what its list holds, status by status.
    const { counts } = await getConversations(inbox.ctx, { tag, limit: 1 });
    for (const status of STATUSES) expect((await walk({ tag, statuses: [status] }, 50)).length, status).toBe(counts[status]);
  }

  it('counts per status from counters, matching the table through assign, relabel, status changes and delete', async () => {
    const tag = unique('counts');
    const [a, b] = [await makeAgent(inbox), await makeAgent(inbox)];
    const admin = await makeAdmin(inbox);
    const by = { userId: a.id };
    const c: Conversation[] = [];
    for (const [i, channel] of (['ticket', 'email', 'chatbot', 'email', 'ticket', 'chatbot'] as const).entries()) {
      c.push((await makeConversation(inbox, { tags: [tag], channel, labels: i % 2 ? ['urgent'] : [], priority: PRIORITIES[i % 4] })).conversation);
    }
    const [c0, c1, c2, c3, c4, c5] = c as [Conversation, Conversation, Conversation, Conversation, Conversation, Conversation];
    await expectCountersMatchTable(tag, [a.id, b.id]);
    expect((await getConversations(inbox.ctx, { tag, limit: 1 })).counts).toEqual({ open: 6, pending: 0, resolved: 0, closed: 0 });

    await assignConversation(inbox.ctx, { conversation: c0.id, assigneeId: a.id, by });
    await assignConversation(inbox.ctx, { conversation: c1.id, assigneeId: a.id, by });
    await assignConversation(inbox.ctx, { conversation: c2.id, assigneeId: b.id, by });
    await assignConversation(inbox.ctx, { conversation: c1.id, assigneeId: b.id, by });
    await assignConversation(inbox.ctx, { conversation: c2.id, assigneeId: null, by });
    await expectCountersMatchTable(tag, [a.id, b.id]);
    expect((await getConversations(inbox.ctx, { assignee: b.id, limit: 1 })).counts).toEqual({ open: 1, pending: 0, resolved: 0, closed: 0 });

    await labelConversation(inbox.ctx, { conversation: c0.id, labels: ['urgent', 'follow-up'], by });
    await labelConversation(inbox.ctx, { conversation: c1.id, labels: [], by });
    await labelConversation(inbox.ctx, { conversation: c3.id, tags: [unique('elsewhere')], by });
    await labelConversation(inbox.ctx, { conversation: c4.id, tags: [tag, unique('extra')], by });
    await expectCountersMatchTable(tag, [a.id, b.id]);
    expect((await getConversations(inbox.ctx, { tag, limit: 1 })).counts).toEqual({ open: 5, pending: 0, resolved: 0, closed: 0 });

    await updateConversationStatus(inbox.ctx, { conversation: c0.id, status: 'pending', by });
    await updateConversationStatus(inbox.ctx, { conversation: c1.id, status: 'resolved', by });
    await updateConversationStatus(inbox.ctx, { conversation: c2.id, status: 'closed', by });
    await addMessage(inbox.ctx, { conversation: c4.id, from: { userId: b.id }, body: 'Sent a replacement.' });
    await updateConversationStatus(inbox.ctx, { conversation: c5.id, status: 'resolved', by });
    await customerReply(c5);
    await expectCountersMatchTable(tag, [a.id, b.id]);
    expect((await getConversations(inbox.ctx, { tag, limit: 1 })).counts).toEqual({ open: 1, pending: 2, resolved: 1, closed: 1 });

    await setConversationPriority(inbox.ctx, { conversation: c0.id, priority: 'urgent', by });
    await setConversationType(inbox.ctx, { conversation: c0.id, type: 'sales', by });
    await deleteConversation(inbox.ctx, { conversation: c2.id, by: { userId: admin.id } });
    await deleteConversation(inbox.ctx, { conversation: c0.id, by: { userId: admin.id } });
    await expectCountersMatchTable(tag, [a.id, b.id]);
    expect((await getConversations(inbox.ctx, { tag, limit: 1 })).counts).toEqual({ open: 1, pending: 1, resolved: 1, closed: 0 });
  });

  it('reads a one-filter view from its counter rows, and counts rows for a view of several filters', async () => {
    const tag = unique('counts-source');
    await makeConversation(inbox, { tags: [tag], channel: 'email' });
    await makeConversation(inbox, { tags: [tag], channel: 'ticket' });
    const key = `tag:${tag}:open`;
    expect((await getConversations(inbox.ctx, { tag })).counts.open).toBe(2);
    // Nudge the counter row by hand: a counter-backed view shows it, a counted one does not.
    await inbox.store.db.updateTable('inbox_counts').set({ n: 9 }).where('key', '=', key).execute();
    try {
      expect((await getConversations(inbox.ctx, { tag })).counts.open).toBe(9);
      expect((await getConversations(inbox.ctx, { tag, channel: 'email' })).counts.open).toBe(1);
    } finally {
      await inbox.store.db.updateTable('inbox_counts').set({ n: 2 }).where('key', '=', key).execute();
    }
    expect((await getConversations(inbox.ctx, { tag })).counts.open).toBe(2);
  });

  it('counts every status of the view, whichever statuses the list shows', async () => {
    const tag = unique('counts-statuses');
    const agent = await makeAgent(inbox);
    const a = (await makeConversation(inbox, { tags: [tag] })).conversation;
    await makeConversation(inbox, { tags: [tag] });
    await updateConversationStatus(inbox.ctx, { conversation: a.id, status: 'closed', by: { userId: agent.id } });
    const expected = { open: 1, pending: 0, resolved: 0, closed: 1 };
    expect((await getConversations(inbox.ctx, { tag })).counts).toEqual(expected);
    expect((await getConversations(inbox.ctx, { tag, statuses: ['closed'] })).counts).toEqual(expected);
    expect((await getConversations(inbox.ctx, { tag, statuses: ['open', 'pending'] })).counts).toEqual(expected);
  });

  it('counts a view of several filters exactly while under the cap, with countsCapped false', async () => {
    const tag = unique('counts-multi');
    const agent = await makeAgent(inbox);
    const by = { userId: agent.id };
    const email = `${unique('multi')}@example.test`;
    const made: Conversation[] = [];
    for (const channel of ['email', 'email', 'email', 'ticket'] as const) {
      made.push((await makeConversation(inbox, { tags: [tag], channel, from: { customerEmail: email } })).conversation);
    }
    await assignConversation(inbox.ctx, { conversation: made[0]!.id, assigneeId: agent.id, by });
    await assignConversation(inbox.ctx, { conversation: made[3]!.id, assigneeId: agent.id, by });
    await updateConversationStatus(inbox.ctx, { conversation: made[1]!.id, status: 'resolved', by });
    await labelConversation(inbox.ctx, { conversation: made[2]!.id, labels: ['follow-up'], by });

    const cases: [ConversationQuery, StatusCounts][] = [
      [
        { tag, channel: 'email' },
        { open: 2, pending: 0, resolved: 1, closed: 0 },
      ],
      [
        { tag, assignee: agent.id },
        { open: 2, pending: 0, resolved: 0, closed: 0 },
      ],
      [
        { tag, channel: 'email', assignee: 'unassigned' },
        { open: 1, pending: 0, resolved: 1, closed: 0 },
      ],
      [
        { tag, label: 'follow-up' },
        { open: 1, pending: 0, resolved: 0, closed: 0 },
      ],
      [{ customerEmail: email }, { open: 3, pending: 0, resolved: 1, closed: 0 }],
      [
        { customerEmail: email, channel: 'ticket' },
        { open: 1, pending: 0, resolved: 0, closed: 0 },
      ],
      [
        { customerId: made[0]!.customer.id, statuses: ['open'] },
        { open: 3, pending: 0, resolved: 1, closed: 0 },
      ],
    ];
    for (const [query, counts] of cases) {
      const page = await getConversations(inbox.ctx, query);
      expect(page.counts, JSON.stringify(query)).toEqual(counts);
      expect(page.countsCapped).toBe(false);
    }
  });

  it('counts the matches of a text query per status', async () => {
    const tag = unique('counts-q');
    const agent = await makeAgent(inbox);
    const word = unique('nebula').replace(/-/g, '');
    const a = (await makeConversation(inbox, { tags: [tag], body: `My ${word} is late` })).conversation;
    await makeConversation(inbox, { tags: [tag], subject: `${word} question` });
    await makeConversation(inbox, { tags: [tag] });
    await updateConversationStatus(inbox.ctx, { conversation: a.id, status: 'pending', by: { userId: agent.id } });
    const page = await getConversations(inbox.ctx, { q: word });
    expect(page.counts).toEqual({ open: 1, pending: 1, resolved: 0, closed: 0 });
    expect(page.countsCapped).toBe(false);
  });
});

describe('getInboxCounts', () => {
  it('gives open, mine, unassigned, per-channel and per-label numbers that match the table', async () => {
    const viewer = await makeAgent(inbox);
    const by = { userId: viewer.id };
    const check = async () => {
      const rows = await inbox.store.db.selectFrom('conversations').select(['status', 'channel', 'assignedTo', 'labels']).execute();
      const open = rows.filter((r) => r.status === 'open');
      const counts = await getInboxCounts(inbox.ctx, viewer.id);
      expect(counts.statuses).toEqual(Object.fromEntries(STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length])));
      expect(counts.mine).toBe(open.filter((r) => r.assignedTo !== null && Number(r.assignedTo) === viewer.id).length);
      expect(counts.unassigned).toBe(open.filter((r) => r.assignedTo === null).length);
      expect(counts.channels).toEqual(Object.fromEntries(CHANNELS.map((ch) => [ch, open.filter((r) => r.channel === ch).length])));
      expect(counts.labels).toEqual(Object.fromEntries(LABELS.map((l) => [l, open.filter((r) => (JSON.parse(r.labels) as string[]).includes(l)).length])));
      return counts;
    };

    const before = await check();
    expect(before.mine).toBe(0);
    const a = (await makeConversation(inbox, { channel: 'email', labels: ['follow-up'] })).conversation;
    const b = (await makeConversation(inbox, { channel: 'chatbot' })).conversation;
    const afterCreate = await check();
    expect(afterCreate.unassigned).toBe(before.unassigned + 2);
    expect(afterCreate.channels.email).toBe(before.channels.email + 1);
    expect(afterCreate.labels['follow-up']).toBe(before.labels['follow-up'] + 1);

    await assignConversation(inbox.ctx, { conversation: a.id, assigneeId: viewer.id, by });
    await assignConversation(inbox.ctx, { conversation: b.id, assigneeId: viewer.id, by });
    const afterAssign = await check();
    expect(afterAssign.mine).toBe(2);
    expect(afterAssign.unassigned).toBe(before.unassigned);

    // Only open conversations count as mine / unassigned / per channel / per label.
    await updateConversationStatus(inbox.ctx, { conversation: a.id, status: 'pending', by });
    await labelConversation(inbox.ctx, { conversation: b.id, labels: ['urgent'], by });
    const afterChanges = await check();
    expect(afterChanges.mine).toBe(1);
    expect(afterChanges.channels.email).toBe(before.channels.email);
    expect(afterChanges.labels['follow-up']).toBe(before.labels['follow-up']);
    expect(afterChanges.labels.urgent).toBe(before.labels.urgent + 1);
    expect(afterChanges.statuses.pending).toBe(before.statuses.pending + 1);

    // Another agent sees none of these as theirs.
    const other = await makeAgent(inbox);
    expect((await getInboxCounts(inbox.ctx, other.id)).mine).toBe(0);
  });
});

describe('unread flag', () => {
  it('marks a conversation unread for a viewer until they read it, and again when the customer writes', async () => {
    const tag = unique('unread');
    const [viewer, colleague] = [await makeAgent(inbox), await makeAgent(inbox)];
    const conversation = (await makeConversation(inbox, { tags: [tag] })).conversation;
    const unread = async (viewerId: number) => (await getConversations(inbox.ctx, { tag, viewerId })).items[0]!.unread;

    expect(await unread(viewer.id)).toBe(true);
    await markConversationRead(inbox.ctx, { conversation: conversation.id, userId: viewer.id });
    expect(await unread(viewer.id)).toBe(false);
    expect(await unread(colleague.id)).toBe(true);

    // The team's own reply and notes do not make it unread.
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: colleague.id }, body: 'Looking into it.' });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: colleague.id }, body: 'Internal', isInternal: true });
    expect(await unread(viewer.id)).toBe(false);

    await customerReply(conversation, 'Thanks, any update?');
    expect(await unread(viewer.id)).toBe(true);
    await markConversationRead(inbox.ctx, { conversation: conversation.id, userId: viewer.id });
    expect(await unread(viewer.id)).toBe(false);
  });

  it('never marks unread a conversation the customer has not written in', async () => {
    const tag = unique('unread-agent');
    const agent = await makeAgent(inbox);
    const customer = await makeCustomer(inbox);
    await makeConversation(inbox, { tags: [tag], from: { userId: agent.id }, customer: { email: customer.email } });
    const page = await getConversations(inbox.ctx, { tag, viewerId: agent.id });
    expect(page.items[0]!.status).toBe('pending');
    expect(page.items[0]!.unread).toBe(false);
  });
});

// Last: it adds COUNT_CAP + 1 conversations. They go through the commands like every other
// row here (about 2 s on SQLite, 6 s on PostgreSQL), so counters and table still agree.
describe('count cap', () => {
  it(`stops counting a several-filter view at COUNT_CAP (${COUNT_CAP}) and says so with countsCapped`, async () => {
    const email = `${unique('prolific')}@example.test`;
    for (let i = 0; i <= COUNT_CAP; i++) {
      await makeConversation(inbox, { from: { customerEmail: email }, channel: i === 0 ? 'email' : 'ticket', subject: `Alert ${i}` });
    }
    const capped = await getConversations(inbox.ctx, { customerEmail: email, channel: 'ticket', limit: 1 });
    expect(capped.counts).toEqual({ open: COUNT_CAP, pending: 0, resolved: 0, closed: 0 });
    expect(capped.countsCapped).toBe(true);
    const small = await getConversations(inbox.ctx, { customerEmail: email, channel: 'email', limit: 1 });
    expect(small.counts).toEqual({ open: 1, pending: 0, resolved: 0, closed: 0 });
    expect(small.countsCapped).toBe(false);
  }, 120_000);
});
