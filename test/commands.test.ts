import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  addMessage,
  assignConversation,
  deleteConversation,
  labelConversation,
  type MessageResult,
  markConversationRead,
  setConversationPriority,
  setConversationType,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { getConversation, getConversationEvents, getConversationMessages, getInboxCounts } from '../src/inbox/queries.js';
import { countMessages } from '../src/store/messages.js';
import type { Tx } from '../src/store/transaction.js';
import { makeAdmin, makeAgent, makeConversation, makeCustomer, useTestInbox } from './support/inbox.js';

const inbox = useTestInbox();

async function eventTypes(conversationId: number) {
  return (await getConversationEvents(inbox.ctx, conversationId)).map((e) => e.eventType);
}

describe('createConversation', () => {
  it('opens a numbered conversation with its first message and a created event', async () => {
    const { conversation, message } = await makeConversation(inbox, { channel: 'email', subject: '  Refund   for order 42 ' });
    expect(conversation.number).toMatch(/^CONV-\d{6}$/);
    expect(conversation).toMatchObject({
      channel: 'email',
      status: 'open',
      priority: 'normal',
      type: 'support',
      subject: 'Refund for order 42',
      messageCount: 1,
    });
    expect(conversation.firstMessageAt).toBe(message.sentAt);
    expect(conversation.lastMessageAt).toBe(conversation.createdAt);
    expect(conversation.lastReplyAt).toBeNull();
    expect(message.sender).toMatchObject({ type: 'customer', name: 'Casey Customer', id: conversation.customer.id });
    expect(await eventTypes(conversation.id)).toEqual(['created']);
  });

  it('a customer known only by address gets a name from it, never "Unknown"', async () => {
    const { conversation, message } = await makeConversation(inbox, { from: { customerEmail: 'Dana.Lee@Example.COM' } });
    expect(conversation.customer).toMatchObject({ name: 'dana.lee', email: 'dana.lee@example.com' });
    expect(message.sender.name).toBe('dana.lee');
  });

  it('the same address in any channel is the same customer', async () => {
    const a = await makeConversation(inbox, { channel: 'email', from: { customerEmail: 'same@example.test', name: 'Sam' } });
    const b = await makeConversation(inbox, { channel: 'ticket', from: { customerEmail: 'SAME@example.test' } });
    expect(b.conversation.customer.id).toBe(a.conversation.customer.id);
  });

  it('an agent starting a conversation for a customer leaves it pending with a reply time', async () => {
    const agent = await makeAgent(inbox);
    const { conversation, message } = await makeConversation(inbox, {
      from: { userId: agent.id },
      customer: { email: 'outbound@example.test', name: 'Olga' },
    });
    expect(conversation).toMatchObject({ status: 'pending', customer: { name: 'Olga', email: 'outbound@example.test' } });
    expect(conversation.lastReplyAt).toBe(conversation.createdAt);
    expect(message.sender).toMatchObject({ type: 'admin', id: agent.id, name: agent.name });
  });

  it('refuses a conversation with no customer to belong to', async () => {
    const agent = await makeAgent(inbox);
    await expect(makeConversation(inbox, { from: { userId: agent.id } })).rejects.toMatchObject({ code: 'validation_failed', field: 'customer' });
  });

  it('refuses a sender that cannot be resolved instead of storing "Unknown"', async () => {
    await expect(makeConversation(inbox, { from: { userId: 987654 } })).rejects.toMatchObject({ code: 'validation_failed', field: 'sender' });
    await expect(makeConversation(inbox, { from: { customerEmail: 'not an address' } })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(makeConversation(inbox, { from: { bot: '  ' } })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('refuses an empty subject or body, naming the field', async () => {
    await expect(makeConversation(inbox, { subject: '   ' })).rejects.toMatchObject({ code: 'validation_failed', field: 'subject' });
    await expect(makeConversation(inbox, { body: '' })).rejects.toMatchObject({ code: 'validation_failed', field: 'body' });
    await expect(makeConversation(inbox, { labels: ['later' as never] })).rejects.toMatchObject({ field: 'labels' });
  });

  it('the same external key twice yields the first conversation and no second row', async () => {
    const first = await makeConversation(inbox, { externalKey: '<abc@mail.example>' });
    const second = await makeConversation(inbox, { externalKey: '<abc@mail.example>', subject: 'Other' });
    expect(second.created).toBe(false);
    expect(second.conversation.id).toBe(first.conversation.id);
    expect(second.message.id).toBe(first.message.id);
    expect(await countMessages(inbox.store.db, first.conversation.id)).toBe(1);
  });
});

describe('addMessage and the status rules', () => {
  it('an agent reply sets pending and lastReplyAt', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const { conversation: after, message } = await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'On it.' });
    expect(after).toMatchObject({
      status: 'pending',
      messageCount: 2,
      lastReplyAt: message.createdAt,
      lastMessageAt: message.createdAt,
      lastMessagePreview: 'On it.',
    });
    expect(await eventTypes(conversation.id)).toEqual(['created', 'replied', 'status_changed']);
  });

  it('a customer reply to a pending conversation opens it', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Which card?' });
    const { conversation: after, message } = await addMessage(inbox.ctx, {
      conversation: conversation.number,
      from: { userId: conversation.customer.id },
      body: 'The Visa one.',
    });
    expect(after).toMatchObject({ status: 'open', messageCount: 3, lastCustomerMessageAt: message.createdAt });
  });

  it('a customer reply reopens a resolved conversation and clears resolvedAt', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const resolved = await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { userId: agent.id } });
    expect(resolved.resolvedAt).not.toBeNull();
    const { conversation: after } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { userId: conversation.customer.id },
      body: 'Still broken',
    });
    expect(after).toMatchObject({ status: 'open', resolvedAt: null });
    const events = await getConversationEvents(inbox.ctx, conversation.id);
    expect(events.at(-1)).toMatchObject({ eventType: 'reopened', oldValue: 'resolved', newValue: 'open', performedBy: conversation.customer.id });
  });

  it('a customer reply reopens a closed conversation and clears closedAt', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'closed', by: { userId: agent.id } });
    const { conversation: after } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { userId: conversation.customer.id },
      body: 'Hello again',
    });
    expect(after).toMatchObject({ status: 'open', closedAt: null });
    expect((await eventTypes(conversation.id)).slice(-2)).toEqual(['replied', 'reopened']);
  });

  it('an internal note changes neither status nor lastMessageAt, but counts as a message', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const { conversation: after, message } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { userId: agent.id },
      body: 'Customer is on the legacy plan',
      isInternal: true,
    });
    expect(message.isInternal).toBe(true);
    expect(after).toMatchObject({ status: 'open', lastMessageAt: conversation.lastMessageAt, lastReplyAt: null, messageCount: 2 });
    expect(after.lastMessagePreview).toBe(conversation.lastMessagePreview);
    expect((await eventTypes(conversation.id)).at(-1)).toBe('note_added');
  });

  it('customers cannot write internal notes', async () => {
    const { conversation } = await makeConversation(inbox);
    await expect(
      addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'psst', isInternal: true }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a bot answer keeps the status and moves the conversation up', async () => {
    const { conversation } = await makeConversation(inbox, { channel: 'chatbot' });
    const { conversation: after, message } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { bot: 'Onethread Bot' },
      body: 'Try restarting.',
    });
    expect(message.sender).toEqual({ id: null, type: 'bot', name: 'Onethread Bot', email: null });
    expect(after).toMatchObject({ status: 'open', lastMessageAt: message.createdAt, lastReplyAt: null });
  });

  it('a message to a conversation that does not exist is not_found', async () => {
    await expect(addMessage(inbox.ctx, { conversation: 'CONV-999999', from: { bot: 'Bot' }, body: 'hi' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(addMessage(inbox.ctx, { conversation: 'nonsense', from: { bot: 'Bot' }, body: 'hi' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the same external key twice stores one message', async () => {
    const { conversation } = await makeConversation(inbox);
    const input = { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'again', externalKey: `<reply-${conversation.id}@mail>` };
    const first = await addMessage(inbox.ctx, input);
    const second = await addMessage(inbox.ctx, input);
    expect(second).toMatchObject({ created: false, message: { id: first.message.id } });
    expect((await getConversation(inbox.ctx, conversation.id)).messageCount).toBe(2);
  });

  it("the caller's receipt commits with the message or neither does; a replay hands it the first message", async () => {
    const { conversation } = await makeConversation(inbox);
    const receipts = async () =>
      (await sql<{ name: string; value: number }>`select name, value from sequences where name like 'receipt:%' order by name`.execute(inbox.ctx.store.db))
        .rows;
    const input = {
      conversation: conversation.id,
      from: { userId: conversation.customer.id },
      body: 'filed',
      externalKey: `<receipt-${conversation.id}@mail>`,
    };
    const record = (name: string) => async (tx: Tx, result: MessageResult) => {
      await sql`insert into sequences (name, value) values (${`receipt:${name}`}, ${result.message.id})`.execute(tx);
    };

    const refused = addMessage(inbox.ctx, {
      ...input,
      receipt: async (tx, result) => {
        await record('refused')(tx, result);
        throw new Error('the receipt could not be written');
      },
    });
    await expect(refused).rejects.toThrow('the receipt could not be written');
    expect(await receipts()).toEqual([]);
    expect((await getConversation(inbox.ctx, conversation.id)).messageCount).toBe(1);

    const first = await addMessage(inbox.ctx, { ...input, receipt: record('first') });
    const again = await addMessage(inbox.ctx, { ...input, receipt: record('again') });
    expect(again).toMatchObject({ created: false, message: { id: first.message.id } });
    expect(await receipts()).toEqual([
      { name: 'receipt:again', value: first.message.id },
      { name: 'receipt:first', value: first.message.id },
    ]);
  });

  it('a message sent "in the future" is stored as sent now', async () => {
    const { conversation } = await makeConversation(inbox);
    const { message } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { userId: conversation.customer.id },
      body: 'x',
      sentAt: Date.UTC(2099, 0, 1),
    });
    expect(message.sentAt).toBe(message.createdAt);
  });
});

describe('mail no person wrote', () => {
  it('an out-of-office is stored and marked, but moves nothing: no new last message, preview or "New reply"', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox, { channel: 'email' });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Here is your refund' });
    const before = (await getConversation(inbox.ctx, conversation.id))!;
    const { message } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { customerEmail: conversation.customer.email },
      body: 'I am away until Monday',
      auto: 'auto_reply',
      keepStatus: true,
    });
    expect(message.auto).toBe('auto_reply');
    const after = (await getConversation(inbox.ctx, conversation.id))!;
    expect(after).toMatchObject({
      status: 'pending',
      messageCount: before.messageCount + 1,
      lastMessageAt: before.lastMessageAt,
      lastMessagePreview: before.lastMessagePreview,
      lastCustomerMessageAt: before.lastCustomerMessageAt,
    });
  });
});

