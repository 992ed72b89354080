import { describe, expect, it } from 'vitest';
import {
  addMessage,
  assignConversation,
  changeConversationCustomer,
  createConversation,
  deleteConversation,
  updateConversation,
} from '../src/inbox/commands.js';
import { getConversation, getConversationEvents, getConversationMessages } from '../src/inbox/queries.js';
import { updateUserRow } from '../src/store/users.js';
import { makeAdmin, makeAgent, makeConversation, makeCustomer, useTestInbox } from './support/inbox.js';

// The write path's own trust rules (docs/security.md): an identity asserted by a channel
// that signs nobody in is only ever a customer, whatever the edge in front forgot to check.

const inbox = useTestInbox();

describe('identities asserted by a channel are only ever customers', () => {
  it('a team address as the sender of a customer message is refused, and nothing is written', async () => {
    const agent = await makeAgent(inbox, 'Avery Agent');
    const { conversation } = await makeConversation(inbox);
    await expect(
      addMessage(inbox.ctx, { conversation: conversation.id, from: { customerEmail: agent.email }, body: 'Please pay here: https://evil.test' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      field: 'sender.email',
    });
    await expect(makeConversation(inbox, { from: { customerEmail: agent.email.toUpperCase(), name: 'Avery Agent' } })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const after = await getConversation(inbox.ctx, conversation.id);
    expect(after).toMatchObject({ messageCount: 1, status: 'open' });
  });

  it("a visitor's customer id that names a team member is refused; a customer's is a customer message", async () => {
    const admin = await makeAdmin(inbox);
    const customer = await makeCustomer(inbox, 'Vera Visitor');
    const { conversation } = await makeConversation(inbox, { from: { customerId: customer.id } });
    expect(conversation.customer.id).toBe(customer.id);
    await expect(addMessage(inbox.ctx, { conversation: conversation.id, from: { customerId: admin.id }, body: 'I am the admin now' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const { message } = await addMessage(inbox.ctx, { conversation: conversation.id, from: { customerId: customer.id }, body: 'Still me' });
    expect(message.sender).toMatchObject({ type: 'customer', id: customer.id, name: 'Vera Visitor' });
  });

  it('a team address nobody verified can leave an internal note only, which changes no status', async () => {
    const agent = await makeAgent(inbox, 'Avery Agent');
    const { conversation } = await makeConversation(inbox);
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'We are on it' });
    const pending = await getConversation(inbox.ctx, conversation.id);
    expect(pending?.status).toBe('pending');

    await expect(
      addMessage(inbox.ctx, { conversation: conversation.id, from: { unverifiedEmail: agent.email, name: agent.name }, body: 'public?' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      field: 'isInternal',
    });
    const { message } = await addMessage(inbox.ctx, {
      conversation: conversation.id,
      from: { unverifiedEmail: agent.email, name: agent.name },
      isInternal: true,
      body: 'by mail',
    });
    expect(message).toMatchObject({ isInternal: true, sender: { id: null, type: 'admin', email: agent.email, name: 'Avery Agent (by email, not verified)' } });
    const after = await getConversation(inbox.ctx, conversation.id);
    expect(after).toMatchObject({ status: 'pending', lastMessageAt: pending!.lastMessageAt, lastReplyAt: pending!.lastReplyAt });
    const publicThread = await getConversationMessages(inbox.ctx, conversation.id, { includeInternal: false });
    expect(publicThread.items.map((m) => m.body)).not.toContain('by mail');
    await expect(createConversation(inbox.ctx, { from: { unverifiedEmail: agent.email }, channel: 'email', subject: 'Hi', body: 'x' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('a conversation is never moved to, or started for, a team member as its customer', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox, { channel: 'chatbot' });
    await expect(
      changeConversationCustomer(inbox.ctx, { conversation: conversation.id, customer: { email: agent.email }, by: { system: 'Chat' } }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'customer.email',
    });
    await expect(
      createConversation(inbox.ctx, { from: { userId: agent.id }, customer: { email: agent.email }, channel: 'ticket', subject: 'Hi', body: 'x' }),
    ).rejects.toMatchObject({ field: 'customer.email' });
    expect((await getConversation(inbox.ctx, conversation.id))?.customer.id).toBe(conversation.customer.id);
  });

  it('a refused receipt rolls the customer change back with it: one all-or-nothing step', async () => {
    const { conversation } = await makeConversation(inbox, { channel: 'chatbot' });
    const receiptFailure = new Error('visitor row could not be written');
    await expect(
      changeConversationCustomer(inbox.ctx, {
        conversation: conversation.id,
        customer: { email: 'new-owner@example.test' },
        by: { system: 'Chat' },
        receipt: async () => {
          throw receiptFailure;
        },
      }),
    ).rejects.toBe(receiptFailure);
    expect((await getConversation(inbox.ctx, conversation.id))?.customer.email).toBe(conversation.customer.email);
    expect((await getConversationEvents(inbox.ctx, conversation.id)).map((e) => e.eventType)).not.toContain('customer_changed');
  });
});

describe('assignment', () => {
  it('a deactivated member cannot be assigned; their conversations can still be handed on', async () => {
    const admin = await makeAdmin(inbox);
    const leaving = await makeAgent(inbox, 'Lee Leaving');
    const { conversation } = await makeConversation(inbox);
    await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: leaving.id, by: { userId: admin.id } });
    await updateUserRow(inbox.store.db, leaving.id, { deactivatedAt: inbox.clock.now }, inbox.clock.now);

    const other = await makeConversation(inbox);
    await expect(
      assignConversation(inbox.ctx, { conversation: other.conversation.id, assigneeId: leaving.id, by: { userId: admin.id } }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'assignedTo',
      message: expect.stringContaining('deactivated'),
    });
    await expect(
      updateConversation(inbox.ctx, { conversation: other.conversation.id, assigneeId: leaving.id, status: 'resolved', by: { userId: admin.id } }),
    ).rejects.toMatchObject({
      field: 'assignedTo',
    });
    expect(await getConversation(inbox.ctx, other.conversation.id)).toMatchObject({ assignedTo: null, status: 'open' });

    // Re-saving the same assignee (a PATCH carrying the whole form) is not a new assignment.
    await updateConversation(inbox.ctx, { conversation: conversation.id, assigneeId: leaving.id, priority: 'high', by: { userId: admin.id } });
    const handedOn = await assignConversation(inbox.ctx, { conversation: conversation.id, assigneeId: null, by: { userId: admin.id } });
    expect(handedOn.assignedTo).toBeNull();
  });
});

describe('text that reads other than it is stored', () => {
  it('subjects and customer names lose direction overrides and zero-width characters', async () => {
    const { conversation, message } = await makeConversation(inbox, {
      from: { customerEmail: 'spoof@example.test', name: 'Pay\u200Bpal\u202E Support\u2066' },
      subject: 'Invoice \u202Egpj.exe\u202C\u200D ready\u2028now',
    });
    expect(conversation.subject).toBe('Invoice gpj.exe ready now');
    expect(conversation.customer.name).toBe('Paypal Support');
    expect(message.sender.name).toBe('Paypal Support');
  });

  it('names already stored with them are shown clean on new conversations', async () => {
    const customer = await makeCustomer(inbox, 'Ro\u202Ebert');
    const { conversation } = await makeConversation(inbox, { from: { customerId: customer.id } });
    expect(conversation.customer.name).toBe('Robert');
  });
});

describe('deleted conversations', () => {
  it('the deleted event keeps who the conversation was with, for the visibility rule of its frame', async () => {
    const admin = await makeAdmin(inbox);
    const customer = await makeCustomer(inbox);
    const { conversation } = await makeConversation(inbox, { from: { userId: customer.id } });
    await deleteConversation(inbox.ctx, { conversation: conversation.id, by: { userId: admin.id } });
    const deleted = inbox.published.find((e) => e.eventType === 'deleted' && e.conversationId === conversation.id);
    expect(deleted?.oldValue).toMatchObject({ customerId: customer.id, customerEmail: customer.email, openedBy: customer.id, number: conversation.number });
  });
});
