import { describe, expect, it } from 'vitest';
import { addMessage, createConversation, labelConversation } from '../src/inbox/commands.js';
import type { SideEffectPlanner } from '../src/inbox/context.js';
import { getConversation, getConversationEvents, getInboxCounts } from '../src/inbox/queries.js';
import { countMessages } from '../src/store/messages.js';
import { makeAgent, makeConversation, useTestInbox } from './support/inbox.js';

// A planner is a real step of every command's transaction; this one fails on demand,
// which is how a failure midway through a command is staged without mocking anything.
let failNextPlan = false;
const failOnDemand: SideEffectPlanner = (event) => {
  if (failNextPlan && event.eventType !== 'created') {
    failNextPlan = false;
    throw new Error('planner exploded');
  }
  return [];
};

const inbox = useTestInbox({ sideEffects: [failOnDemand] });

describe('concurrent writers', () => {
  it('50 concurrent addMessage on one conversation grow messageCount by exactly 50', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        addMessage(inbox.ctx, {
          conversation: conversation.id,
          from: i % 2 ? { userId: agent.id } : { userId: conversation.customer.id },
          body: `message ${i}`,
        }),
      ),
    );
    const after = await getConversation(inbox.ctx, conversation.id);
    expect(after.messageCount).toBe(51);
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(51);
    const replies = (await getConversationEvents(inbox.ctx, conversation.id)).filter((e) => e.eventType === 'replied');
    expect(replies).toHaveLength(50);
  });

  it('200 concurrent createConversation get 200 distinct, consecutive numbers', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        createConversation(inbox.ctx, { from: { customerEmail: `racer${i % 20}@example.test` }, channel: 'ticket', subject: `Race ${i}`, body: 'go' }),
      ),
    );
    const numbers = results.map((r) => Number(r.conversation.number.slice(5))).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(200);
    expect(numbers.at(-1)! - numbers[0]!).toBe(199);
  });

  it('the same idempotency key sent 20 times at once stores one message', async () => {
    const { conversation } = await makeConversation(inbox);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        addMessage(inbox.ctx, {
          conversation: conversation.id,
          from: { userId: conversation.customer.id },
          body: 'once',
          externalKey: `client-${conversation.id}`,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(2);
    expect((await getConversation(inbox.ctx, conversation.id)).messageCount).toBe(2);
  });

  it('the same key on 20 concurrent createConversation opens one conversation', async () => {
    const before = (await getInboxCounts(inbox.ctx, 0)).statuses.open;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        createConversation(inbox.ctx, {
          from: { customerEmail: 'dup@example.test' },
          channel: 'email',
          subject: 'Once',
          body: 'x',
          externalKey: '<once@mail.example>',
        }),
      ),
    );
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect((await getInboxCounts(inbox.ctx, 0)).statuses.open).toBe(before + 1);
  });
});

describe('a failing step leaves nothing half-written', () => {
  it('a reply whose transaction fails after the message was written leaves no message, no event, no counter change', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const counts = await getInboxCounts(inbox.ctx, agent.id);
    const published = inbox.published.length;
    failNextPlan = true;
    await expect(addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'lost?' })).rejects.toThrow('planner exploded');
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(1);
    expect((await getConversationEvents(inbox.ctx, conversation.id)).map((e) => e.eventType)).toEqual(['created']);
    expect(await getConversation(inbox.ctx, conversation.id)).toEqual(conversation);
    expect(await getInboxCounts(inbox.ctx, agent.id)).toEqual(counts);
    expect(inbox.published.length).toBe(published);
  });

  it('a database error on the last insert of a message rolls back the message and the conversation update', async () => {
    const { conversation } = await makeConversation(inbox);
    await expect(
      addMessage(inbox.ctx, {
        conversation: conversation.id,
        from: { userId: conversation.customer.id },
        body: 'with a broken attachment',
        // NOT NULL violation in the attachments insert, after the message row was written.
        attachments: [{ name: null as unknown as string, contentType: 'text/plain', size: 1, sha256: 'x' }],
      }),
    ).rejects.toThrow();
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(1);
    expect(await getConversation(inbox.ctx, conversation.id)).toEqual(conversation);
  });

  it('a labeling that fails keeps the old labels and their counters', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox, { labels: ['follow-up'] });
    const counts = await getInboxCounts(inbox.ctx, agent.id);
    failNextPlan = true;
    await expect(labelConversation(inbox.ctx, { conversation: conversation.id, labels: ['urgent'], by: { userId: agent.id } })).rejects.toThrow();
    expect((await getConversation(inbox.ctx, conversation.id)).labels).toEqual(['follow-up']);
    expect(await getInboxCounts(inbox.ctx, agent.id)).toEqual(counts);
  });
});