describe('updateConversationStatus', () => {
  it.each([
    ['open', 'pending', 'status_changed'],
    ['open', 'resolved', 'resolved'],
    ['open', 'closed', 'closed'],
  ] as const)('%s → %s records %s with who, old and new', async (_from, to, eventType) => {
    const agent = await makeAgent(inbox, 'Ana Agent');
    const { conversation } = await makeConversation(inbox);
    const after = await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: to, by: { userId: agent.id } });
    expect(after.status).toBe(to);
    expect(after.resolvedAt !== null).toBe(to === 'resolved');
    expect(after.closedAt !== null).toBe(to === 'closed');
    const event = (await getConversationEvents(inbox.ctx, conversation.id)).at(-1);
    expect(event).toMatchObject({ eventType, performedBy: agent.id, performedByName: 'Ana Agent', oldValue: 'open', newValue: to });
  });

  it('resolved → closed keeps resolvedAt and sets closedAt; closed → open clears both', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const resolved = await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { userId: agent.id } });
    const closed = await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'closed', by: { userId: agent.id } });
    expect(closed).toMatchObject({ resolvedAt: resolved.resolvedAt });
    expect(closed.closedAt).toBeGreaterThan(resolved.resolvedAt!);
    const reopened = await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'open', by: { userId: agent.id } });
    expect(reopened).toMatchObject({ status: 'open', resolvedAt: null, closedAt: null });
    expect((await eventTypes(conversation.id)).slice(-3)).toEqual(['resolved', 'closed', 'reopened']);
  });

  it('closed → pending is an invalid transition and changes nothing', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'closed', by: { userId: agent.id } });
    await expect(updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'pending', by: { userId: agent.id } })).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    expect((await getConversation(inbox.ctx, conversation.id)).status).toBe('closed');
  });

  it('setting the status it already has records nothing', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'open', by: { userId: agent.id } });
    expect(await eventTypes(conversation.id)).toEqual(['created']);
  });

  it('a customer may mark their conversation resolved, but not pending nor closed (closing stops reopening: the team decides it)', async () => {
    const { conversation } = await makeConversation(inbox);
    const by = { userId: conversation.customer.id };
    await expect(updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'pending', by })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by })).status).toBe('resolved');
    await expect(updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'closed', by })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await getConversation(inbox.ctx, conversation.id)).status).toBe('resolved');
  });

  it("a customer cannot change another customer's conversation, and does not learn it exists", async () => {
    const { conversation } = await makeConversation(inbox);
    const other = await makeCustomer(inbox);
    await expect(updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { userId: other.id } })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('assign, label, priority, type', () => {
  it('assigning records old and new assignee; unassigning too', async () => {
    const [ana, ben] = [await makeAgent(inbox), await makeAgent(inbox)];
    const { conversation } = await makeConversation(inbox);
    await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: ana.id, by: { userId: ana.id } });
    const after = await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: ben.id, by: { userId: ana.id } });
    expect(after.assignedTo).toBe(ben.id);
    await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: null, by: { userId: ben.id } });
    const events = (await getConversationEvents(inbox.ctx, conversation.id)).slice(1);
    expect(events.map((e) => [e.eventType, e.oldValue, e.newValue])).toEqual([
      ['assigned', null, ana.id],
      ['assigned', ana.id, ben.id],
      ['unassigned', ben.id, null],
    ]);
  });

  it('only team members can be assigned, and only by the team', async () => {
    const agent = await makeAgent(inbox);
    const customer = await makeCustomer(inbox);
    const { conversation } = await makeConversation(inbox);
    await expect(assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: customer.id, by: { userId: agent.id } })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: agent.id, by: { userId: customer.id } })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('labels and tags are replaced as sets and recorded in one labeled event', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    const after = await labelConversation(inbox.ctx, {
      conversation: conversation.id,
      labels: ['follow-up', 'urgent'],
      tags: ['Billing', 'vip'],
      by: { userId: agent.id },
    });
    expect(after).toMatchObject({ labels: ['urgent', 'follow-up'], tags: ['billing', 'vip'] });
    const onlyTags = await labelConversation(inbox.ctx, { conversation: conversation.id, tags: ['vip'], by: { userId: agent.id } });
    expect(onlyTags).toMatchObject({ labels: ['urgent', 'follow-up'], tags: ['vip'] });
    const events = await getConversationEvents(inbox.ctx, conversation.id);
    expect(events.at(-1)).toMatchObject({
      eventType: 'labeled',
      oldValue: { labels: ['urgent', 'follow-up'], tags: ['billing', 'vip'] },
      newValue: { labels: ['urgent', 'follow-up'], tags: ['vip'] },
    });
  });

  it('priority and type changes are recorded', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    expect((await setConversationPriority(inbox.ctx, { conversation: conversation.id, priority: 'urgent', by: { userId: agent.id } })).priority).toBe('urgent');
    expect((await setConversationType(inbox.ctx, { conversation: conversation.id, type: 'sales', by: { userId: agent.id } })).type).toBe('sales');
    expect((await eventTypes(conversation.id)).slice(1)).toEqual(['priority_changed', 'type_changed']);
  });
});

