import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsContext, createApiToken, createUser } from '../src/accounts/index.js';
import { type EmailChannel, startEmailChannel } from '../src/channels/email/index.js';
import type { ZodApp } from '../src/http/server.js';
import { updateConversationStatus } from '../src/inbox/commands.js';
import { getConversation, getConversationEvents, getConversationMessages } from '../src/inbox/queries.js';
import { findInbound, findInboundByDedupeKey } from '../src/store/email.js';
import { type EmailHarness, MAIL_PEERS, queuedId, rawMail, SUPPORT, settled, swaks, testEmailConfig, uniqueId, useEmailChannel } from './support/email.js';
import { makeAdmin } from './support/inbox.js';
import { useEmailApp } from './support/mail-api.js';

// The SMTP listener end to end: swaks is the sending mail server, the pipeline writes
// through the inbox commands into a real database (SQLite, or PostgreSQL with DATABASE_URL).

async function send(mail: EmailHarness, raw: string, options: { from?: string; to?: string | string[] } = {}) {
  const result = await swaks(mail.port, { data: raw, ...options });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return settled(mail, queuedId(result));
}

const bodies = async (mail: EmailHarness, conversationId: number) => (await getConversationMessages(mail.ctx, conversationId)).items.map((m) => m.body);

describe.skipIf(!MAIL_PEERS.swaks)('email over SMTP (swaks → our listener)', () => {
  const mail = useEmailChannel();

  it('a mail becomes an email conversation with the right customer, subject and body', async () => {
    const row = await send(mail, rawMail({ from: 'Carol Client <carol@example.org>', subject: 'Invoice missing', body: 'Where is my invoice?' }));
    expect(row).toMatchObject({ status: 'processed', source: 'smtp', senderEmail: 'carol@example.org', isAutoReply: 0, isBounce: 0 });
    const conversation = await getConversation(mail.ctx, row.conversationId!);
    expect(conversation).toMatchObject({
      channel: 'email',
      subject: 'Invoice missing',
      status: 'open',
      customer: { name: 'Carol Client', email: 'carol@example.org' },
    });
    const { items } = await getConversationMessages(mail.ctx, conversation.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ body: 'Where is my invoice?', sender: { type: 'customer', name: 'Carol Client', email: 'carol@example.org' } });
  });

  it('a sender without a display name is named after the address, never "Unknown"', async () => {
    const row = await send(mail, rawMail({ from: 'dmitri.k@example.org', subject: 'No name' }));
    const conversation = await getConversation(mail.ctx, row.conversationId!);
    expect(conversation.customer.name).toBe('dmitri.k');
  });

  it('refuses recipients other than the support address and its reply addresses at RCPT (550)', async () => {
    const refused = await swaks(mail.port, { to: 'someone-else@example.test', data: rawMail() });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toMatch(/<\*\*\s+550/);
    const otherDomain = await swaks(mail.port, { to: 'support@elsewhere.test', data: rawMail() });
    expect(otherDomain.code).not.toBe(0);
    const tagged = await swaks(mail.port, { to: 'support+anything@example.test', data: rawMail({ subject: 'Tagged address' }) });
    expect(tagged.code, tagged.stdout).toBe(0);
  });

  it('stores the same Message-ID once, however often it arrives', async () => {
    const messageId = uniqueId('dup');
    const raw = rawMail({ messageId, subject: 'Sent twice' });
    const first = await send(mail, raw);
    const again = await swaks(mail.port, { data: rawMail({ messageId, subject: 'Sent twice', body: 'different bytes, same Message-ID' }) });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already received/);
    expect(queuedId(again)).toBe(first.id);
    expect(await bodies(mail, first.conversationId!)).toHaveLength(1);
  });

  it('a mail without a Message-ID is recognised by its bytes', async () => {
    const raw = rawMail({ messageId: null, subject: 'No Message-ID', date: 'Tue, 3 Mar 2026 10:00:00 +0000' });
    const first = await send(mail, raw);
    const again = await swaks(mail.port, { data: raw });
    expect(again.stdout).toMatch(/already received/);
    expect(queuedId(again)).toBe(first.id);
  });

  it('a reply with In-Reply-To lands in the same conversation; References work too', async () => {
    const parent = uniqueId('parent');
    const first = await send(mail, rawMail({ messageId: parent, from: 'erin@example.org', subject: 'Broken login' }));
    const reply = uniqueId('reply');
    const second = await send(
      mail,
      rawMail({
        messageId: reply,
        from: 'erin@example.org',
        subject: 'Re: Broken login',
        inReplyTo: parent,
        references: [parent],
        body: 'Still broken.\n\nOn Monday Erin wrote:\n> Broken login',
      }),
    );
    expect(second.conversationId).toBe(first.conversationId);
    // Only References (a client that dropped In-Reply-To), pointing at an unknown id and then ours.
    const third = await send(
      mail,
      rawMail({ from: 'erin@example.org', subject: 'Re: Broken login', references: [parent, reply, uniqueId('never-seen')], body: 'Any news?' }),
    );
    expect(third.conversationId).toBe(first.conversationId);
    expect(await bodies(mail, first.conversationId!)).toEqual(['Hello, my invoice for March is missing.', 'Still broken.', 'Any news?']);
  });

  it('the signed +token reply address threads; a forged token does not', async () => {
    const first = await send(mail, rawMail({ from: 'frank@example.org', subject: 'Refund please' }));
    const conversationId = first.conversationId!;
    const replyTo = mail.channel.tokens.replyAddress(SUPPORT, conversationId);
    expect(replyTo).toMatch(/^support\+c\d+-[0-9a-f]{16}@example\.test$/);
    // Delivered to the reply address (envelope and To), with no threading headers at all.
    const viaToken = await send(mail, rawMail({ from: 'frank@example.org', to: replyTo, subject: 'about that', body: 'Token reply' }), { to: replyTo });
    expect(viaToken.conversationId).toBe(conversationId);
    // Only in Cc, envelope to the plain address.
    const viaCc = await send(mail, rawMail({ from: 'frank@example.org', subject: 'cc', body: 'Cc reply', headers: { Cc: replyTo } }));
    expect(viaCc.conversationId).toBe(conversationId);
    const forged = `support+c${conversationId}-0123456789abcdef@example.test`;
    const viaForged = await send(mail, rawMail({ from: 'mallory@example.org', to: forged, subject: 'sneaking in' }), { to: forged });
    expect(viaForged.status).toBe('processed');
    expect(viaForged.conversationId).not.toBe(conversationId);
    expect(await bodies(mail, conversationId)).toHaveLength(3);
  });

  it('the hidden marker of our outgoing mail threads a reply that lost every header', async () => {
    const first = await send(mail, rawMail({ from: 'gina@example.org', subject: 'Order 77' }));
    const marker = mail.channel.tokens.markerText(first.conversationId!);
    const reply = await send(mail, rawMail({ from: 'gina@example.org', subject: 'whatever', body: `Thanks!\n\n> Our answer\n> ${marker}` }));
    expect(reply.conversationId).toBe(first.conversationId);
  });

  it('the subject token [CONV-…] threads only mail from someone already in the conversation', async () => {
    const first = await send(mail, rawMail({ from: 'hana@example.org', subject: 'Shipping question' }));
    const conversation = await getConversation(mail.ctx, first.conversationId!);
    const fromParticipant = await send(
      mail,
      rawMail({ from: 'hana@example.org', subject: `Re: Shipping question [${conversation.number}]`, body: 'Client dropped the headers' }),
    );
    expect(fromParticipant.conversationId).toBe(conversation.id);
    const fromStranger = await send(mail, rawMail({ from: 'ivan@example.org', subject: `Re: Shipping question [${conversation.number}]`, body: 'Not mine' }));
    expect(fromStranger.conversationId).not.toBe(conversation.id);
    const other = await getConversation(mail.ctx, fromStranger.conversationId!);
    // The token is not carried into the new conversation's subject.
    expect(other.subject).toBe('Re: Shipping question');
  });

  it('a reply to a closed conversation reopens it (REOPEN_CLOSED_ON_CUSTOMER_REPLY=true)', async () => {
    const admin = await makeAdmin(mail);
    const parent = uniqueId('closed');
    const first = await send(mail, rawMail({ messageId: parent, from: 'jon@example.org', subject: 'Old issue' }));
    await updateConversationStatus(mail.ctx, { conversation: first.conversationId!, status: 'closed', by: { userId: admin.id } });
    const reply = await send(mail, rawMail({ from: 'jon@example.org', subject: 'Re: Old issue', inReplyTo: parent }));
    expect(reply.conversationId).toBe(first.conversationId);
    expect((await getConversation(mail.ctx, first.conversationId!)).status).toBe('open');
  });

  it('flags auto-replies and keeps them; mail from our own address is ignored', async () => {
    const auto = await send(
      mail,
      rawMail({ from: 'kim@example.org', subject: 'Out of Office: back Monday', headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' } }),
    );
    expect(auto).toMatchObject({ status: 'processed', isAutoReply: 1, isBounce: 0 });
    expect(auto.noiseReason).toContain('Auto-Submitted: auto-replied');
    const list = await send(
      mail,
      rawMail({ from: 'news@example.org', subject: 'Newsletter', headers: { 'List-Id': '<news.example.org>', Precedence: 'bulk' } }),
    );
    expect(list).toMatchObject({ status: 'processed', isAutoReply: 0, isBulk: 1 });
    // The inbox shows them as what wrote them, not as the customer speaking.
    const [autoMessage] = (await getConversationMessages(mail.ctx, auto.conversationId!)).items;
    const [listMessage] = (await getConversationMessages(mail.ctx, list.conversationId!)).items;
    expect([autoMessage!.auto, listMessage!.auto]).toEqual(['auto_reply', 'bulk']);
    const own = await send(mail, rawMail({ from: `Support <${SUPPORT}>`, subject: 'Looping back' }), { from: SUPPORT });
    expect(own).toMatchObject({ status: 'ignored', conversationId: null });
  });

  it('a bounce joins the conversation of the mail it returns, as a delivery notice that changes no status', async () => {
    const original = uniqueId('orig');
    const first = await send(mail, rawMail({ messageId: original, from: 'lea@example.org', subject: 'Where is my parcel' }));
    const boundary = 'dsn-boundary';
    const bounce = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
      `To: ${SUPPORT}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${uniqueId('dsn')}>`,
      `Date: ${new Date().toUTCString()}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.example.org. Your message could not be delivered.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; lea@example.org',
      'Action: failed',
      'Status: 5.1.1',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: ${SUPPORT}`,
      'To: lea@example.org',
      `Message-ID: <${original}>`,
      'Subject: Re: Where is my parcel',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const row = await send(mail, bounce, { from: '<>' });
    expect(row).toMatchObject({ status: 'processed', isBounce: 1, conversationId: first.conversationId });
    const { items } = await getConversationMessages(mail.ctx, first.conversationId!);
    // A note under a fixed name: anyone who knows a thread's Message-ID can send a "bounce".
    expect(items.at(-1)!).toMatchObject({ isInternal: true, auto: 'bounce', sender: { type: 'bot', name: 'Mail Delivery System' } });
    expect(items[0]!.auto).toBeNull();
    const customerView = await getConversationMessages(mail.ctx, first.conversationId!, { includeInternal: false });
    expect(customerView.items.map((m) => m.body)).not.toContainEqual(expect.stringContaining('could not be delivered'));
    expect((await getConversation(mail.ctx, first.conversationId!)).status).toBe('open');
  });

  it('HTML is sanitised, the quote goes behind <details>, remote images stay for the viewer to block', async () => {
    const html = [
      '<div dir="ltr">New answer <b>here</b><img src="https://tracker.example.org/p.gif"><script>alert(1)</script>',
      '<a href="javascript:alert(2)">x</a><div style="position:fixed;top:0;color:red" onclick="evil()">styled</div></div>',
      '<div class="gmail_quote"><div class="gmail_attr">On Mon, Mar 2, 2026 Support &lt;support@example.test&gt; wrote:</div>',
      '<blockquote class="gmail_quote">Old text</blockquote></div>',
    ].join('');
    const row = await send(
      mail,
      rawMail({
        from: 'mia@example.org',
        subject: 'HTML mail',
        body: 'New answer here\n\nOn Mon, Mar 2, 2026 Support <support@example.test> wrote:\n> Old text',
        html,
      }),
    );
    const message = (await getConversationMessages(mail.ctx, row.conversationId!)).items[0]!;
    expect(message.body).toBe('New answer here');
    expect(message.htmlBody).toContain('<img src="https://tracker.example.org/p.gif" />');
    expect(message.htmlBody).not.toMatch(/script|javascript:|onclick|position:fixed/);
    expect(message.htmlBody).toContain('color:red');
    expect(message.htmlBody).toMatch(/<details class="ot-quoted"><summary>Show quoted text<\/summary><div class="gmail_quote">.*Old text.*<\/details>$/s);
    expect(message.htmlBody!.indexOf('New answer')).toBeLessThan(message.htmlBody!.indexOf('<details'));
    // The whole text stays with the mail.
    expect((await findInbound(mail.store.db, row.id))!.fullText).toContain('> Old text');
  });

  it('a text reply keeps the new part as body and the quote expandable', async () => {
    const row = await send(
      mail,
      rawMail({ from: 'noor@example.org', subject: 'Plain', body: 'Yes, that works.\n\nOn Tue, 3 Mar 2026, Support wrote:\n> Does this work?\n> Regards' }),
    );
    const message = (await getConversationMessages(mail.ctx, row.conversationId!)).items[0]!;
    expect(message.body).toBe('Yes, that works.');
    expect(message.htmlBody).toMatch(/^<div style="white-space:pre-wrap">Yes, that works\.<\/div><details class="ot-quoted">.*&gt; Does this work\?/s);
  });
});

