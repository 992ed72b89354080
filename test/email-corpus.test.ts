import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sanitizeEmailHtml } from '../src/channels/email/html.js';
import { type EmailChannel, startEmailChannel } from '../src/channels/email/index.js';
import { parseEmail } from '../src/channels/email/parse.js';
import { htmlToText, splitHtmlQuote } from '../src/channels/email/quotes.js';
import { EventBus } from '../src/inbox/bus.js';
import { createInboxContext, type InboxContext } from '../src/inbox/context.js';
import { getConversation, getConversationMessages } from '../src/inbox/queries.js';
import type { Store } from '../src/store/database.js';
import { findInbound, type InboundRow } from '../src/store/email.js';
import { type EmailHarness, testEmailConfig, useEmailChannel } from './support/email.js';
import { ROOT } from './support/run.js';
import { makeTestStore } from './support/store.js';

// Real raw mail through the whole pipeline: our own hand-written fixtures always, and the
// shared corpus of messages collected from mail libraries when it is there.

const OWN = path.join(ROOT, 'test/fixtures/email');
const CORPUS = path.resolve(ROOT, '../shared/fixtures/email');
const hasCorpus = existsSync(path.join(CORPUS, 'index.json'));
if (!hasCorpus) console.log(`[onethread tests] email corpus: ${CORPUS} not found; the shared-corpus suite is skipped`);