describe('markConversationRead', () => {
  it("marks the customer's messages read when an agent opens the conversation", async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Reply' });
    const { readAt } = await markConversationRead(inbox.ctx, { conversation: conversation.id, userId: agent.id });
    const { items } = await getConversationMessages(inbox.ctx, conversation.id);
    expect(items.map((m) => [m.sender.type, m.readAt])).toEqual([
      ['customer', readAt],
      ['admin', null],
    ]);
  });
});

describe('deleteConversation', () => {
  it('removes the conversation and its messages; the deletion record stays', async () => {
    const admin = await makeAdmin(inbox, 'Ada Admin');
    const { conversation } = await makeConversation(inbox, { tags: ['to-delete'] });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: admin.id }, body: 'note', isInternal: true });
    await deleteConversation(inbox.ctx, { conversation: conversation.id, by: { userId: admin.id } });
    await expect(getConversation(inbox.ctx, conversation.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await countMessages(inbox.store.db, conversation.id)).toBe(0);
    const trail = await inbox.store.db.selectFrom('conversation_events').selectAll().where('conversationId', '=', conversation.id).execute();
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ eventType: 'deleted', performedBy: admin.id, performedByName: 'Ada Admin' });
    expect(JSON.parse(trail[0]!.oldValue!)).toMatchObject({ number: conversation.number });
  });

  it('agents cannot delete', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await expect(deleteConversation(inbox.ctx, { conversation: conversation.id, by: { userId: agent.id } })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('counters forget a deleted conversation', async () => {
    const admin = await makeAdmin(inbox);
    const before = await getInboxCounts(inbox.ctx, admin.id);
    const { conversation } = await makeConversation(inbox, { channel: 'email', labels: ['urgent'] });
    await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: admin.id, by: { userId: admin.id } });
    expect((await getInboxCounts(inbox.ctx, admin.id)).mine).toBe(before.mine + 1);
    await deleteConversation(inbox.ctx, { conversation: conversation.id, by: { userId: admin.id } });
    expect(await getInboxCounts(inbox.ctx, admin.id)).toEqual(before);
  });
});

describe('the event bus', () => {
  it('publishes each committed event once, in order, after commit', async () => {
    const agent = await makeAgent(inbox);
    const start = inbox.published.length;
    const { conversation } = await makeConversation(inbox);
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'hi' });
    const published = inbox.published.slice(start);
    expect(published.map((e) => e.eventType)).toEqual(['created', 'replied', 'status_changed']);
    expect(published.map((e) => e.id)).toEqual((await getConversationEvents(inbox.ctx, conversation.id)).map((e) => e.id));
  });

  it('publishes nothing for a command that failed', async () => {
    const start = inbox.published.length;
    await expect(makeConversation(inbox, { subject: '' })).rejects.toThrow();
    expect(inbox.published.length).toBe(start);
  });
});
