import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation, escalateConversation, labelConversation } from '../src/inbox/commands.js';
import { type ConversationQuery, getConversations, getInboxCounts } from '../src/inbox/queries.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';
import { type Instance, type Person, person, startInstance } from './support/live.js';

// Issue 14, item 10: a chat the bot is still answering is `pending` with the `bot` tag, but
// it waits on the bot, not on the customer. Pending (the team's) lists and counts every
// pending conversation but those; the Bot view is only those. Both from counter rows and
// index walks (test/query-plans.test.ts checks the walk), on both databases.

const inbox = useTestInbox();
let agent: { id: number };
const ids: Record<string, number> = {};

const listed = async (query: ConversationQuery) => {
  const page = await getConversations(inbox.ctx, { ...query, limit: 100 });
  return { ids: page.items.map((c) => c.id).filter((id) => Object.values(ids).includes(id)), counts: page.counts, countsCapped: page.countsCapped };
};
const name = (id: number) => Object.entries(ids).find(([, v]) => v === id)?.[0];
const names = async (query: ConversationQuery) => (await listed(query)).ids.map(name).sort();

beforeAll(async () => {
  agent = await makeAgent(inbox);
  const chat = (body: string) =>
    createConversation(inbox.ctx, { channel: 'chatbot', from: { customerEmail: `${body}@visitors.test` }, subject: body, body, withBot: true });
  ids.botChat = (await chat('bot-chat')).conversation.id;
  await addMessage(inbox.ctx, { conversation: ids.botChat, from: { bot: 'Onethread bot' }, body: 'Here is what I found.' });
  ids.otherBotChat = (await chat('other-bot-chat')).conversation.id;
  // A ticket the team answered: waiting on the customer, which is what Pending is for.
  ids.answered = (await makeConversation(inbox)).conversation.id;
  await addMessage(inbox.ctx, { conversation: ids.answered, from: { userId: agent.id }, body: 'Could you send the receipt?' });
  // Tags that only look like the bot's, in the stored JSON: `"bots"`, and a tag whose own
  // text holds `","bot` (JSON escapes its quotes, so it is no `bot` element).
  for (const [key, tags] of [
    ['robotTagged', ['bots', 'robot']],
    ['quoted', ['a","bot', 'x']],
  ] as const) {
    ids[key] = (await makeConversation(inbox, { tags: [...tags] })).conversation.id;
    await addMessage(inbox.ctx, { conversation: ids[key]!, from: { userId: agent.id }, body: 'Answered.' });
  }
});