async function ingest(channel: EmailChannel, store: Store, bytes: Buffer): Promise<InboundRow> {
  const result = await channel.pipeline.accept([bytes], { from: null, to: [] }, 'imap');
  if (result.status !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(result)}`);
  await channel.pipeline.idle();
  return (await findInbound(store.db, result.id))!;
}

const own = (name: string) => readFileSync(path.join(OWN, name));
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('email fixtures written for these tests', () => {
  const mail = useEmailChannel({ config: { smtpListenPort: null }, attachments: true });
  const file = (harness: EmailHarness, name: string) => ingest(harness.channel, harness.store, own(name));
  const lastMessage = async (conversationId: number) => (await getConversationMessages(mail.ctx, conversationId)).items.at(-1)!;

  it('one thread as Gmail, Outlook and Apple Mail write it: all in one conversation, quotes stripped', async () => {
    const original = await file(mail, 'original.eml');
    const conversation = await getConversation(mail.ctx, original.conversationId!);
    expect(conversation).toMatchObject({
      number: 'CONV-000001',
      subject: 'Order 1001 arrived damaged',
      customer: { name: 'Sofia Lindqvist', email: 'sofia@example.org' },
    });

    const gmail = await file(mail, 'gmail-reply.eml');
    expect(gmail.conversationId).toBe(conversation.id);
    const gmailMessage = await lastMessage(conversation.id);
    expect(gmailMessage.body).toBe('Here is a photo of the lid, taken this morning.');
    expect(gmailMessage.htmlBody).toMatch(
      /^<div dir="ltr">Here is a photo of the lid, taken this morning\.<\/div><br \/><details class="ot-quoted"><summary>Show quoted text<\/summary><div class="gmail_quote gmail_quote_container">/,
    );

    // Outlook: In-Reply-To only (to the Gmail reply), ISO-8859-1 quoted-printable.
    const outlook = await file(mail, 'outlook-reply.eml');
    expect(outlook.conversationId).toBe(conversation.id);
    const outlookMessage = await lastMessage(conversation.id);
    expect(outlookMessage.body).toBe('The courier collected the broken one already.');
    const visibleOutlook = outlookMessage.htmlBody!.slice(0, outlookMessage.htmlBody!.indexOf('<details'));
    expect(visibleOutlook).toContain('The courier collected the broken one already.');
    expect(visibleOutlook).not.toContain('divRplyFwdMsg');
    expect(outlookMessage.htmlBody).toMatch(
      /<details class="ot-quoted"><summary>Show quoted text<\/summary><div id="appendonsend"><\/div><hr[^>]*\/><div id="divRplyFwdMsg"/,
    );

    // Apple Mail: References only.
    const apple = await file(mail, 'apple-reply.eml');
    expect(apple.conversationId).toBe(conversation.id);
    const appleMessage = await lastMessage(conversation.id);
    expect(appleMessage.body).toBe('Perfect, thank you! Die neue Dose kam heute an. ✔');
    expect(htmlToText(appleMessage.htmlBody!.slice(0, appleMessage.htmlBody!.indexOf('<details')))).toBe('Perfect, thank you! Die neue Dose kam heute an. ✔');

    // No threading headers, only the subject token: it threads for Sofia, not for a stranger.
    const headerless = await file(mail, 'headerless-reply.eml');
    expect(headerless.conversationId).toBe(conversation.id);
    const stranger = await file(mail, 'stranger-token.eml');
    expect(stranger.status).toBe('processed');
    expect(stranger.conversationId).not.toBe(conversation.id);
    expect((await getConversation(mail.ctx, conversation.id)).messageCount).toBe(5);
  });

  it('attachments go to the attachment store; a cid: image is shown inline from it', async () => {
    const row = await file(mail, 'inline-image.eml');
    const message = await lastMessage(row.conversationId!);
    expect(message.attachments.map((a) => [a.name, a.contentType])).toEqual([
      ['logo.png', 'image/png'],
      ['invoice 2026-03.pdf', 'application/pdf'],
    ]);
    for (const attachment of message.attachments) {
      const blob = await mail.storage!.open(attachment.sha256);
      expect(blob?.size).toBe(attachment.size);
      // Its stream holds the file open until read or destroyed.
      blob?.stream.destroy();
    }
    expect(message.htmlBody).toMatch(/<img src="data:image\/png;base64,iVBORw0KGgo[^"]+" alt="logo\.png" \/>/);
    expect(message.body).toBe('The error looks like this: [image: logo.png]\nThe invoice is attached.');
  });

  it('a large inline image is not put into the HTML: it names its stored attachment instead', async () => {
    const big = Buffer.alloc(2_300_000, 7);
    big.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const raw = [
      'From: big@example.org',
      'To: support@example.test',
      'Subject: Big picture',
      'Message-ID: <big-inline@example.org>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See <img src="cid:big@example.org"></p>',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <big@example.org>',
      'Content-Transfer-Encoding: base64',
      '',
      big.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--r--',
      '',
    ].join('\r\n');
    const row = await ingest(mail.channel, mail.store, Buffer.from(raw));
    const message = await lastMessage(row.conversationId!);
    expect(message.attachments).toHaveLength(1);
    expect(message.htmlBody).toContain(`<img src="" data-ot-attachment="${message.attachments[0]!.sha256}" />`);
    expect(message.body).toBe('See');
  });

  it.each([
    ['windows-1252.eml', 'Rechnung € 120 – “dringend”', 'Renée Müller', 'die Rechnung über 120 € ist „falsch“ – bitte prüfen.'],
    ['iso-8859-1.eml', 'Grüße aus Köln', 'Jens Kjær', 'Schöne Grüße, ça va très bien.'],
    ['iso-2022-jp.eml', '請求書について', '山田太郎', 'こんにちは。請求書が届いていません。'],
    ['big5.eml', '訂單問題', '陳小明', '你好，我的訂單還沒有到。'],
  ])('%s: subject, sender name and body decode', async (name, subject, sender, text) => {
    const row = await file(mail, name);
    expect(row.status).toBe('processed');
    const conversation = await getConversation(mail.ctx, row.conversationId!);
    expect(conversation.subject).toBe(subject);
    expect(conversation.customer.name).toBe(sender);
    expect((await lastMessage(conversation.id)).body).toContain(text);
  });
});

type Entry = { file: string; kind: string; isBounce: boolean | null; isAutoReply: boolean | null; hasInReplyTo: boolean | null };
const NOT_MESSAGES = new Set(['body-text', 'html-reply-fragment', 'expected-output']);

describe.skipIf(!hasCorpus)('the shared email corpus (../shared/fixtures/email)', () => {
  const index = hasCorpus ? (JSON.parse(readFileSync(path.join(CORPUS, 'index.json'), 'utf8')) as Entry[]) : [];
  const messages = index.filter((entry) => !NOT_MESSAGES.has(entry.kind));

  it('every message is stored or kept as failed with a reason; senders are named; flags match; replies thread; charsets decode', {
    timeout: 180_000,
  }, async () => {
    expect(messages.length).toBeGreaterThan(90);
    const outcomes = new Map<
      string,
      { row: InboundRow; round: number; senderName: string | null; body: string | null; htmlBody: string | null; subject: string | null }
    >();
    const threadChecks: { file: string; parent: string }[] = [];
    // Several fixtures share a Message-ID (they are variants of one template), and one
    // Message-ID is stored once: a fixture whose id was seen goes into the next round,
    // which runs on a fresh database.
    let pending = messages;
    for (let round = 0; pending.length > 0; round++) {
      const deferred: Entry[] = [];
      const world = await freshWorld();
      try {
        const roundMessageIds = new Map<string, string>();
        for (const entry of pending) {
          const bytes = readFileSync(path.join(CORPUS, entry.file));
          const result = await world.channel.pipeline.accept([bytes], { from: null, to: [] }, 'imap');
          if (result.status === 'duplicate') {
            deferred.push(entry);
            continue;
          }
          expect(result.status, entry.file).toBe('accepted');
          await world.channel.pipeline.idle();
          const row = (await findInbound(world.store.db, (result as { id: number }).id))!;
          let senderName: string | null = null;
          let body: string | null = null;
          let htmlBody: string | null = null;
          let subject: string | null = null;
          if (row.status === 'processed') {
            const conversation = await getConversation(world.inbox, row.conversationId!);
            const message = (await getConversationMessages(world.inbox, conversation.id, { limit: 100 })).items.find((m) => m.id === row.messageRowId)!;
            senderName = message.sender.name;
            body = message.body;
            htmlBody = message.htmlBody;
            subject = conversation.subject;
          }
          outcomes.set(entry.file, { row, round, senderName, body, htmlBody, subject });
          const parsed = await parseEmail(bytes, { from: null });
          if (parsed.messageId) roundMessageIds.set(parsed.messageId, entry.file);
          for (const parent of parsed.inReplyTo) {
            if (roundMessageIds.has(parent) && roundMessageIds.get(parent) !== entry.file)
              threadChecks.push({ file: entry.file, parent: roundMessageIds.get(parent)! });
          }
        }
        // Nothing crashed the pipeline: it still files an ordinary mail.
        const probe = await ingest(
          world.channel,
          world.store,
          Buffer.from('From: probe@example.org\r\nTo: support@example.test\r\nSubject: probe\r\nMessage-ID: <probe@example.org>\r\n\r\nstill alive\r\n'),
        );
        expect(probe.status).toBe('processed');
      } finally {
        await world.close();
      }
      expect(deferred.length, 'each round stores something').toBeLessThan(pending.length);
      pending = deferred;
    }

    expect(outcomes.size).toBe(messages.length);
    for (const entry of messages) {
      const outcome = outcomes.get(entry.file)!;
      const { row } = outcome;
      expect(['processed', 'failed'], `${entry.file}: ${row.status} ${row.error}`).toContain(row.status);
      if (row.status === 'failed') {
        expect(row.error, entry.file).toMatch(/\S/);
      } else {
        expect(outcome.senderName, entry.file).toMatch(/\S/);
        expect(outcome.senderName, entry.file).not.toBe('Unknown');
        // The name this mail gave (the customer keeps the first name their address came with).
        expect(row.senderName, entry.file).toMatch(/\S/);
      }
      expect({ file: entry.file, bounce: row.isBounce === 1, autoReply: row.isAutoReply === 1 }).toEqual({
        file: entry.file,
        bounce: entry.isBounce === true,
        autoReply: entry.isAutoReply === true,
      });
    }
    // Only mails with no sender address anywhere are left failed.
    const failed = [...outcomes].filter(([, o]) => o.row.status === 'failed');
    for (const [file, o] of failed) expect(o.row.error, file).toMatch(/^no usable sender address/);
    expect(failed.length).toBeLessThanOrEqual(5);

    // Replies whose parent is in the same round share its conversation.
    expect(threadChecks.length).toBeGreaterThan(0);
    for (const { file, parent } of threadChecks) {
      expect(outcomes.get(file)!.row.conversationId, `${file} → ${parent}`).toBe(outcomes.get(parent)!.row.conversationId);
    }

    // Charsets, spot-checked.
    expect(outcomes.get('mimekit/japanese.txt')).toMatchObject({ subject: '日本語メールテスト (testing Japanese emails)', senderName: 'Atsushi Eno' });
    expect(outcomes.get('mimekit/japanese.txt')!.body).toContain('日本語が\n正常に\n送れているか');
    expect(outcomes.get('chatwoot/non_utf_encoded_mail.eml')).toMatchObject({ subject: 'أهلين عميلنا الكريم', senderName: 'متجر سوق نت' });
    expect(outcomes.get('mailparser/decoderended.eml')!.htmlBody).toContain('html sectionÜ');
    expect(outcomes.get('mimekit/issue1130.txt')!.body).toContain('You do not currently have access to this content.');

    // Quote stripping against talon's expected reply texts.
    for (const name of ['iphone', 'sparrow']) {
      const expected = readFileSync(path.join(CORPUS, `talon/standard_replies__${name}_reply_text`), 'utf8');
      expect(squash(outcomes.get(`talon/standard_replies__${name}.eml`)!.body!), name).toBe(squash(expected));
    }
    for (const client of ['gmail', 'apple_mail', 'thunderbird', 'yahoo', 'aol', 'comcast', 'android', 'outlook', 'hotmail']) {
      expect(outcomes.get(`talon/standard_replies__${client}.eml`)!.body, client).toBe('Hello');
    }
    // A bounce of a mail we never sent still lands somewhere, flagged.
    expect(outcomes.get('chatwoot/bounced_with_no_from.eml')!.row).toMatchObject({ status: 'processed', isBounce: 1 });
  });

  it.each(index.filter((entry) => entry.kind === 'html-reply-fragment').map((entry) => entry.file))('%s: the HTML quote is cut off', (file) => {
    const { visible, quoted } = splitHtmlQuote(sanitizeEmailHtml(readFileSync(path.join(CORPUS, file), 'utf8')));
    expect(squash(htmlToText(visible))).toBe('Hi. I am fine. Thanks, Alex');
    expect(htmlToText(quoted ?? '')).toMatch(/How are you\?/);
  });
});

type World = { store: Store; inbox: InboxContext; channel: EmailChannel; close(): Promise<void> };

async function freshWorld(): Promise<World> {
  const store = await makeTestStore();
  const inbox = createInboxContext({ store, bus: new EventBus() });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-corpus-'));
  const channel = await startEmailChannel({
    store,
    inbox,
    dataDir,
    config: { ...testEmailConfig(), smtpListenPort: null },
    floodLimit: { count: 1000, windowMs: 60_000 },
    log: () => {},
  });
  return {
    store,
    inbox,
    channel,
    async close() {
      await channel.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
