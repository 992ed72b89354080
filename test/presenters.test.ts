import { describe, expect, it } from 'vitest';
import { canSeeMessage, canView, type Viewer } from '../src/inbox/policies.js';
import type { Conversation, InboxEvent, Message } from '../src/inbox/records.js';
import { presentConversation, presentEvent, presentMessage } from '../src/present/presenters.js';
import { ConversationJson, MessageJson } from '../src/present/schemas.js';

const customer: Viewer = { id: 7, role: 'customer', emailVerifiedAt: 1 };
const stranger: Viewer = { id: 8, role: 'customer', emailVerifiedAt: 1 };
const agent: Viewer = { id: 2, role: 'agent', emailVerifiedAt: 1 };

const conversation: Conversation = {
  id: 1,
  number: 'CONV-000001',
  channel: 'ticket',
  type: 'support',
  customer: { id: 7, name: 'Casey', email: 'casey@example.test' },
  openedBy: null,
  subject: 'Help',
  status: 'open',
  priority: 'high',
  assignedTo: 2,
  team: { id: 4, name: 'Billing' },
  tags: ['vip'],
  labels: ['urgent'],
  participants: [{ email: 'pat@example.test', name: 'Pat' }],
  messageCount: 3,
  lastMessagePreview: 'hello',
  firstMessageAt: 1,
  lastMessageAt: 3,
  lastCustomerMessageAt: 3,
  lastReplyAt: 2,
  resolvedAt: null,
  closedAt: null,
  createdAt: 1,
  updatedAt: 3,
  snoozed: null,
  shelf: null,
  mergedInto: null,
  legacyRef: null,
  customFields: null,
};

const reply: Message = {
  id: 10,
  conversationId: 1,
  sender: { id: 2, type: 'admin', name: 'Ana', email: 'ana@team.test' },
  body: 'Hi',
  htmlBody: null,
  attachments: [{ id: 4, name: 'a.pdf', contentType: 'application/pdf', size: 3, sha256: 'x' }],
  delivery: { status: 'failed', error: '550 5.1.1 no such user', attempts: 2, updatedAt: Date.UTC(2026, 0, 2) },
  isInternal: false,
  auto: null,
  email: {
    from: { name: 'Ana', email: 'support@team.test' },
    to: [{ name: 'Casey', email: 'casey@example.test' }],
    cc: [{ name: 'Pat', email: 'pat@example.test' }],
  },
  sentAt: 2,
  readAt: null,
  createdAt: 2,
};
const note: Message = { ...reply, id: 11, isInternal: true, body: 'customer is difficult' };
const event: InboxEvent = {
  id: 5,
  conversationId: 1,
  eventType: 'assigned',
  performedBy: 2,
  performedByName: 'Ana',
  origin: 'user',
  oldValue: null,
  newValue: 2,
  createdAt: 2,
};

describe('policies', () => {
  it('a customer sees only their own conversation, and never an internal note', () => {
    expect(canView(customer, conversation)).toBe(true);
    expect(canView(stranger, conversation)).toBe(false);
    expect(canView(agent, conversation)).toBe(true);
    expect(canSeeMessage(customer, conversation, note)).toBe(false);
    expect(canSeeMessage(agent, conversation, note)).toBe(true);
  });
});