describe('the Pending view', () => {
  it('lists the pending conversations the team answered, not the chats the bot still has', async () => {
    expect(await names({ statuses: ['pending'], handler: 'team' })).toEqual(['answered', 'quoted', 'robotTagged']);
    for (const sort of ['createdAt', 'priority'] as const)
      expect(await names({ statuses: ['pending'], handler: 'team', sort })).toEqual(['answered', 'quoted', 'robotTagged']);
    // Paged through a cursor, still without them.
    const first = await getConversations(inbox.ctx, { statuses: ['pending'], handler: 'team', limit: 1 });
    const second = await getConversations(inbox.ctx, { statuses: ['pending'], handler: 'team', limit: 100, cursor: first.nextCursor! });
    expect(
      [...first.items, ...second.items]
        .map((c) => name(c.id))
        .filter(Boolean)
        .sort(),
    ).toEqual(['answered', 'quoted', 'robotTagged']);
  });

  it('counts them from counter rows: the list, the sidebar and the Bot view agree', async () => {
    const pending = await listed({ statuses: ['pending'], handler: 'team' });
    const bot = await listed({ statuses: ['pending'], handler: 'bot' });
    const counts = await getInboxCounts(inbox.ctx, agent.id);
    expect(pending.counts.pending).toBe(3);
    expect(pending.countsCapped).toBe(false);
    expect(bot.counts.pending).toBe(2);
    expect(counts.bot).toBe(2);
    // Every pending conversation is in exactly one of the two.
    expect(counts.statuses.pending).toBe(pending.counts.pending + bot.counts.pending);
    expect(bot.ids.map(name).sort()).toEqual(['botChat', 'otherBotChat']);
    // Narrowed by another dimension, no counter row says: a capped count, still without the bot's.
    const chats = await listed({ statuses: ['pending'], handler: 'team', channel: 'chatbot' });
    expect(chats.ids).toEqual([]);
    expect(chats.counts.pending).toBe(0);
  });

  it('takes a chat in once a person has it: an agent’s reply, or the hand-over and a reply', async () => {
    await addMessage(inbox.ctx, { conversation: ids.botChat!, from: { userId: agent.id }, body: 'Ben here, I’ll take it from here.' });
    expect(await names({ statuses: ['pending'], handler: 'team' })).toEqual(['answered', 'botChat', 'quoted', 'robotTagged']);
    expect(await names({ statuses: ['pending'], handler: 'bot' })).toEqual(['otherBotChat']);

    await escalateConversation(inbox.ctx, { conversation: ids.otherBotChat!, reason: 'asked', by: { bot: 'Onethread bot' } });
    expect(await names({ statuses: ['open'] })).toContain('otherBotChat');
    expect(await names({ statuses: ['pending'], handler: 'bot' })).toEqual([]);
    const counts = await getInboxCounts(inbox.ctx, agent.id);
    expect(counts.bot).toBe(0);
    expect((await listed({ statuses: ['pending'], handler: 'team' })).counts.pending).toBe(4);

    // Tagged `bot` by hand, a conversation is the Bot view's too; untagged, it is back.
    await labelConversation(inbox.ctx, { conversation: ids.answered!, tags: ['bot'], by: { userId: agent.id } });
    expect(await names({ statuses: ['pending'], handler: 'team' })).toEqual(['botChat', 'quoted', 'robotTagged']);
    expect((await listed({ statuses: ['pending'], handler: 'team' })).counts.pending).toBe(3);
    await labelConversation(inbox.ctx, { conversation: ids.answered!, tags: [], by: { userId: agent.id } });
    expect((await listed({ statuses: ['pending'], handler: 'team' })).counts.pending).toBe(4);
  });

  it('refuses a handler it does not know', async () => {
    await expect(getConversations(inbox.ctx, { handler: 'robot' as never })).rejects.toMatchObject({ code: 'validation_failed', field: 'handler' });
  });
});

describe('GET /api/conversations?handler=', () => {
  let server: Instance;
  let teamMember: Person;
  let customer: Person;

  beforeAll(async () => {
    server = await startInstance(inbox.store);
    teamMember = await person(server, 'agent');
    customer = await person(server, 'customer');
  });
  afterAll(async () => {
    await server?.app.close();
  });

  const get = async (who: Person, query: string) => {
    const response = await fetch(`${server.http}/api/conversations?${query}`, { headers: { authorization: `Bearer ${who.token}` } });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };

  it('serves the team’s Pending and the Bot view, and refuses a customer and a wrong value', async () => {
    const bot = await createConversation(inbox.ctx, {
      channel: 'chatbot',
      from: { customerEmail: 'http-bot@visitors.test' },
      subject: 'Hi',
      body: 'Hi',
      withBot: true,
    });
    const pending = await get(teamMember, 'status=pending&handler=team&limit=100');
    expect(pending.status).toBe(200);
    expect(pending.json.items.map((c: { id: number }) => c.id)).not.toContain(bot.conversation.id);
    expect(pending.json.items.every((c: { tags: string[] }) => !c.tags.includes('bot'))).toBe(true);
    const botView = await get(teamMember, 'status=pending&handler=bot&limit=100');
    expect(botView.json.items.map((c: { id: number }) => c.id)).toEqual([bot.conversation.id]);
    expect(botView.json.counts.pending).toBe(1);
    // Unfiltered, a bot chat is still pending: nothing about the conversation itself changed.
    expect((await get(teamMember, 'status=pending&limit=100')).json.items.map((c: { id: number }) => c.id)).toContain(bot.conversation.id);

    const wrong = await get(teamMember, 'status=pending&handler=robot');
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('validation_failed');
    const asCustomer = await get(customer, 'handler=team');
    expect(asCustomer.status).toBe(400);
    expect(asCustomer.json.error.field).toBe('query.handler');
  });
});
