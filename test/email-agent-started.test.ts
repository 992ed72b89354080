import { describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { getConversation, getConversationMessages } from '../src/inbox/queries.js';
import { findOutbound } from '../src/store/email.js';
import { transact } from '../src/store/transaction.js';
import { updateUserRow } from '../src/store/users.js';
import { MAIL_PEERS, rawMail, SUPPORT, uniqueId } from './support/email.js';
import { makeAgent, useTestInbox } from './support/inbox.js';
import { apiPerson, mailsTo, receive, request, useMailApi } from './support/mail-api.js';

// Issue 14, items 2 and 6 and the signature: a conversation an agent starts by email is
// mailed (through the outbox, like every reply), and our mail reads cleanly in a client
// that shows text only — no [ot:…] marker — while answers still thread; replies address
// the customer by name and end with the agent's signature.

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('mail an agent starts, and how our mail reads (aiosmtpd sink, swaks back in)', () => {
  const api = useMailApi();
  const { mail } = api;

  it('an email conversation an agent starts mails its first message: by name, with the file, no "Re:", delivery shown, and the answer threads back', async () => {
    const agent = await apiPerson(api, 'agent', 'Ana Agent');
    const form = new FormData();
    form.set('channel', 'email');
    form.set('customerEmail', 'zoe@example.org');
    form.set('customerName', 'Zoë Müller');
    form.set('subject', 'Your order 1234');
    form.set('body', 'Hello Zoë,\n\nyour parcel left our warehouse today.');
    form.append('files', new Blob(['tracking: 00340434'], { type: 'text/plain' }), 'tracking.txt');
    const created = await request(api, agent, 'POST', '/api/conversations', form);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const { conversation, message } = created.json;
    // The team wrote last: it waits on the customer.
    expect(conversation).toMatchObject({ channel: 'email', status: 'pending', customer: { email: 'zoe@example.org', name: 'Zoë Müller' } });
    expect(message.delivery).toMatchObject({ status: 'queued', attempts: 0 });
    expect(message.email).toEqual({ from: null, to: ['Zoë Müller <zoe@example.org>'], cc: [] });

    expect(await api.worker.runOnce()).toBe(1);
    const [sent, ...more] = await mailsTo(api, 'zoe@example.org');
    expect(more).toEqual([]);
    expect(sent!.to).toMatchObject({ value: [{ name: 'Zoë Müller', address: 'zoe@example.org' }] });
    // Encoded as a header must be, not raw UTF-8.
    expect(sent!.headerLines.find((h) => h.key === 'to')!.line).toMatch(/^To: =\?UTF-8\?[QB]\?.+\?= <zoe@example\.org>$/i);
    expect(sent!.from?.value[0]).toEqual({ name: 'Ana Agent', address: SUPPORT });
    expect(sent!.subject).toBe(`Your order 1234 [${conversation.number}]`);
    expect(sent!.inReplyTo).toBeUndefined();
    const replyTo = mail.channel.tokens.replyAddress(SUPPORT, conversation.id);
    expect(sent!.replyTo?.value[0]?.address).toBe(replyTo);
    expect(sent!.text).toContain('your parcel left our warehouse today.');
    expect(sent!.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['tracking.txt', 'tracking: 00340434']]);

    const thread = await request(api, agent, 'GET', `/api/conversations/${conversation.id}/messages`);
    expect(thread.json.items[0]).toMatchObject({
      delivery: { status: 'sent', attempts: 1 },
      email: { from: `Ana Agent <${SUPPORT}>`, to: ['Zoë Müller <zoe@example.org>'], cc: [] },
    });
    expect(await getConversation(mail.ctx, conversation.id)).toMatchObject({ status: 'pending' });

    // Zoë answers from her mail client: it threads by the Reply-To alone …
    const answer = await receive(api, rawMail({ from: 'Zoë Müller <zoe@example.org>', to: replyTo, subject: 'Thanks', body: 'Great, thank you!' }), {
      to: replyTo,
    });
    expect(answer.conversationId).toBe(conversation.id);
    // … and by In-Reply-To alone, to the plain support address.
    const again = await receive(
      api,
      rawMail({ from: 'zoe@example.org', subject: 'One more thing', inReplyTo: sent!.messageId!.replace(/^<|>$/g, ''), body: 'Can you ship it faster?' }),
    );
    expect(again.conversationId).toBe(conversation.id);
    expect(await getConversation(mail.ctx, conversation.id)).toMatchObject({ status: 'open', customer: { email: 'zoe@example.org' } });
  });

  it('the text part carries no [ot:…] marker, the HTML hides it, and a text-only answer quoting nothing still threads', async () => {
    const agent = await makeAgent(mail, 'Bo Agent');
    const first = await receive(api, rawMail({ from: 'Walt Walker <walt@example.org>', subject: 'Broken zipper' }));
    await addMessage(mail.ctx, { conversation: first.conversationId!, from: { userId: agent.id }, body: 'A new one is on its way.' });
    expect(await api.worker.runOnce()).toBe(1);
    const sent = (await mailsTo(api, 'walt@example.org')).at(-1)!;
    expect(sent.text).toBe('A new one is on its way.\n');
    expect(sent.text).not.toMatch(/\[ot:/);
    expect(sent.html).toContain(`data-ot-ref="${mail.channel.tokens.token(first.conversationId!)}"`);
    expect(sent.html).toMatch(/<div data-ot-ref="[^"]+" style="display:none[^"]*">\[ot:/);
    // Addressed by name, as the customer's own mail named them.
    expect(sent.to).toMatchObject({ value: [{ name: 'Walt Walker', address: 'walt@example.org' }] });
    expect(sent.subject).toBe(`Re: Broken zipper [${(await getConversation(mail.ctx, first.conversationId!)).number}]`);

    const answer = [
      'From: Walt Walker <walt@example.org>',
      `To: ${SUPPORT}`,
      'Subject: thanks',
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${uniqueId('walt')}>`,
      `In-Reply-To: ${sent.messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Got it, thanks.',
      '',
    ].join('\r\n');
    expect((await receive(api, answer)).conversationId).toBe(first.conversationId);
  });

  it("an agent's mailed replies end with their signature; another agent's without one end with their words", async () => {
    const signed = await makeAgent(mail, 'Cy Agent');
    const plain = await makeAgent(mail, 'Di Agent');
    await transact(mail.store, (tx) => updateUserRow(tx, signed.id, { signature: 'Cy Agent\nExample Support · +1 555 0100' }, mail.clock.now));
    const row = await receive(api, rawMail({ from: 'eve@example.org', subject: 'Refund' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: signed.id }, body: 'Refunded today.' });
    await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: plain.id }, body: 'Anything else?' });
    expect(await api.worker.runOnce()).toBe(2);
    // The worker may send both at once: told apart by their words.
    const mails = await mailsTo(api, 'eve@example.org');
    const first = mails.find((m) => m.text?.startsWith('Refunded'));
    const second = mails.find((m) => m.text?.startsWith('Anything'));
    expect(first!.text).toBe('Refunded today.\n\n-- \nCy Agent\nExample Support · +1 555 0100\n');
    expect(first!.html).toContain('<div class="ot-signature" style="white-space:pre-wrap;color:#555555">-- \nCy Agent\nExample Support · +1 555 0100</div>');
    expect(second!.text).toBe('Anything else?\n');
    expect(second!.html).not.toContain('ot-signature');
    // The thread shows what the agent wrote; the signature is the mail's.
    expect((await getConversationMessages(mail.ctx, row.conversationId!)).items.find((m) => m.id === reply.message.id)!.body).toBe('Refunded today.');
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'sent' });
  });

  it('a ticket reply mailed for continuity names no one: a name typed into a form is not put into mail to that address', async () => {
    const agent = await makeAgent(mail);
    const ticket = await createConversation(mail.ctx, {
      from: { customerEmail: 'fay@example.org', name: 'Buy pills at spam.example' },
      channel: 'ticket',
      subject: 'Help',
      body: 'Hi',
    });
    await addMessage(mail.ctx, { conversation: ticket.conversation.id, from: { userId: agent.id }, body: 'How can we help?' });
    mail.clock.advance(61_000);
    expect(await api.worker.runOnce()).toBe(1);
    const [sent] = await mailsTo(api, 'fay@example.org');
    expect(sent!.to).toMatchObject({ value: [{ name: '', address: 'fay@example.org' }] });
    expect(sent!.headerLines.find((h) => h.key === 'to')!.line).not.toContain('spam');
  });
});

describe('without a way to send mail', () => {
  const inbox = useTestInbox();

  it('an agent-started email conversation shows no mail headers nor delivery, as nothing will be mailed', async () => {
    const agent = await makeAgent(inbox);
    const created = await createConversation(inbox.ctx, {
      from: { userId: agent.id },
      customer: { email: 'gil@example.org' },
      channel: 'email',
      subject: 'Hi',
      body: 'Hello',
    });
    expect(created.message).toMatchObject({ delivery: null, email: null });
    expect((await getConversationMessages(inbox.ctx, created.conversation.id)).items[0]).toMatchObject({ delivery: null, email: null });
  });
});