describe.skipIf(!MAIL_PEERS.swaks)('email over SMTP: a closed conversation that must stay closed', () => {
  const mail = useEmailChannel({ reopenClosedOnCustomerReply: false });

  it('a reply opens a new conversation linked to the closed one, and later replies follow it', async () => {
    const admin = await makeAdmin(mail);
    const parent = uniqueId('closed');
    const first = await send(mail, rawMail({ messageId: parent, from: 'olga@example.org', subject: 'Warranty' }));
    await updateConversationStatus(mail.ctx, { conversation: first.conversationId!, status: 'closed', by: { userId: admin.id } });
    const reply = await send(mail, rawMail({ from: 'olga@example.org', subject: 'Re: Warranty', inReplyTo: parent, body: 'One more thing' }));
    expect(reply.conversationId).not.toBe(first.conversationId);
    const old = await getConversation(mail.ctx, first.conversationId!);
    const next = await getConversation(mail.ctx, reply.conversationId!);
    expect(old.status).toBe('closed');
    expect(next).toMatchObject({ channel: 'email', subject: 'Re: Warranty', status: 'open', customer: { email: 'olga@example.org' } });
    const oldEvents = await getConversationEvents(mail.ctx, old.id);
    expect(oldEvents.at(-1)).toMatchObject({ eventType: 'follow_up_opened', newValue: { conversationId: next.id, number: next.number } });
    expect((await getConversationEvents(mail.ctx, next.id)).map((e) => e.eventType)).toEqual(['created', 'follow_up_of']);
    // Another answer to the old thread goes to the follow-up, not a third conversation.
    const again = await send(mail, rawMail({ from: 'olga@example.org', subject: 'Re: Warranty', inReplyTo: parent, body: 'And another' }));
    expect(again.conversationId).toBe(next.id);
  });

  it('an auto-reply to a closed conversation is stored there and leaves it closed, with no follow-up', async () => {
    const admin = await makeAdmin(mail);
    const parent = uniqueId('closed-auto');
    const first = await send(mail, rawMail({ messageId: parent, from: 'pia@example.org', subject: 'Return label' }));
    await updateConversationStatus(mail.ctx, { conversation: first.conversationId!, status: 'closed', by: { userId: admin.id } });
    const auto = await send(
      mail,
      rawMail({
        from: 'pia@example.org',
        subject: 'Out of office: Re: Return label',
        inReplyTo: parent,
        headers: { 'Auto-Submitted': 'auto-replied' },
        body: 'Back on Monday.',
      }),
    );
    expect(auto).toMatchObject({ isAutoReply: 1, conversationId: first.conversationId });
    expect(await getConversation(mail.ctx, first.conversationId!)).toMatchObject({ status: 'closed' });
    expect(await bodies(mail, first.conversationId!)).toEqual(['Hello, my invoice for March is missing.', 'Back on Monday.']);
    expect((await getConversationEvents(mail.ctx, first.conversationId!)).map((e) => e.eventType)).toEqual(['created', 'closed', 'replied']);
  });
});

