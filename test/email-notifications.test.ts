import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_ACCOUNT_LINK_JOB, EMAIL_ACKNOWLEDGEMENT_JOB, EMAIL_REPLY_JOB } from '../src/channels/email/index.js';
import { addMessage, createConversation, markConversationRead } from '../src/inbox/commands.js';
import { getConversation, getConversationMessages } from '../src/inbox/queries.js';
import type { InboxEvent } from '../src/inbox/records.js';
import { createOutboxWorker, type OutboxWorker } from '../src/jobs/outbox-worker.js';
import { findOutbound } from '../src/store/email.js';
import { enqueueJobs, findJob } from '../src/store/outbox.js';
import { transact } from '../src/store/transaction.js';
import { MAIL_PEERS, queuedId, rawMail, SUPPORT, settled, swaks, testEmailPlanner, uniqueId, useEmailChannel, useSink } from './support/email.js';
import { makeAgent, makeConversation } from './support/inbox.js';

// Mail Onethread writes on its own: acknowledgements of new conversations, the contact
// form's confirmation, account links, and agents' ticket and chat replies mailed to a
// customer who has not read them (continuity). Sent to a real SMTP server (aiosmtpd),
// parsed there, and answered back into our listener.

const conversationEvent = (eventType: string, channel: 'email' | 'ticket' | 'chatbot', newValue: unknown) => ({
  event: {
    id: 1,
    conversationId: 7,
    eventType,
    performedBy: 3,
    performedByName: 'Casey',
    origin: 'user',
    oldValue: null,
    newValue,
    createdAt: 1_000,
  } satisfies InboxEvent,
  conversation: { id: 7, channel, customer: { id: 3, name: 'Casey', email: 'casey@example.org' } } as Parameters<ReturnType<typeof testEmailPlanner>>[1],
});

