import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { accountsContext, createApiToken, createUser } from '../src/accounts/index.js';
import { EMAIL_REPLY_JOB } from '../src/channels/email/index.js';
import { MailSpool } from '../src/channels/email/spool.js';
import type { ZodApp } from '../src/http/server.js';
import { addMessage, updateConversationStatus } from '../src/inbox/commands.js';
import { getConversation, getConversationEvents, getConversationMessages, getConversations } from '../src/inbox/queries.js';
import { findConversationsByMessageIds, findInbound, finishInbound, insertInbound } from '../src/store/email.js';
import { findJob } from '../src/store/outbox.js';
import { transact } from '../src/store/transaction.js';
import { type EmailHarness, MAIL_PEERS, queuedId, rawMail, SUPPORT, settled, swaks, testEmailPlanner, uniqueId, useEmailChannel } from './support/email.js';
import { useEmailApp } from './support/mail-api.js';

// Issue 13, the email channel: a From header proves nothing, so mail claiming a team
// member's address is never filed as that member's public reply (item 2); and U+0000,
// which PostgreSQL text cannot hold, is removed from everything a mail brings, so such a
// mail is accepted and filed the same way on both databases (item 5). swaks is the sending
// mail server; the database is SQLite, or PostgreSQL with DATABASE_URL.

const NUL = '\u0000';

async function send(mail: EmailHarness, raw: string, options: { from?: string } = {}) {
  const result = await swaks(mail.port, { data: raw, ...options });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return settled(mail, queuedId(result));
}

