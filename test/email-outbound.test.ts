import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAttachment } from '../src/attachments/index.js';
import { createEmailSender, EMAIL_REPLY_JOB } from '../src/channels/email/index.js';
import { addMessage, retryDelivery } from '../src/inbox/commands.js';
import { getConversation, getConversationMessages } from '../src/inbox/queries.js';
import { createOutboxWorker, type OutboxJob, type OutboxWorker } from '../src/jobs/outbox-worker.js';
import { findOutbound } from '../src/store/email.js';
import { findJob } from '../src/store/outbox.js';
import {
  bounceMail,
  freePort,
  MAIL_PEERS,
  queuedId,
  rawMail,
  SUPPORT,
  settled,
  swaks,
  testEmailPlanner,
  uniqueId,
  useEmailChannel,
  useSink,
} from './support/email.js';
import { makeAgent } from './support/inbox.js';

// Agent replies go out through the outbox to a real SMTP server (aiosmtpd writing a
// Maildir); what it received is parsed and checked, and answered back into our listener.

const job = (attempts: number, lastAttempt = false): OutboxJob => ({ id: 0, kind: EMAIL_REPLY_JOB, idempotencyKey: 'x', attempts, createdAt: 0, lastAttempt });

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('email replies over SMTP (outbox → aiosmtpd sink → back to our listener)', () => {
  const sink = useSink();
  const mail = useEmailChannel({ config: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}` }), sideEffects: [testEmailPlanner()], attachments: true });
  let worker: OutboxWorker;
  beforeAll(() => {
    worker = createOutboxWorker({ store: mail.store, handlers: mail.channel.handlers, log: () => {} });
  });
  afterAll(() => worker.stop());

  const delivery = async (conversationId: number, messageId: number) =>
    (await getConversationMessages(mail.ctx, conversationId)).items.find((m) => m.id === messageId)!.delivery;

  async function inbound(raw: string, to?: string) {
    const result = await swaks(mail.port, { data: raw, ...(to ? { to } : {}) });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    return settled(mail, queuedId(result));
  }

  it('an agent reply is mailed once, with headers that thread, and the answer to it comes back into the conversation', async () => {
    const agent = await makeAgent(mail, 'Ana Agent');
    const first = uniqueId('first');
    const row = await inbound(rawMail({ messageId: first, from: 'Walt Customer <walt@example.org>', subject: 'Broken zipper' }));
    const conversation = await getConversation(mail.ctx, row.conversationId!);

    // A second customer mail, so References has more than one id.
    const second = uniqueId('second');
    await inbound(
      rawMail({
        messageId: second,
        from: 'walt@example.org',
        subject: 'Re: Broken zipper',
        inReplyTo: first,
        references: [first],
        body: 'Photo attached later.',
      }),
    );

    const reply = await addMessage(mail.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'We are sending a new one today.' });
    // Notes are never mailed.
    const note = await addMessage(mail.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Check stock first', isInternal: true });
    expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${note.message.id}`)).toBeUndefined();
    expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${reply.message.id}`)).toMatchObject({ kind: EMAIL_REPLY_JOB });
    // Queued in the reply's own transaction; a note is never mailed.
    expect(reply.message.delivery).toMatchObject({ status: 'queued', error: null, attempts: 0 });
    expect(note.message.delivery).toBeNull();

    expect(await worker.runOnce()).toBe(1);
    expect(await delivery(conversation.id, reply.message.id)).toMatchObject({ status: 'sent', error: null, attempts: 1 });
    expect(mail.published.filter((e) => e.eventType === 'delivery_updated').at(-1)).toMatchObject({
      conversationId: conversation.id,
      performedByName: 'Email',
      oldValue: { status: 'queued' },
      newValue: { messageId: reply.message.id, status: 'sent', error: null, attempts: 1 },
    });
    const received = await sink.received();
    expect(received).toHaveLength(1);
    const sent = received[0]!;
    const outbound = (await findOutbound(mail.store.db, reply.message.id))!;
    expect(outbound).toMatchObject({ status: 'sent', recipient: 'walt@example.org' });
    expect(sent.from?.value[0]).toEqual({ name: 'Ana Agent', address: SUPPORT });
    expect(sent.to).toMatchObject({ value: [{ address: 'walt@example.org' }] });
    const replyTo = mail.channel.tokens.replyAddress(SUPPORT, conversation.id);
    expect(sent.replyTo?.value[0]?.address).toBe(replyTo);
    expect(sent.messageId).toBe(`<${outbound.headerMessageId}>`);
    expect(sent.inReplyTo).toBe(`<${second}>`);
    expect(sent.references).toEqual([`<${first}>`, `<${second}>`]);
    expect(sent.subject).toBe(`Re: Broken zipper [${conversation.number}]`);
    expect(sent.text).toContain('We are sending a new one today.');
    // The marker is hidden in the HTML only: a text-only client would show it (issue 14).
    expect(sent.text).not.toContain('[ot:');
    expect(sent.html).toContain(`data-ot-ref="${mail.channel.tokens.token(conversation.id)}"`);
    expect(sent.headers.get('auto-submitted')).toBeUndefined();

    // Retried (a lost lease, a crash after the 250): nothing is sent twice.
    await mail.channel.handlers[EMAIL_REPLY_JOB]!({ messageId: reply.message.id, conversationId: conversation.id }, job(2));
    expect(await worker.runOnce()).toBe(0);
    expect(await sink.received()).toHaveLength(1);

    // The customer answers the mail the sink got, the way a mail client does.
    const answer = [
      `From: Walt Customer <walt@example.org>`,
      `To: ${replyTo}`,
      `Subject: Re: ${sent.subject}`,
      `Date: ${new Date().toUTCString()}`,
      `Message-ID: <${uniqueId('answer')}>`,
      `In-Reply-To: ${sent.messageId}`,
      `References: ${[...(sent.references as string[]), sent.messageId].join(' ')}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Great, thanks!',
      '',
      `On ${new Date().toDateString()}, Ana Agent <${SUPPORT}> wrote:`,
      ...sent
        .text!.trim()
        .split('\n')
        .map((line) => `> ${line}`),
      '',
    ].join('\r\n');
    const back = await inbound(answer, replyTo);
    expect(back.conversationId).toBe(conversation.id);
    const messages = (await getConversationMessages(mail.ctx, conversation.id)).items;
    expect(messages.at(-1)).toMatchObject({ body: 'Great, thanks!', sender: { type: 'customer', email: 'walt@example.org' } });

    // The same answer threads by In-Reply-To alone (a provider that rewrote our Reply-To) …
    const viaHeaders = await inbound(answer.replace(/^To: .*$/m, `To: ${SUPPORT}`).replace(/^Message-ID: .*$/m, `Message-ID: <${uniqueId('answer2')}>`));
    expect(viaHeaders.conversationId).toBe(conversation.id);
    // … and an HTML answer by the quoted hidden marker alone (one that rewrote our Message-ID too).
    const viaMarker = await inbound(
      rawMail({
        from: 'Walt Customer <walt@example.org>',
        subject: 'Re: zipper',
        body: 'Great, thanks!',
        html: `<p>Great, thanks!</p><blockquote type="cite">${sent.html}</blockquote>`,
      }),
    );
    expect(viaMarker.conversationId).toBe(conversation.id);
  });

  it('an auto-responder answering our reply is stored and flagged, and nothing goes back (no ping-pong)', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'xena@example.org', subject: 'Holiday order' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Shipped!' });
    expect(await worker.runOnce()).toBe(1);
    const before = (await sink.received()).length;
    const outbound = (await findOutbound(mail.store.db, reply.message.id))!;
    const auto = await inbound(
      rawMail({
        from: 'xena@example.org',
        to: mail.channel.tokens.replyAddress(SUPPORT, row.conversationId!),
        subject: 'Automatic reply: Holiday order',
        inReplyTo: outbound.headerMessageId,
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
        body: 'I am out of the office until Monday.',
      }),
    );
    expect(auto).toMatchObject({ status: 'processed', isAutoReply: 1, conversationId: row.conversationId });
    // Stored, but the conversation still waits on the customer: an out-of-office is no answer.
    expect(await getConversation(mail.ctx, row.conversationId!)).toMatchObject({ status: 'pending' });
    expect(mail.published.filter((e) => e.conversationId === row.conversationId && e.eventType === 'status_changed').map((e) => e.newValue)).toEqual([
      'pending',
    ]);
    // A few rounds of the worker: nothing is queued, nothing is sent.
    for (let i = 0; i < 3; i++) expect(await worker.runOnce()).toBe(0);
    expect(await sink.received()).toHaveLength(before);
  });

  it('a bounce of our reply marks it failed and joins its conversation; a retry resends it with the same Message-ID', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'yusuf@example.org', subject: 'Address change' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Done.' });
    expect(await worker.runOnce()).toBe(1);
    const outbound = (await findOutbound(mail.store.db, reply.message.id))!;
    const bounce = bounceMail({
      messageId: outbound.headerMessageId,
      to: 'yusuf@example.org',
      subject: 'Re: Address change',
      body: 'Done.',
      report: 'Delivery Status Notification (Failure)',
      reason: 'Address not found.',
    });
    const result = await swaks(mail.port, { from: '<>', data: bounce });
    const bounced = await settled(mail, queuedId(result));
    expect(bounced).toMatchObject({ isBounce: 1, conversationId: row.conversationId });
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('bounced') });
    expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({
      status: 'failed',
      error: 'bounced: Delivery Status Notification (Failure)',
      attempts: 1,
    });
    expect(await getConversation(mail.ctx, row.conversationId!)).toMatchObject({ status: 'pending' });
    expect(await worker.runOnce()).toBe(0);

    // The agent fixed things with the customer and retries: the same mail, the same Message-ID.
    const retried = await retryDelivery(mail.ctx, { conversation: row.conversationId!, messageId: reply.message.id, by: { userId: agent.id } });
    expect(retried.delivery).toMatchObject({ status: 'queued', error: null });
    expect(await worker.runOnce()).toBe(1);
    const copies = (await sink.received()).filter((m) => m.messageId === `<${outbound.headerMessageId}>`);
    expect(copies).toHaveLength(2);
    expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({ status: 'sent', error: null, attempts: 2 });
    await expect(retryDelivery(mail.ctx, { conversation: row.conversationId!, messageId: reply.message.id, by: { userId: agent.id } })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it("a recipient the server refuses for good (550) fails at once, is not retried by itself, and goes out on the agent's retry", async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'vera@example.org', subject: 'Typo in my address' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Got it.' });
    sink.refuse(['vera@example.org']);
    try {
      expect(await worker.runOnce()).toBe(1);
      expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('550'), attempts: 1 });
      // Done with: the outbox does not try a refused mail again.
      expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${reply.message.id}`)).toMatchObject({ doneAt: expect.any(Number) });
    } finally {
      sink.refuse([]);
    }
    const headerMessageId = (await findOutbound(mail.store.db, reply.message.id))!.headerMessageId;
    await retryDelivery(mail.ctx, { conversation: row.conversationId!, messageId: reply.message.id, by: { userId: agent.id } });
    expect(mail.published.at(-1)).toMatchObject({ eventType: 'delivery_retried', performedBy: agent.id, newValue: { messageId: reply.message.id } });
    expect(await worker.runOnce()).toBe(1);
    const received = (await sink.received()).filter((m) => m.to && 'value' in m.to && m.to.value[0]?.address === 'vera@example.org');
    expect(received.map((m) => m.messageId)).toEqual([`<${headerMessageId}>`]);
    expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a reply whose job the outbox gave up on without a last run shows failed, not queued forever', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'wim@example.org', subject: 'Stuck' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'On it.' });
    const error = 'gave up after 10 attempts: the last one never finished (worker stopped or lease ran out)';
    await mail.channel.handlers[EMAIL_REPLY_JOB]!.abandon!({ messageId: reply.message.id, conversationId: row.conversationId! }, error);
    expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({ status: 'failed', error, attempts: 0 });
    // Its job is still in the table here (nobody claimed it): it sends, and the delivery says so.
    expect(await worker.runOnce()).toBe(1);
    expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({ status: 'sent', error: null, attempts: 1 });
  });

  it("attaches the reply's files, streamed from the attachment storage, with their names and types", async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'uma@example.org', subject: 'Need the invoice' }));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300_000, 7)]);
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a30000000049454e44ae426082',
      'hex',
    );
    const files = [
      await storeAttachment(mail.storage!, pdf, { name: 'Rechnung März.pdf', declaredType: 'application/pdf' }),
      await storeAttachment(mail.storage!, png, { name: 'dot.png', declaredType: 'image/png' }),
    ];
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Here it is.', attachments: files });
    expect(await worker.runOnce()).toBe(1);
    const { headerMessageId } = (await findOutbound(mail.store.db, reply.message.id))!;
    const sent = (await sink.received()).find((m) => m.messageId === `<${headerMessageId}>`)!;
    expect(sent.text).toContain('Here it is.');
    const sha = (content: Buffer) => createHash('sha256').update(content).digest('hex');
    expect(sent.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, sha256: sha(a.content) }))).toEqual([
      { filename: 'Rechnung März.pdf', contentType: 'application/pdf', sha256: sha(pdf) },
      { filename: 'dot.png', contentType: 'image/png', sha256: sha(png) },
    ]);
  });

  it('when the SMTP server is unreachable the reply stays queued with the error and is retried; failing the last attempt fails it', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'zoe@example.org', subject: 'Unreachable' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Hello' });
    const closedPort = await freePort();
    const sender = createEmailSender({
      store: mail.store,
      inbox: mail.ctx,
      support: mail.channel.support,
      tokens: mail.channel.tokens,
      smtpUrl: `smtp://127.0.0.1:${closedPort}`,
    });
    const payload = { messageId: reply.message.id, conversationId: row.conversationId! };
    try {
      await expect(sender.handlers[EMAIL_REPLY_JOB]!(payload, job(1))).rejects.toThrow();
      expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/ECONNREFUSED|connect/i) });
      expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({
        status: 'queued',
        error: expect.stringMatching(/ECONNREFUSED|connect/i),
        attempts: 1,
      });
      await expect(sender.handlers[EMAIL_REPLY_JOB]!(payload, job(2, true))).rejects.toThrow();
      expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/ECONNREFUSED|connect/i),
        attempts: 2,
      });
    } finally {
      sender.close();
    }
    // The real worker then delivers it: its own job was still due.
    expect(await worker.runOnce()).toBe(1);
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(await delivery(row.conversationId!, reply.message.id)).toMatchObject({ status: 'sent', error: null, attempts: 3 });
    const { headerMessageId } = (await findOutbound(mail.store.db, reply.message.id))!;
    expect((await sink.received()).filter((m) => m.messageId === `<${headerMessageId}>`)).toHaveLength(1);
  });
});