describe('what the email planner queues', () => {
  it('acknowledges new email and ticket conversations, and confirms the contact form, only when switched on', () => {
    const off = testEmailPlanner({ acknowledge: false });
    const on = testEmailPlanner({ acknowledge: true });
    const created = (channel: 'email' | 'ticket' | 'chatbot', origin?: string) =>
      conversationEvent('created', channel, { messageId: 5, ...(origin ? { origin } : {}) });
    const kinds = (planner: typeof on, input: ReturnType<typeof created>) => planner(input.event, input.conversation).map((job) => job.kind);
    expect(kinds(off, created('email'))).toEqual([]);
    expect(kinds(off, created('ticket'))).toEqual([]);
    expect(kinds(on, created('email'))).toEqual([EMAIL_ACKNOWLEDGEMENT_JOB]);
    expect(kinds(on, created('ticket'))).toEqual([EMAIL_ACKNOWLEDGEMENT_JOB]);
    expect(kinds(on, created('chatbot'))).toEqual([]);
    // Off, an address typed into the contact form gets nothing (relay spam, issue 14).
    expect(off(created('ticket', 'contact').event, created('ticket', 'contact').conversation)).toEqual([]);
    expect(on(created('ticket', 'contact').event, created('ticket', 'contact').conversation)).toEqual([
      expect.objectContaining({ kind: EMAIL_ACKNOWLEDGEMENT_JOB, payload: { conversationId: 7, messageId: 5, confirm: true } }),
    ]);
  });

  it('mails ticket and chat replies after the delay, never to an address nobody reads, and never a customer or bot message', () => {
    const planner = testEmailPlanner({ continuityDelayMs: 60_000 });
    const replied = (channel: 'email' | 'ticket' | 'chatbot', senderType: string) => conversationEvent('replied', channel, { messageId: 5, senderType });
    const { event, conversation } = replied('ticket', 'admin');
    expect(planner(event, conversation)).toEqual([
      {
        kind: EMAIL_REPLY_JOB,
        payload: { messageId: 5, conversationId: 7, unlessRead: true },
        idempotencyKey: `${EMAIL_REPLY_JOB}:5`,
        runAt: 61_000,
        delivers: { messageId: 5, conversationId: 7 },
      },
    ]);
    expect(planner(replied('email', 'admin').event, replied('email', 'admin').conversation)[0]).toMatchObject({
      runAt: 1_000,
      payload: { messageId: 5, conversationId: 7 },
    });
    expect(planner(replied('chatbot', 'bot').event, replied('chatbot', 'bot').conversation)).toEqual([]);
    expect(planner(replied('ticket', 'customer').event, replied('ticket', 'customer').conversation)).toEqual([]);
    const visitor = replied('chatbot', 'admin');
    visitor.conversation!.customer.email = 'visitor-12@chat.invalid';
    expect(planner(visitor.event, visitor.conversation)).toEqual([]);
  });
});

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('mail Onethread sends on its own (outbox → aiosmtpd sink)', () => {
  const sink = useSink();
  const mail = useEmailChannel({
    config: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}` }),
    sideEffects: [testEmailPlanner({ acknowledge: true, continuityDelayMs: 60_000 })],
  });
  let worker: OutboxWorker;
  beforeAll(() => {
    // The inbox's clock: jobs are due when the commands' time says so.
    worker = createOutboxWorker({ store: mail.store, handlers: mail.channel.handlers, clock: () => mail.clock.now, log: () => {} });
  });
  afterAll(() => worker.stop());

  async function inbound(raw: string, to?: string) {
    const result = await swaks(mail.port, { data: raw, ...(to ? { to } : {}) });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return settled(mail, queuedId(result));
  }
  const mailsTo = async (address: string) => (await sink.received()).filter((m) => m.to && 'value' in m.to && m.to.value.some((a) => a.address === address));

  it('acknowledges a new email as an RFC 3834 auto-reply in its thread, once, and an answer to it lands in the conversation', async () => {
    const first = uniqueId('first');
    const row = await inbound(rawMail({ messageId: first, from: 'Amy Able <amy@example.org>', subject: 'Where is my parcel?' }));
    const conversation = await getConversation(mail.ctx, row.conversationId!);
    expect(await worker.runOnce()).toBe(1);
    const [ack, ...more] = await mailsTo('amy@example.org');
    expect(more).toEqual([]);
    expect(ack!.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack!.headers.get('x-auto-response-suppress')).toBe('All');
    expect(ack!.headers.get('precedence')).toBe('auto_reply');
    // The null return path (RFC 3834 §3.3), as the sink saw the envelope.
    expect(ack!.headers.get('x-mailfrom')).toBe('<>');
    expect(ack!.inReplyTo).toBe(`<${first}>`);
    expect(ack!.references).toBe(`<${first}>`);
    expect(ack!.replyTo?.value[0]?.address).toBe(mail.channel.tokens.replyAddress(SUPPORT, conversation.id));
    expect(ack!.subject).toBe(`Re: Where is my parcel? [${conversation.number}]`);
    expect(ack!.text).toContain(`Your reference is ${conversation.number}`);
    expect(ack!.from?.value[0]?.address).toBe(SUPPORT);

    // Run again (a lost lease): nothing is sent twice.
    await mail.channel.handlers[EMAIL_ACKNOWLEDGEMENT_JOB]!(
      { conversationId: conversation.id, messageId: (await getConversationMessages(mail.ctx, conversation.id)).items[0]!.id, confirm: false },
      {
        id: 0,
        kind: EMAIL_ACKNOWLEDGEMENT_JOB,
        idempotencyKey: `${EMAIL_ACKNOWLEDGEMENT_JOB}:${conversation.id}`,
        attempts: 2,
        createdAt: 0,
        lastAttempt: false,
      },
    );
    expect(await mailsTo('amy@example.org')).toHaveLength(1);

    // Amy answers the acknowledgement to the plain support address: it threads by In-Reply-To.
    const answer = await inbound(
      rawMail({ from: 'amy@example.org', subject: `Re: ${ack!.subject}`, inReplyTo: ack!.messageId!.replace(/^<|>$/g, ''), body: 'Tracking number is 123.' }),
    );
    expect(answer.conversationId).toBe(conversation.id);
    // Her answer is no new conversation, so nothing more is acknowledged.
    expect(await worker.runOnce()).toBe(0);
  });

  it('never acknowledges an auto-reply, a list mail or a bounce, nor a conversation an agent started', async () => {
    await inbound(rawMail({ from: 'away@example.org', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } }));
    await inbound(rawMail({ from: 'news@example.org', subject: 'Our newsletter', headers: { 'List-Id': '<news.example.org>', Precedence: 'bulk' } }));
    const bounce = await swaks(mail.port, { from: '<>', data: rawMail({ from: 'MAILER-DAEMON@mx.example.org', subject: 'Undeliverable: hello' }) });
    await settled(mail, queuedId(bounce));
    const agent = await makeAgent(mail);
    await createConversation(mail.ctx, {
      from: { userId: agent.id },
      customer: { email: 'called@example.org' },
      channel: 'ticket',
      subject: 'As discussed on the phone',
      body: 'Here are the steps.',
    });
    // The jobs run (each was planned, as the planner cannot see noise) and send nothing;
    // a conversation an agent started is not even planned.
    expect(await worker.runOnce()).toBe(3);
    for (const address of ['away@example.org', 'news@example.org', 'mailer-daemon@mx.example.org', 'called@example.org'])
      expect(await mailsTo(address)).toEqual([]);
  });

  it('confirms a contact-form ticket with fixed words: none of the name, subject or message typed into the form', async () => {
    const created = await makeConversation(mail, {
      from: { customerEmail: 'cleo@example.org', name: 'Cleo <b>Buy now</b>' },
      channel: 'ticket',
      subject: 'Cheap pills at spam.example',
      body: 'Do you offer <discounts> for schools? Visit spam.example',
      origin: 'contact',
    });
    expect(await worker.runOnce()).toBe(1);
    const [confirmation] = await mailsTo('cleo@example.org');
    expect(confirmation!.subject).toBe(`We received your message [${created.conversation.number}]`);
    expect(confirmation!.text).toContain('Hello,\n\nThank you for contacting us.');
    expect(confirmation!.text).toContain(`Your reference is ${created.conversation.number}`);
    for (const typed of ['Cleo', 'Buy now', 'spam.example', 'discounts', 'Cheap pills']) {
      expect(confirmation!.text, typed).not.toContain(typed);
      expect(confirmation!.html, typed).not.toContain(typed);
      expect(JSON.stringify(confirmation!.to), typed).not.toContain(typed);
    }
    expect(confirmation!.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('mails an account link once per job, as text and HTML, from the support address', async () => {
    const payload = { userId: 42, email: 'dora@example.org', purpose: 'reset', url: 'https://help.example.test/portal/reset?token=abc123' };
    // Queued as src/accounts queues it: a secret.
    await transact(mail.store, (tx) =>
      enqueueJobs(tx, [{ kind: EMAIL_ACCOUNT_LINK_JOB, payload, idempotencyKey: 'account_link:1', runAt: mail.clock.now, secret: true }], mail.clock.now),
    );
    expect(await worker.runOnce()).toBe(1);
    const [link, ...more] = await mailsTo('dora@example.org');
    expect(more).toEqual([]);
    expect(link!.subject).toBe('Reset your password');
    expect(link!.text!.startsWith('Hello,\n')).toBe(true);
    expect(link!.from?.value[0]?.address).toBe(SUPPORT);
    expect(link!.text).toContain(payload.url);
    expect(link!.html).toContain(`href="${payload.url}"`);
    expect(link!.headers.get('auto-submitted')).toBe('auto-generated');
    // Once mailed, the outbox no longer keeps the link.
    expect(await findJob(mail.store.db, 'account_link:1')).toMatchObject({ doneAt: expect.any(Number), payload: 'null' });
    await mail.channel.handlers[EMAIL_ACCOUNT_LINK_JOB]!(payload, {
      id: 0,
      kind: EMAIL_ACCOUNT_LINK_JOB,
      idempotencyKey: 'account_link:1',
      attempts: 2,
      createdAt: 0,
      lastAttempt: false,
    });
    expect(await mailsTo('dora@example.org')).toHaveLength(1);
  });

  it("mails an agent's ticket reply the customer has not read after the delay, and their email answer lands in the same ticket", async () => {
    const ticket = await makeConversation(mail, { from: { customerEmail: 'eli@example.org', name: 'Eli' }, channel: 'ticket', subject: 'Cannot log in' });
    expect(await worker.runOnce()).toBe(1); // the acknowledgement
    const agent = await makeAgent(mail, 'Ana Agent');
    const reply = await addMessage(mail.ctx, { conversation: ticket.conversation.id, from: { userId: agent.id }, body: 'Please try resetting your password.' });
    expect(reply.message.delivery).toMatchObject({ status: 'queued' });
    // Not before the customer has had a minute to read it in the portal.
    expect(await worker.runOnce()).toBe(0);
    mail.clock.advance(60_000);
    expect(await worker.runOnce()).toBe(1);

    const [ack, sent] = await mailsTo('eli@example.org');
    const outbound = (await findOutbound(mail.store.db, reply.message.id))!;
    expect(sent!.messageId).toBe(`<${outbound.headerMessageId}>`);
    expect(sent!.from?.value[0]).toEqual({ name: 'Ana Agent', address: SUPPORT });
    expect(sent!.subject).toBe(`Re: Cannot log in [${ticket.conversation.number}]`);
    expect(sent!.inReplyTo).toBe(ack!.messageId);
    expect(sent!.text).toContain('Please try resetting your password.');
    const replyTo = mail.channel.tokens.replyAddress(SUPPORT, ticket.conversation.id);
    expect(sent!.replyTo?.value[0]?.address).toBe(replyTo);
    const messages = async () => (await getConversationMessages(mail.ctx, ticket.conversation.id)).items;
    expect((await messages()).find((m) => m.id === reply.message.id)!.delivery).toMatchObject({ status: 'sent' });

    // Eli answers from his mail client.
    const answer = [
      'From: Eli <eli@example.org>',
      `To: ${replyTo}`,
      `Subject: Re: ${sent!.subject}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${uniqueId('eli')}>`,
      `In-Reply-To: ${sent!.messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'That worked, thank you!',
      '',
      `On ${new Date().toDateString()}, Ana Agent <${SUPPORT}> wrote:`,
      ...sent!
        .text!.trim()
        .split('\n')
        .map((line) => `> ${line}`),
      '',
    ].join('\r\n');
    const back = await inbound(answer, replyTo);
    expect(back.conversationId).toBe(ticket.conversation.id);
    expect((await messages()).at(-1)).toMatchObject({ body: 'That worked, thank you!', sender: { type: 'customer', email: 'eli@example.org' } });
    expect(await getConversation(mail.ctx, ticket.conversation.id)).toMatchObject({ channel: 'ticket', status: 'open' });
  });

  it('mails nothing when the customer read the reply in time, and the reply then shows no delivery', async () => {
    const chat = await makeConversation(mail, { from: { customerEmail: 'fay@example.org', name: 'Fay' }, channel: 'chatbot', subject: 'Chat with Fay' });
    const agent = await makeAgent(mail);
    const reply = await addMessage(mail.ctx, { conversation: chat.conversation.id, from: { userId: agent.id }, body: 'Here is the link you asked for.' });
    await markConversationRead(mail.ctx, { conversation: chat.conversation.id, userId: chat.conversation.customer.id });
    mail.clock.advance(60_000);
    expect(await worker.runOnce()).toBe(1);
    expect(await mailsTo('fay@example.org')).toEqual([]);
    expect((await getConversationMessages(mail.ctx, chat.conversation.id)).items.find((m) => m.id === reply.message.id)!.delivery).toBeNull();
    expect(mail.published.at(-1)).toMatchObject({
      eventType: 'delivery_updated',
      oldValue: { status: 'queued' },
      newValue: { messageId: reply.message.id, status: null },
    });
  });
});