describe.skipIf(!MAIL_PEERS.swaks)('email security: a team address on inbound mail is not verified', () => {
  const composed = useEmailApp({ sideEffects: [testEmailPlanner()], reopenClosedOnCustomerReply: false });
  const { mail } = composed;
  const api = {} as { app: ZodApp; admin: string; agent: { id: number; email: string; token: string }; customer: { id: number; token: string } };

  beforeAll(async () => {
    const accounts = accountsContext(mail.store);
    api.app = composed.app.app;
    const admin = await createUser(accounts, { name: 'Ada Admin', email: 'ada@example.test', role: 'admin', password: 'long enough password' });
    const agent = await createUser(accounts, { name: 'Al Agent', email: 'al@example.test', role: 'agent', password: 'long enough password' });
    const customer = await createUser(accounts, { name: 'Carla Customer', email: 'carla@example.org', role: 'customer', password: 'long enough password' });
    api.admin = (await createApiToken(accounts, admin.id, 'test')).token;
    api.agent = { id: agent.id, email: agent.email, token: (await createApiToken(accounts, agent.id, 'test')).token };
    api.customer = { id: customer.id, token: (await createApiToken(accounts, customer.id, 'test')).token };
  });

  const get = (token: string, url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const messageIds = async (token: string, conversationId: number) =>
    ((await get(token, `/api/conversations/${conversationId}/messages`)).json().items as { id: number }[]).map((m) => m.id);

  it('forged From: <agent> with [CONV-…] becomes an unverified internal note: no sender id, no status change, hidden from the customer, never mailed', async () => {
    const first = await send(mail, rawMail({ from: 'Carla Customer <carla@example.org>', subject: 'Refund for order 12' }));
    const conversation = await getConversation(mail.ctx, first.conversationId!);
    // The agent really answered (so their address takes part and the subject token threads their mail), and Carla wrote back.
    await addMessage(mail.ctx, { conversation: conversation.id, from: { userId: api.agent.id }, body: 'We are looking into it.' });
    await send(mail, rawMail({ from: 'carla@example.org', subject: `Re: Refund for order 12 [${conversation.number}]`, body: 'Thank you.' }));
    const before = await getConversation(mail.ctx, conversation.id);
    expect(before.status).toBe('open');

    const forged = await send(
      mail,
      rawMail({
        from: `Al Agent <${api.agent.email}>`,
        subject: `Re: Refund for order 12 [${conversation.number}]`,
        body: 'Approved! Please confirm your card number here.',
        html: '<p>Approved! <a href="https://evil.example">Confirm</a></p>',
      }),
      { from: api.agent.email },
    );
    expect(forged).toMatchObject({ status: 'processed', conversationId: conversation.id, senderEmail: api.agent.email, error: null });

    const note = (await getConversationMessages(mail.ctx, conversation.id)).items.at(-1)!;
    expect(note.id).toBe(Number(forged.messageRowId));
    expect(note).toMatchObject({
      isInternal: true,
      sender: { id: null, type: 'admin', name: 'Al Agent (by email, not verified)', email: api.agent.email },
      body: `Sent by email from ${api.agent.email}, not verified.\n\nApproved! Please confirm your card number here.`,
      delivery: null,
    });
    expect(note.htmlBody).toMatch(/^<p><strong>Sent by email from al@example\.test, not verified\.<\/strong><\/p><p>Approved!/);

    // A team reply would have made it pending and moved it up; a note does neither.
    const after = await getConversation(mail.ctx, conversation.id);
    expect(after).toMatchObject({
      status: 'open',
      lastMessageAt: before.lastMessageAt,
      lastReplyAt: before.lastReplyAt,
      lastMessagePreview: before.lastMessagePreview,
    });
    expect((await getConversationEvents(mail.ctx, conversation.id)).at(-1)).toMatchObject({ eventType: 'note_added', performedBy: null });
    // Never mailed to the customer.
    expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${note.id}`)).toBeUndefined();

    // The customer does not see it, the team does.
    const customerView = await messageIds(api.customer.token, conversation.id);
    expect(customerView.length).toBeGreaterThanOrEqual(3);
    expect(customerView).not.toContain(note.id);
    expect(await messageIds(api.agent.token, conversation.id)).toContain(note.id);
  });

  it('a team address answering a closed conversation leaves a note there: still closed, no follow-up', async () => {
    const parent = uniqueId('closed');
    const first = await send(mail, rawMail({ messageId: parent, from: 'carla@example.org', subject: 'Old order' }));
    await updateConversationStatus(mail.ctx, { conversation: first.conversationId!, status: 'closed', by: { userId: api.agent.id } });
    const reply = await send(mail, rawMail({ from: api.agent.email, subject: 'Re: Old order', inReplyTo: parent, body: 'Reopening this for you.' }));
    expect(reply).toMatchObject({ status: 'processed', conversationId: first.conversationId });
    expect(await getConversation(mail.ctx, first.conversationId!)).toMatchObject({ status: 'closed' });
    expect((await getConversationEvents(mail.ctx, first.conversationId!)).map((e) => e.eventType)).toEqual(['created', 'closed', 'note_added']);
  });

  it('an auto-reply from a team address that continues a conversation is a note too, never a public message', async () => {
    const parent = uniqueId('ooo');
    const first = await send(mail, rawMail({ messageId: parent, from: 'carla@example.org', subject: 'Where is it' }));
    const auto = await send(
      mail,
      rawMail({ from: api.agent.email, subject: 'Out of office', inReplyTo: parent, headers: { 'Auto-Submitted': 'auto-replied' }, body: 'Back Monday.' }),
    );
    expect(auto).toMatchObject({ status: 'processed', isAutoReply: 1, conversationId: first.conversationId });
    const last = (await getConversationMessages(mail.ctx, first.conversationId!)).items.at(-1)!;
    expect(last).toMatchObject({ isInternal: true, sender: { id: null, type: 'admin' } });
  });

  it('mail from a team address that continues nothing is quarantined in the failed list, and no conversation is made', async () => {
    const row = await send(
      mail,
      rawMail({
        from: `Al Agent <${api.agent.email}>`,
        subject: 'Fwd: my printer is broken',
        body: '---------- Forwarded message ---------\nFrom: Dora <dora@example.org>',
      }),
    );
    expect(row).toMatchObject({
      status: 'failed',
      conversationId: null,
      messageRowId: null,
      senderEmail: api.agent.email,
      subject: 'Fwd: my printer is broken',
    });
    expect(row.error).toMatch(/^from a team address, not verified: not filed; /);
    expect(row.error).toMatch(/redirect/);
    const theirs = await getConversations(mail.ctx, { customerEmail: api.agent.email });
    expect(theirs.items).toEqual([]);

    const listed = await get(api.admin, '/api/email/failed?limit=10');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items[0]).toMatchObject({ id: row.id, from: api.agent.email, error: expect.stringMatching(/^from a team address, not verified/) });
    // Processing it again decides the same way.
    const reprocessed = await api.app.inject({
      method: 'POST',
      url: `/api/email/failed/${row.id}/reprocess`,
      headers: { authorization: `Bearer ${api.admin}` },
    });
    expect(reprocessed.json().mail).toMatchObject({ id: row.id, status: 'failed', conversationId: null });
    expect((await getConversations(mail.ctx, { customerEmail: api.agent.email })).items).toEqual([]);

    // An auto-reply from a team address that continues nothing is noise: ignored, not listed.
    const auto = await send(mail, rawMail({ from: api.agent.email, subject: 'Automatic reply', headers: { 'Auto-Submitted': 'auto-replied' } }));
    expect(auto).toMatchObject({ status: 'ignored', conversationId: null, isAutoReply: 1 });
    expect(auto.error).toMatch(/^from a team address, not verified: not filed; /);
  });
});

describe.skipIf(!MAIL_PEERS.swaks)('email security: NUL in a mail', () => {
  const mail = useEmailChannel({ attachments: true });

  it('a Message-ID with NUL is accepted (250), filed once under the cleaned id, and a second delivery is a duplicate', async () => {
    const id = uniqueId('nul');
    const [local, domain] = id.split('@');
    const dirty = `${local}${NUL}x@${domain}`;
    const clean = `${local}x@${domain}`.toLowerCase();
    const raw = rawMail({ messageId: dirty, from: 'nina@example.org', subject: 'NUL id' });
    const first = await send(mail, raw);
    expect(first).toMatchObject({ status: 'processed', headerMessageId: clean, dedupeKey: `mid:${clean}` });
    expect(await findConversationsByMessageIds(mail.store.db, [clean])).toEqual(new Map([[clean, first.conversationId]]));

    const again = await swaks(mail.port, { data: raw });
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/already received/);
    expect(queuedId(again)).toBe(first.id);
    // The same id written cleanly is the same mail too.
    const cleanCopy = await swaks(mail.port, { data: rawMail({ messageId: `${local}x@${domain}`, from: 'nina@example.org', subject: 'NUL id' }) });
    expect(queuedId(cleanCopy)).toBe(first.id);
    expect((await getConversationMessages(mail.ctx, first.conversationId!)).items).toHaveLength(1);

    // A reply naming it with the NUL threads.
    const reply = await send(mail, rawMail({ from: 'nina@example.org', subject: 'Re: NUL id', inReplyTo: dirty, references: [dirty], body: 'Any news?' }));
    expect(reply.conversationId).toBe(first.conversationId);
  });

  it('NUL in the subject, sender name, text, HTML and attachment name is removed, and the mail filed', async () => {
    const boundary = 'nul-boundary';
    const raw = [
      `From: Pe${NUL}ra <pera@example.org>`,
      `To: ${SUPPORT}`,
      `Subject: Broken${NUL} printer`,
      `Message-ID: <${uniqueId('nul-content')}>`,
      'Auto-Submitted: no',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `It prints${NUL} nothing.`,
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `<p>It prints${NUL} <b>nothing</b>.</p>`,
      '--alt--',
      `--${boundary}`,
      `Content-Type: text/plain; name="log${NUL}.txt"`,
      `Content-Disposition: attachment; filename="log${NUL}.txt"`,
      '',
      'paper jam',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const row = await send(mail, raw);
    expect(row).toMatchObject({ status: 'processed', subject: 'Broken printer', senderName: 'Pera', error: null });
    expect(row.fullText).toBe('It prints nothing.');
    const conversation = await getConversation(mail.ctx, row.conversationId!);
    expect(conversation).toMatchObject({ subject: 'Broken printer', customer: { name: 'Pera', email: 'pera@example.org' } });
    const [message] = (await getConversationMessages(mail.ctx, conversation.id)).items;
    expect(message!.body).toBe('It prints nothing.');
    expect(message!.htmlBody).toBe('<p>It prints <b>nothing</b>.</p>');
    expect(message!.attachments.map((a) => a.name)).toEqual(['log.txt']);
    expect(JSON.stringify([row, conversation, message])).not.toContain('\\u0000');
  });

  it('a mail with NUL that failed before this fix is filed when reprocessed', async () => {
    const messageId = uniqueId('nul-before');
    const raw = rawMail({ messageId, from: 'omar@example.org', subject: `Stuck${NUL} mail`, body: `Body${NUL} text` });
    // As the old code left it: spooled, its row failed on the NUL (PostgreSQL refused to store the subject).
    const spool = new MailSpool(path.join(mail.dataDir, 'mail'));
    const received = await spool.receive([raw], { maxBytes: 1e6, origin: 'smtp', envelope: { from: 'omar@example.org', to: [SUPPORT] } });
    const receivedAt = Date.now();
    const spoolName = await spool.commit(received, receivedAt);
    const inserted = await transact(mail.store, (tx) =>
      insertInbound(tx, {
        dedupeKey: `mid:${messageId.toLowerCase()}`,
        headerMessageId: messageId.toLowerCase(),
        sha256: received.sha256,
        size: received.size,
        source: 'smtp',
        spoolName,
        envelopeFrom: 'omar@example.org',
        envelopeTo: JSON.stringify([SUPPORT]),
        receivedAt,
      }),
    );
    const id = Number(inserted.id);
    await transact(mail.store, (tx) => finishInbound(tx, id, { status: 'failed', error: 'invalid byte sequence for encoding "UTF8": 0x00' }, receivedAt));
    await spool.archive(spoolName);

    const after = await mail.channel.pipeline.reprocess(id);
    expect(after).toMatchObject({ status: 'processed', error: null, subject: 'Stuck mail' });
    const [message] = (await getConversationMessages(mail.ctx, after!.conversationId!)).items;
    expect(message!.body).toBe('Body text');
    expect((await findInbound(mail.store.db, id))!.fullText).toBe('Body text\n');
  });
});