describe('presenters', () => {
  it("shows a customer the conversation without the team's organisation of it", () => {
    const json = presentConversation(customer, { ...conversation, unread: true });
    expect(Object.keys(json).sort()).toEqual(
      [
        'closedAt',
        'createdAt',
        'customer',
        'channel',
        'firstMessageAt',
        'id',
        'lastMessageAt',
        'lastMessagePreview',
        // Where a merged conversation went: the portal follows it (a number, nothing of the other's).
        'mergedInto',
        'number',
        'resolvedAt',
        'status',
        'subject',
        'type',
        'updatedAt',
      ].sort(),
    );
    expect(ConversationJson.parse(json)).toEqual(json);
  });

  it("shows an imported conversation's old reference and custom fields to the team only", () => {
    const imported = { ...conversation, legacyRef: '12345', customFields: { 'Order number': 'ORD-24', Rush: true } };
    const team = presentConversation(agent, imported);
    expect(team).toMatchObject({ legacyRef: '12345', customFields: { 'Order number': 'ORD-24', Rush: true } });
    expect(ConversationJson.parse(team)).toEqual(team);
    const own = presentConversation(customer, imported);
    expect(own).not.toHaveProperty('legacyRef');
    expect(own).not.toHaveProperty('customFields');
  });

  it('shows the team everything, unread included', () => {
    const json = presentConversation(agent, { ...conversation, unread: true });
    expect(json).toMatchObject({
      priority: 'high',
      assignedTo: 2,
      team: { id: 4, name: 'Billing' },
      tags: ['vip'],
      labels: ['urgent'],
      participants: [{ email: 'pat@example.test', name: 'Pat' }],
      messageCount: 3,
      unread: true,
    });
    expect(ConversationJson.parse(json)).toEqual(json);
  });

  it("never presents an internal note to a customer, and hides team members' addresses from them", () => {
    expect(presentMessage(customer, note)).toBeNull();
    const json = presentMessage(customer, reply)!;
    expect(json.sender).toEqual({ id: 2, type: 'admin', name: 'Ana' });
    expect(json.attachments).toEqual([{ id: 4, name: 'a.pdf', contentType: 'application/pdf', size: 3, url: '/api/attachments/4' }]);
    expect(MessageJson.parse(json)).toEqual(json);
    expect(presentMessage(agent, note)).toMatchObject({ isInternal: true, sender: { email: 'ana@team.test' } });
  });

  it('shows how mailing a message went to the team only, never to the customer', () => {
    const team = presentMessage(agent, reply)!;
    expect(team.delivery).toEqual({ status: 'failed', error: '550 5.1.1 no such user', attempts: 2, updatedAt: '2026-01-02T00:00:00.000Z' });
    expect(MessageJson.parse(team)).toEqual(team);
    expect(presentMessage(agent, { ...reply, delivery: null })!.delivery).toBeNull();
    expect(presentMessage(customer, reply)).not.toHaveProperty('delivery');
    // Who else a mail went to (its Cc) is the team's to see, as the conversation's participants are.
    expect(team.email).toEqual({ from: 'Ana <support@team.test>', to: ['Casey <casey@example.test>'], cc: ['Pat <pat@example.test>'] });
    expect(presentMessage(customer, reply)).not.toHaveProperty('email');
  });

  it('points an inline image kept out of the HTML at its attachment, for whoever sees the message', () => {
    const sha = (c: string) => c.repeat(64);
    const mail: Message = {
      ...reply,
      sender: { id: 7, type: 'customer', name: 'Casey', email: 'casey@example.test' },
      htmlBody: `<p>Screenshot:</p><img src="" data-ot-attachment="${sha('a')}" alt="shot.png" /><img src="" data-ot-attachment="${sha('b')}" />`,
      attachments: [{ id: 9, name: 'shot.png', contentType: 'image/png', size: 3_000_000, sha256: sha('a') }],
    };
    for (const viewer of [customer, agent]) {
      // An image whose attachment is not on this message keeps no address.
      expect(presentMessage(viewer, mail)!.htmlBody).toBe(
        `<p>Screenshot:</p><img src="/api/attachments/9" data-ot-attachment="${sha('a')}" alt="shot.png" /><img src="" data-ot-attachment="${sha('b')}" />`,
      );
    }
    expect(presentMessage(agent, { ...mail, htmlBody: '<p>plain</p>' })!.htmlBody).toBe('<p>plain</p>');
  });

  it('keeps the audit trail for the team', () => {
    expect(presentEvent(customer, event)).toBeNull();
    expect(presentEvent(agent, event)).toEqual(event);
  });
});
