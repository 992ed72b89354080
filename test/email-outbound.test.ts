import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailSender, emailReplyPlanner, EMAIL_REPLY_JOB } from '../src/channels/email/outbound.js';
import { addMessage } from '../src/inbox/commands.js';
import { getConversation, getConversationMessages } from '../src/inbox/queries.js';
import { createOutboxWorker, type OutboxWorker } from '../src/jobs/outbox-worker.js';
import { findOutbound } from '../src/store/email.js';
import { findJob } from '../src/store/outbox.js';
import { makeAgent } from './support/inbox.js';
import { freePort, MAIL_PEERS, queuedId, rawMail, settled, SUPPORT, swaks, SYSTEM_PYTHON, uniqueId, useEmailChannel, waitFor } from './support/email.js';

// Agent replies go out through the outbox to a real SMTP server (aiosmtpd writing a
// Maildir); what it received is parsed and checked, and answered back into our listener.

type Sink = { port: number; dir: string; child: ChildProcess; received(): Promise<ParsedMail[]> };

async function startSink(): Promise<Sink> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-sink-'));
  const port = await freePort();
  const child = spawn(SYSTEM_PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', path.join(dir, 'mail')], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    15_000,
    'the aiosmtpd sink',
  );
  return {
    port,
    dir,
    child,
    async received() {
      const folder = path.join(dir, 'mail', 'new');
      if (!existsSync(folder)) return [];
      const files = readdirSync(folder).sort();
      return Promise.all(files.map((name) => simpleParser(readFileSync(path.join(folder, name)))));
    },
  };
}

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('email replies over SMTP (outbox → aiosmtpd sink → back to our listener)', () => {
  const sink = {} as Sink;
  beforeAll(async () => {
    Object.assign(sink, await startSink());
  });
  const mail = useEmailChannel({ config: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}` }), sideEffects: [emailReplyPlanner] });
  let worker: OutboxWorker;
  beforeAll(() => {
    worker = createOutboxWorker({ store: mail.store, handlers: mail.channel.handlers, log: () => {} });
  });
  afterAll(async () => {
    sink.child?.kill('SIGTERM');
    if (sink.dir) rmSync(sink.dir, { recursive: true, force: true });
  });

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
    await inbound(rawMail({ messageId: second, from: 'walt@example.org', subject: 'Re: Broken zipper', inReplyTo: first, references: [first], body: 'Photo attached later.' }));

    const reply = await addMessage(mail.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'We are sending a new one today.' });
    // Notes are never mailed.
    const note = await addMessage(mail.ctx, { conversation: conversation.id, from: { userId: agent.id }, body: 'Check stock first', isInternal: true });
    expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${note.message.id}`)).toBeUndefined();
    expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${reply.message.id}`)).toMatchObject({ kind: EMAIL_REPLY_JOB });

    expect(await worker.runOnce()).toBe(1);
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
    expect(sent.text).toContain(mail.channel.tokens.markerText(conversation.id));
    expect(sent.html).toContain(`data-ot-ref="${mail.channel.tokens.token(conversation.id)}"`);
    expect(sent.headers.get('auto-submitted')).toBeUndefined();

    // Retried (a lost lease, a crash after the 250): nothing is sent twice.
    await mail.channel.handlers[EMAIL_REPLY_JOB]!({ messageId: reply.message.id, conversationId: conversation.id }, { id: 0, kind: EMAIL_REPLY_JOB, idempotencyKey: 'x', attempts: 2, createdAt: 0 });
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
      ...sent.text!.trim().split('\n').map((line) => `> ${line}`),
      '',
    ].join('\r\n');
    const back = await inbound(answer, replyTo);
    expect(back.conversationId).toBe(conversation.id);
    const messages = (await getConversationMessages(mail.ctx, conversation.id)).items;
    expect(messages.at(-1)).toMatchObject({ body: 'Great, thanks!', sender: { type: 'customer', email: 'walt@example.org' } });

    // The same answer threads by In-Reply-To alone (a provider that rewrote our Reply-To) …
    const viaHeaders = await inbound(answer.replace(/^To: .*$/m, `To: ${SUPPORT}`).replace(/^Message-ID: .*$/m, `Message-ID: <${uniqueId('answer2')}>`));
    expect(viaHeaders.conversationId).toBe(conversation.id);
    // … and by the quoted marker alone (one that rewrote our Message-ID too).
    const viaMarker = await inbound(
      answer
        .replace(/^To: .*$/m, `To: ${SUPPORT}`)
        .replace(/^Message-ID: .*$/m, `Message-ID: <${uniqueId('answer3')}>`)
        .replace(/^In-Reply-To: .*\r\n/m, '')
        .replace(/^References: .*\r\n/m, '')
        .replace(/^Subject: .*$/m, 'Subject: Re: zipper'),
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
    // A few rounds of the worker: nothing is queued, nothing is sent.
    for (let i = 0; i < 3; i++) expect(await worker.runOnce()).toBe(0);
    expect(await sink.received()).toHaveLength(before);
  });

  it('a bounce of our reply marks it failed and joins its conversation', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'yusuf@example.org', subject: 'Address change' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Done.' });
    expect(await worker.runOnce()).toBe(1);
    const outbound = (await findOutbound(mail.store.db, reply.message.id))!;
    const bounce = [
      'From: MAILER-DAEMON@mx.example.org',
      `To: ${SUPPORT}`,
      'Subject: Delivery Status Notification (Failure)',
      `Message-ID: <${uniqueId('bounce')}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Address not found.',
      '--b1',
      'Content-Type: message/rfc822',
      '',
      `Message-ID: <${outbound.headerMessageId}>`,
      `From: ${SUPPORT}`,
      'To: yusuf@example.org',
      'Subject: Re: Address change',
      '',
      'Done.',
      '--b1--',
      '',
    ].join('\r\n');
    const result = await swaks(mail.port, { from: '<>', data: bounce });
    const bounced = await settled(mail, queuedId(result));
    expect(bounced).toMatchObject({ isBounce: 1, conversationId: row.conversationId });
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('bounced') });
    expect(await worker.runOnce()).toBe(0);
  });

  it('when the SMTP server is unreachable the attempt is recorded failed and the job fails (to be retried)', async () => {
    const agent = await makeAgent(mail);
    const row = await inbound(rawMail({ from: 'zoe@example.org', subject: 'Unreachable' }));
    const reply = await addMessage(mail.ctx, { conversation: row.conversationId!, from: { userId: agent.id }, body: 'Hello' });
    const closedPort = await freePort();
    const sender = createEmailSender({ store: mail.store, inbox: mail.ctx, support: mail.channel.support, tokens: mail.channel.tokens, smtpUrl: `smtp://127.0.0.1:${closedPort}` });
    try {
      await expect(sender.handle({ messageId: reply.message.id, conversationId: row.conversationId! }, { id: 0, kind: EMAIL_REPLY_JOB, idempotencyKey: 'x', attempts: 1, createdAt: 0 })).rejects.toThrow();
    } finally {
      sender.close();
    }
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    // The real worker then delivers it.
    expect(await worker.runOnce()).toBe(1);
    expect(await findOutbound(mail.store.db, reply.message.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