describe.skipIf(!MAIL_PEERS.swaks)('email over SMTP: a 20 MB attachment', () => {
  // 20 MB in base64 is about 27 MB of mail, over the 25 MB default of EMAIL_MAX_MB.
  const mail = useEmailChannel({ config: { maxBytes: 32 * 1024 * 1024 }, attachments: true });

  it('arrives whole in the attachment storage, byte for byte', { timeout: 120_000 }, async () => {
    // Made now, not committed: random bytes, so neither side can compress or dedupe them away.
    const content = randomBytes(20 * 1024 * 1024);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const boundary = 'big-attachment';
    const raw = [
      'From: Quinn <quinn@example.org>',
      `To: ${SUPPORT}`,
      'Subject: The full backup',
      `Message-ID: <${uniqueId('big')}>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The backup is attached.',
      `--${boundary}`,
      'Content-Type: application/octet-stream; name="backup.bin"',
      'Content-Disposition: attachment; filename="backup.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      (content.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const row = await send(mail, raw);
    expect(row.status).toBe('processed');
    const [message] = (await getConversationMessages(mail.ctx, row.conversationId!)).items;
    expect(message!.body).toBe('The backup is attached.');
    expect(message!.attachments).toEqual([
      expect.objectContaining({ name: 'backup.bin', contentType: 'application/octet-stream', size: content.length, sha256 }),
    ]);
    const blob = (await mail.storage!.open(sha256))!;
    const stored = createHash('sha256');
    for await (const chunk of blob.stream) stored.update(chunk as Buffer);
    expect(stored.digest('hex')).toBe(sha256);
    expect(blob.size).toBe(content.length);
  });
});

describe.skipIf(!MAIL_PEERS.swaks)('email over SMTP: limits', () => {
  const composed = useEmailApp({ email: { maxBytes: 64 * 1024 }, floodLimit: { count: 3, windowMs: 10 * 60_000 } });
  const { mail } = composed;
  const api = {} as { app: ZodApp; admin: string; agent: string };

  beforeAll(async () => {
    const accounts = accountsContext(mail.store);
    api.app = composed.app.app;
    const admin = await createUser(accounts, { name: 'Ada Admin', email: 'ada@example.test', role: 'admin', password: 'long enough password' });
    const agent = await createUser(accounts, { name: 'Al Agent', email: 'al@example.test', role: 'agent', password: 'long enough password' });
    api.admin = (await createApiToken(accounts, admin.id, 'test')).token;
    api.agent = (await createApiToken(accounts, agent.id, 'test')).token;
  });
  it('a mail over the size limit gets 552 after the data was sent, and nothing is stored', async () => {
    const big = rawMail({ subject: 'Huge', body: `${'x'.repeat(998)}\r\n`.repeat(100) });
    const result = await swaks(mail.port, { data: big });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/<\*\*\s+552/);
    expect(await findInboundByDedupeKey(mail.store.db, 'mid:none')).toBeUndefined();
    // The listener is fine afterwards.
    expect((await send(mail, rawMail({ from: 'pia@example.org', subject: 'Small' }))).status).toBe('processed');
  });

  it('a flood from one sender is suspended into the failed list; an admin lists and reprocesses it over HTTP', async () => {
    const rows = [];
    for (let i = 1; i <= 5; i++) rows.push(await send(mail, rawMail({ from: 'flood@example.org', subject: `Flood ${i}` })));
    expect(rows.map((r) => r.status)).toEqual(['processed', 'processed', 'processed', 'failed', 'failed']);
    expect(rows[3]!.error).toMatch(/^suspended: more than 3 mails from flood@example\.org/);

    const forbidden = await api.app.inject({ method: 'GET', url: '/api/email/failed', headers: { authorization: `Bearer ${api.agent}` } });
    expect(forbidden.statusCode).toBe(403);
    const listed = await api.app.inject({ method: 'GET', url: '/api/email/failed?limit=10', headers: { authorization: `Bearer ${api.admin}` } });
    expect(listed.statusCode).toBe(200);
    const items = listed.json().items as { id: number; from: string; subject: string; error: string }[];
    expect(items.map((i) => i.subject)).toEqual(['Flood 5', 'Flood 4']);
    expect(items[0]).toMatchObject({ from: 'flood@example.org', error: expect.stringContaining('suspended') });

    const reprocessed = await api.app.inject({
      method: 'POST',
      url: `/api/email/failed/${items[1]!.id}/reprocess`,
      headers: { authorization: `Bearer ${api.admin}` },
    });
    expect(reprocessed.statusCode).toBe(200);
    expect(reprocessed.json().mail).toMatchObject({ id: items[1]!.id, status: 'processed', error: null, conversationId: expect.any(Number) });
    const again = await api.app.inject({
      method: 'POST',
      url: `/api/email/failed/${items[1]!.id}/reprocess`,
      headers: { authorization: `Bearer ${api.admin}` },
    });
    expect(again.statusCode).toBe(404);
    const after = await api.app.inject({ method: 'GET', url: '/api/email/failed', headers: { authorization: `Bearer ${api.admin}` } });
    expect(after.json().items.map((i: { subject: string }) => i.subject)).toEqual(['Flood 5']);
  });
});

describe.skipIf(!MAIL_PEERS.swaks)('email over SMTP: STARTTLS', () => {
  let dir: string;
  let channel: EmailChannel;
  const mail = useEmailChannel({ config: { smtpListenPort: null } });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    // A second channel on the same store, with a certificate.
    channel = await startEmailChannel({
      store: mail.store,
      inbox: mail.ctx,
      dataDir: dir,
      config: { ...testEmailConfig(), tls: { keyFile: path.join(dir, 'key.pem'), certFile: path.join(dir, 'cert.pem') } },
      log: () => {},
    });
  });
  afterAll(async () => {
    await channel?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers STARTTLS when a certificate is configured, and takes mail over it', async () => {
    const result = await swaks(channel.smtpPort!, { data: rawMail({ from: 'quinn@example.org', subject: 'Over TLS' }), args: ['--tls'] });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/<~\s+250/);
    const id = queuedId(result);
    await channel.pipeline.idle();
    expect((await findInbound(mail.store.db, id))!.status).toBe('processed');
  });

  it('without a certificate STARTTLS is not offered', async () => {
    const plain = await startEmailChannel({ store: mail.store, inbox: mail.ctx, dataDir: path.join(dir, 'plain'), config: testEmailConfig(), log: () => {} });
    try {
      const result = await swaks(plain.smtpPort!, { data: rawMail(), args: ['--tls'] });
      expect(result.code).not.toBe(0);
    } finally {
      await plain.stop();
    }
  });
});
