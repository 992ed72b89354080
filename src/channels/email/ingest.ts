import { createHash } from 'node:crypto';
import { storeAttachment, type AttachmentStorage } from '../../attachments/index.js';
import { addMessage, createConversation, linkFollowUp, type MessageResult } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { DomainError } from '../../inbox/errors.js';
import { getConversation } from '../../inbox/queries.js';
import type { Conversation } from '../../inbox/records.js';
import type { NewAttachment } from '../../store/messages.js';
import type { Store } from '../../store/database.js';
import {
  claimInbound,
  countInboundFromSender,
  findConversationsByMessageIds,
  findFollowUp,
  findInbound,
  findInboundByDedupeKey,
  findInboundBySpoolName,
  findSpoolNames,
  finishInbound,
  insertInbound,
  listClaimableInbound,
  markOutboundBounced,
  recordMessageIds,
  releaseInbound,
  requeueInbound,
  saveFollowUp,
  type InboundOutcome,
  type MessageIdRecord,
  type InboundRow,
} from '../../store/email.js';
import { isUniqueViolation, transact } from '../../store/transaction.js';
import { sanitizeEmailHtml } from './html.js';
import { normalizeMessageId, parseMessageIdList } from './message-ids.js';
import { parseEmail, type ParsedEmail } from './parse.js';
import { escapeHtml, htmlToText, splitHtmlQuote, splitTextQuote } from './quotes.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';
import { readHeaderBlock, type Envelope, type MailOrigin, type MailSource, type MailSpool } from './spool.js';
import { findThread, type ThreadMatch } from './threading.js';

// The one pipeline behind SMTP and IMAP.
//
// accept(): the raw mail goes to the spool (fsynced file, then a row keyed by Message-ID
// or raw hash). Only when accept() resolves may the SMTP listener say 250; a throw means
// 451 and the sender tries again. A mail whose key is known is a duplicate: acknowledged,
// not stored again.
//
// process: from the stored copy, a few at a time in arrival order (a reply waits for its
// parent): parse, sort out noise (noise.ts), the flood limit and our own mail, find the
// thread (threading.ts), and write through the inbox commands with the mail's key as the
// message's idempotency key, so processing a mail twice (after a crash between the
// command and the row update) stores it once. A mail that cannot be processed is kept
// as `failed` with the error: the admins' failed-mail list, from which it can be
// processed again.
//
// How a message stores a mail (the representation the inbox shows):
//   body      the new part as text: quotes stripped (quotes.ts), signature kept;
//   htmlBody  the sanitised HTML, with the quoted part moved into
//             <details class="ot-quoted"><summary>Show quoted text</summary>…</details>,
//             which the sandboxed viewer expands without any script. A text-only mail
//             whose quote was stripped gets the same shape (pre-wrapped text), so its
//             quote is expandable too; a text mail without a quote has no htmlBody;
//   the full text (quotes included) stays on the mail's row (email_inbound.fullText),
//   the raw mail in DATA_DIR/mail/archive.

export type IngestLog = (message: string, details?: Record<string, unknown>) => void;

export type IngestOptions = {
  store: Store;
  inbox: InboxContext;
  spool: MailSpool;
  support: SupportAddresses;
  tokens: ReplyTokens;
  maxBytes: number;
  /** Where email attachments are stored; without it attachments are left out (the raw mail keeps them). */
  attachments?: AttachmentStorage | null;
  /** More than `count` mails from one sender within `windowMs` are suspended into the failed list. */
  floodLimit?: { count: number; windowMs: number };
  /** How long a mail being processed is this processor's; a dead processor's mail is taken again after it. */
  leaseMs?: number;
  /** Mails processed side by side (4). */
  concurrency?: number;
  clock?: () => number;
  log?: IngestLog;
};

export type AcceptResult =
  | { status: 'accepted'; id: number }
  | { status: 'duplicate'; id: number | null }
  | { status: 'too_large'; size: number };

type ProcessOptions = { ignoreFloodLimit?: boolean; depth?: number };

const EMAIL_SYSTEM = { system: 'Email' } as const;
const DEFAULT_FLOOD = { count: 20, windowMs: 10 * 60_000 };
/** Inline images up to this size (all together) are put into the HTML as data: URLs, which the viewer shows at once. */
const INLINE_DATA_LIMIT = 2 * 1024 * 1024;
const MAX_BODY = 1_000_000;
const MAX_HTML = 5_000_000;
const MAX_SUBJECT = 500;

export class IngestPipeline {
  private readonly clock: () => number;
  private readonly log: IngestLog;
  private readonly flood: { count: number; windowMs: number };
  private readonly leaseMs: number;
  private readonly queue: { id: number; options: ProcessOptions; done: () => void }[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly concurrency: number;
  private workers = 0;
  private stopped = false;

  constructor(private readonly options: IngestOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((message, details) => console.error(`email: ${message}`, details ?? ''));
    this.flood = options.floodLimit ?? DEFAULT_FLOOD;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  // --- intake ------------------------------------------------------------------------

  /**
   * Stores a raw mail durably. Resolves once it is safe to acknowledge (250); throws when
   * it is not (451). Processing follows in the background.
   */
  async accept(source: MailSource, envelope: Envelope, origin: MailOrigin): Promise<AcceptResult> {
    const { spool, store } = this.options;
    const received = await spool.receive(source, { maxBytes: this.options.maxBytes, origin, envelope });
    if (received.tooLarge) return { status: 'too_large', size: received.size };
    let spoolName: string | null = null;
    try {
      const messageId = normalizeMessageId(parseMessageIdList(readHeaderBlock(received.head).get('message-id') ?? [])[0]);
      const dedupeKey = messageId ? `mid:${messageId}` : `sha256:${received.sha256}`;
      const known = await findInboundByDedupeKey(store.db, dedupeKey);
      if (known) {
        await spool.discard(received);
        return { status: 'duplicate', id: Number(known.id) };
      }
      const receivedAt = this.clock();
      spoolName = await spool.commit(received, receivedAt);
      const row = {
        dedupeKey,
        headerMessageId: messageId,
        sha256: received.sha256,
        size: received.size,
        source: origin,
        spoolName,
        envelopeFrom: envelope.from,
        envelopeTo: JSON.stringify(envelope.to),
        receivedAt,
      };
      let id: number;
      try {
        id = await transact(store, (tx) => insertInbound(tx, row));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // The same mail arrived another way at the same moment; that copy is the one kept.
        await spool.remove(spoolName);
        return { status: 'duplicate', id: Number((await findInboundByDedupeKey(store.db, dedupeKey))?.id ?? 0) || null };
      }
      void this.schedule(id);
      return { status: 'accepted', id };
    } catch (error) {
      // Not acknowledged: the sender tries again. A mail already in the spool stays there
      // and is indexed at the next start (its copy from the retry is then a duplicate).
      if (spoolName === null) await spool.discard(received).catch(() => undefined);
      throw error;
    }
  }

  /**
   * At start: indexes spool files that have no row (the process stopped, or power was
   * lost, between the fsync and the commit), archives finished ones, and queues every
   * pending mail.
   */
  async recover(): Promise<{ indexed: number; queued: number }> {
    const { spool, store } = this.options;
    await spool.init();
    const names = await spool.listSpooled();
    let indexed = 0;
    for (let i = 0; i < names.length; i += 500) {
      const chunk = names.slice(i, i + 500);
      const known = await findSpoolNames(store.db, chunk);
      for (const name of chunk) {
        if (known.has(name)) continue;
        if (await this.indexSpooled(name)) indexed++;
      }
    }
    for (const name of await spool.listSpooled()) {
      const row = await findInboundBySpoolName(store.db, name);
      // Finished, but the file was not moved yet.
      if (row && row.status !== 'pending') await spool.archive(name);
      // Pending with a lease: taken by this DATA_DIR's previous process, which is gone (one
      // running instance per DATA_DIR), so it need not wait for the lease to run out.
      else if (row && row.lockedUntil !== null) await transact(store, (tx) => releaseInbound(tx, Number(row.id)));
    }
    const queued = await this.queuePending();
    return { indexed, queued };
  }

  private async indexSpooled(name: string): Promise<boolean> {
    const { spool, store } = this.options;
    const { raw, envelope, origin } = await spool.read(name);
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const messageId = normalizeMessageId(parseMessageIdList(readHeaderBlock(raw.subarray(0, 256 * 1024)).get('message-id') ?? [])[0]);
    const dedupeKey = messageId ? `mid:${messageId}` : `sha256:${sha256}`;
    const receivedAt = Number(/^(\d+)-/.exec(name)?.[1] ?? this.clock());
    try {
      await transact(store, (tx) =>
        insertInbound(tx, {
          dedupeKey,
          headerMessageId: messageId,
          sha256,
          size: raw.byteLength,
          source: origin,
          spoolName: name,
          envelopeFrom: envelope.from,
          envelopeTo: JSON.stringify(envelope.to),
          receivedAt,
        }),
      );
      this.log('recovered a spooled mail that had no row', { spoolName: name });
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await spool.remove(name);
      return false;
    }
  }

  /**
   * Queues every pending mail nobody holds whose raw copy is in this spool; answers how
   * many. (Instances sharing a PostgreSQL database each process what they received.)
   */
  async queuePending(): Promise<number> {
    const rows = await listClaimableInbound(this.options.store.db, this.clock(), 10_000);
    let queued = 0;
    for (const { id, spoolName } of rows) {
      if (this.inFlight.has(id) || this.queue.some((job) => job.id === id)) continue;
      if (!(await this.options.spool.has(spoolName))) continue;
      void this.schedule(id);
      queued++;
    }
    return queued;
  }

  /** Puts a failed mail back and processes it at once, without the flood limit; answers its row afterwards. */
  async reprocess(id: number): Promise<InboundRow | null> {
    const row = await findInbound(this.options.store.db, id);
    if (!row) return null;
    if (!(await transact(this.options.store, (tx) => requeueInbound(tx, id)))) {
      throw new DomainError('conflict', `mail ${id} is ${row.status}, not failed`);
    }
    await this.schedule(id, { ignoreFloodLimit: true });
    return (await findInbound(this.options.store.db, id)) ?? null;
  }

  // --- the queue ---------------------------------------------------------------------
  //
  // A few mails are processed side by side (their commits share the database's flush);
  // a reply never overtakes its parent: it waits for a parent that arrived before it and
  // is still pending or being processed (see settleParents). Waiting only on earlier
  // mails means no two mails can wait on each other.

  /** Processes the mail after the ones already queued; resolves when it has been handled. */
  schedule(id: number, options: ProcessOptions = {}): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ id, options, done });
      this.pump();
    });
  }

  private pump(): void {
    while (!this.stopped && this.workers < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.workers++;
      void this.run(job.id, job.options)
        .catch((error: unknown) => this.log('processing a mail failed; it stays pending and is retried', { id: job.id, error: describe(error) }))
        .finally(() => {
          job.done();
          this.workers--;
          this.pump();
          this.wakeIfIdle();
        });
    }
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.workers === 0 && (this.queue.length === 0 || this.stopped)) for (const wake of this.waiting.splice(0)) wake();
  }

  /** Processes one mail, or joins its processing when it is already under way here. */
  private run(id: number, options: ProcessOptions): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const processing = this.processOne(id, options).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, processing);
    return processing;
  }

  /** Resolves once nothing is queued or being processed. */
  idle(): Promise<void> {
    if (this.workers === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Stops taking mails from the queue and waits for those being processed; the rest stay pending in the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const job of this.queue.splice(0)) job.done();
    await this.idle();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  // --- processing --------------------------------------------------------------------

  private async processOne(id: number, options: ProcessOptions): Promise<void> {
    const { store, spool } = this.options;
    const now = this.clock();
    const row = await transact(store, (tx) => claimInbound(tx, id, now, now + this.leaseMs));
    if (!row) return;
    let stored;
    try {
      stored = await spool.read(row.spoolName);
    } catch (error) {
      // Another instance's spool (a DATA_DIR that is not shared), or a file removed by hand.
      await transact(store, (tx) => releaseInbound(tx, id));
      this.log('cannot read a spooled mail here; left for its own instance', { id, spoolName: row.spoolName, error: describe(error) });
      return;
    }
    let outcome: InboundOutcome;
    let messageIds: MessageIdRecord[] = [];
    try {
      ({ outcome, messageIds } = await this.handle(row, stored.raw, options));
    } catch (error) {
      if (isTransient(error)) {
        // The database is away or busy: not the mail's fault. It stays pending and is taken again.
        await transact(store, (tx) => releaseInbound(tx, id)).catch(() => undefined);
        throw error;
      }
      outcome = { status: 'failed', error: describe(error) };
    }
    await transact(store, async (tx) => {
      await recordMessageIds(tx, messageIds, this.clock());
      await finishInbound(tx, id, trimOutcome(outcome), this.clock());
    });
    if (outcome.status === 'failed') this.log('mail kept in the failed list', { id, error: outcome.error });
    await spool.archive(row.spoolName);
  }

  private async handle(row: InboundRow, raw: Buffer, options: ProcessOptions): Promise<{ outcome: InboundOutcome; messageIds: MessageIdRecord[] }> {
    const { store, support } = this.options;
    const envelopeTo = JSON.parse(row.envelopeTo) as string[];
    const mail = await parseEmail(raw, { from: row.envelopeFrom });
    const flags = {
      subject: mail.subject.slice(0, MAX_SUBJECT) || null,
      isAutoReply: mail.noise.isAutoReply ? 1 : 0,
      isBounce: mail.noise.isBounce ? 1 : 0,
      isBulk: mail.noise.isBulk ? 1 : 0,
      noiseReason: mail.noise.reasons.join('; ') || null,
      senderName: mail.from?.name ?? null,
    };
    const done = (outcome: InboundOutcome) => ({ outcome, messageIds: [] });
    if (!mail.from) {
      return done({ status: 'failed', ...flags, error: 'no usable sender address: From, Sender, Reply-To and the envelope sender are missing or not addresses' });
    }
    const sender = mail.from.address;
    if (support.isOwn(sender)) return done({ status: 'ignored', ...flags, senderEmail: sender, error: 'sent from one of our own addresses' });

    if (!options.ignoreFloodLimit) {
      // Mails are processed in arrival order, so the earlier ones of the window carry their sender already; +1 is this one.
      const recent = 1 + (await countInboundFromSender(store.db, sender, row.receivedAt - this.flood.windowMs, row.receivedAt));
      if (recent > this.flood.count) {
        return done({
          status: 'failed',
          ...flags,
          senderEmail: sender,
          error: `suspended: more than ${this.flood.count} mails from ${sender} within ${Math.round(this.flood.windowMs / 60_000)} minutes (flood); reprocess to let it in`,
        });
      }
    }

    const content = await this.content(mail);
    const externalKey = `email:${row.dedupeKey}`;
    const result = await this.write(row, mail, content, externalKey, envelopeTo, options);
    // Written with the row's outcome: a crash before that processes the mail again, and the
    // command's idempotency key returns the message already stored.
    const messageIds: MessageIdRecord[] = mail.messageId
      ? [{ messageId: mail.messageId, exactId: mail.exactMessageId ?? mail.messageId, conversationId: result.conversation.id, messageRowId: result.message.id, direction: 'in' }]
      : [];
    return {
      outcome: {
        status: 'processed',
        ...flags,
        senderEmail: sender,
        conversationId: result.conversation.id,
        messageRowId: result.message.id,
        fullText: content.fullText,
      },
      messageIds,
    };
  }

  /** Files the mail: a bounce with the mail it returns, a reply in its thread, anything else as a new conversation. */
  private async write(row: InboundRow, mail: ParsedEmail, content: Content, externalKey: string, envelopeTo: string[], options: ProcessOptions): Promise<MessageResult> {
    const { inbox: ctx, store } = this.options;
    const from = { customerEmail: mail.from!.address, name: mail.from!.name };
    const message = { body: content.body, htmlBody: content.htmlBody, attachments: content.attachments, sentAt: mail.sentAt, externalKey };

    if (mail.noise.isBounce && mail.bounced.length > 0) {
      const known = await findConversationsByMessageIds(store.db, mail.bounced);
      for (const bouncedId of mail.bounced) {
        const conversationId = known.get(bouncedId);
        const conversation = conversationId === undefined ? null : await existing(ctx, conversationId);
        if (!conversation) continue;
        await transact(store, (tx) => markOutboundBounced(tx, bouncedId, `bounced: ${mail.subject || 'delivery failure'}`.slice(0, 500)));
        // Written by the bot: a bounce is news for the team, not the customer speaking, so it changes no status.
        return addMessage(ctx, { ...message, conversation: conversation.id, from: { bot: mail.from!.name || 'Mail Delivery System' } });
      }
    }

    const match = await findThread(
      {
        inbox: ctx,
        tokens: this.options.tokens,
        support: this.options.support,
        settleParents: (ids) => this.settleParents(ids, row, options),
      },
      mail,
      { envelopeTo, senderEmail: mail.from!.address },
    );
    if (match) {
      const target = await this.followUpOf(match);
      if (target.status !== 'closed' || ctx.reopenClosedOnCustomerReply) {
        try {
          return await addMessage(ctx, { ...message, conversation: target.id, from });
        } catch (error) {
          if (!(error instanceof DomainError && error.code === 'invalid_transition')) throw error;
        }
      }
      // A reply to a closed conversation (that must not reopen): a new one, linked to it.
      const created = await createConversation(ctx, { ...message, from, channel: 'email', subject: subjectOf(mail, target.subject) });
      if (created.conversation.id !== target.id) {
        const linked = (await findFollowUp(store.db, target.id)) === created.conversation.id;
        if (created.created || !linked) {
          await linkFollowUp(ctx, { conversation: target.id, followUp: created.conversation.id, by: EMAIL_SYSTEM });
          await transact(store, (tx) => saveFollowUp(tx, target.id, created.conversation.id, this.clock()));
        }
      }
      return created;
    }
    return createConversation(ctx, { ...message, from, channel: 'email', subject: subjectOf(mail, null) });
  }

  /** A closed conversation that was already continued elsewhere: continue there. */
  private async followUpOf(match: ThreadMatch): Promise<Conversation> {
    let conversation = match.conversation;
    for (let hops = 0; hops < 10 && conversation.status === 'closed'; hops++) {
      const next = await findFollowUp(this.options.store.db, conversation.id);
      const found = next === null ? null : await existing(this.options.inbox, next);
      if (!found) break;
      conversation = found;
    }
    return conversation;
  }

  /**
   * Lets the parents of a reply be filed first: a mail carrying one of these Message-IDs
   * that arrived before this one and is still pending or being processed is processed (or
   * waited for) now, so the reply lands in its parent's conversation.
   */
  private async settleParents(messageIds: string[], self: InboundRow, options: ProcessOptions): Promise<void> {
    const depth = options.depth ?? 0;
    if (depth >= 5) return;
    for (const messageId of messageIds) {
      const parent = await findInboundByDedupeKey(this.options.store.db, `mid:${messageId}`);
      if (!parent || parent.status !== 'pending' || Number(parent.id) >= Number(self.id)) continue;
      await this.run(Number(parent.id), { depth: depth + 1 });
    }
  }

  private async content(mail: ParsedEmail): Promise<Content> {
    const attachments = await this.storeAttachments(mail);
    let html = mail.html ? sanitizeEmailHtml(mail.html) : null;
    if (html) html = inlineImages(html, mail, attachments.byCid);
    const htmlSplit = html ? splitHtmlQuote(html) : null;
    const textSplit = mail.text.trim()
      ? splitTextQuote(mail.text)
      : htmlSplit
        ? { visible: htmlToText(htmlSplit.visible), quoted: htmlSplit.quoted ? htmlToText(htmlSplit.quoted) : null }
        : { visible: '', quoted: null };
    const fullText = mail.text.trim() ? mail.text : html ? htmlToText(html) : '';

    let htmlBody: string | null = null;
    if (htmlSplit) htmlBody = htmlSplit.visible + (htmlSplit.quoted ? quotedBlock(htmlSplit.quoted) : '');
    else if (textSplit.quoted) htmlBody = preText(textSplit.visible) + quotedBlock(preText(textSplit.quoted));
    if (htmlBody && htmlBody.length > MAX_HTML) {
      // Inline data: images first, then the HTML altogether: the text stays, the raw mail keeps the rest.
      htmlBody = htmlBody.replace(/src="data:[^"]*"/g, 'src=""');
      if (htmlBody.length > MAX_HTML) htmlBody = null;
    }
    let body = textSplit.visible.trim();
    if (!body && !htmlBody && attachments.list.length === 0) body = mail.subject ? `(no text) ${mail.subject}` : '(empty message)';
    if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - 200)}\n\n[… shortened: the whole text is kept with the original mail]`;
    return { body, htmlBody, attachments: attachments.list, fullText };
  }

  private async storeAttachments(mail: ParsedEmail): Promise<{ list: NewAttachment[]; byCid: Map<string, { meta: NewAttachment; content: Buffer }> }> {
    const storage = this.options.attachments;
    const list: NewAttachment[] = [];
    const byCid = new Map<string, { meta: NewAttachment; content: Buffer }>();
    if (!storage) return { list, byCid };
    for (const attachment of mail.attachments) {
      const type = attachment.contentType.toLowerCase();
      // The delivery report of a bounce is shown as its text already.
      if (type === 'message/delivery-status') continue;
      const meta = await storeAttachment(storage, attachment.content, {
        name: attachment.filename ?? (attachment.cid ? `inline-${list.length + 1}` : null),
        declaredType: attachment.contentType,
        maxBytes: this.options.maxBytes,
      });
      list.push(meta);
      if (attachment.cid) byCid.set(attachment.cid.toLowerCase(), { meta, content: attachment.content });
    }
    return { list, byCid };
  }
}

type Content = { body: string; htmlBody: string | null; attachments: NewAttachment[]; fullText: string };

const quotedBlock = (html: string) => `<details class="ot-quoted"><summary>Show quoted text</summary>${html}</details>`;
const preText = (text: string) => `<div style="white-space:pre-wrap">${escapeHtml(text.trim())}</div>`;

/**
 * cid: images: small ones become data: URLs (shown at once by the sandboxed viewer); the
 * others lose their src and name their stored attachment in data-ot-attachment (its
 * sha256), for the client to fetch. Without attachment storage, small images are still
 * inlined from the mail itself.
 */
function inlineImages(html: string, mail: ParsedEmail, stored: Map<string, { meta: NewAttachment; content: Buffer }>): string {
  let budget = INLINE_DATA_LIMIT;
  const fromMail = new Map(mail.attachments.filter((a) => a.cid).map((a) => [a.cid!.toLowerCase(), a]));
  return html.replace(/src="cid:([^"]+)"/gi, (whole, encoded: string) => {
    const cid = encoded.replace(/&amp;/g, '&').toLowerCase();
    const attachment = fromMail.get(cid);
    const meta = stored.get(cid)?.meta;
    if (attachment && /^image\/[\w.+-]+$/i.test(attachment.contentType) && attachment.content.byteLength <= budget) {
      budget -= attachment.content.byteLength;
      return `src="data:${attachment.contentType.toLowerCase()};base64,${attachment.content.toString('base64')}"`;
    }
    return meta ? `src="" data-ot-attachment="${meta.sha256}"` : whole;
  });
}

function subjectOf(mail: ParsedEmail, fallback: string | null): string {
  const subject = mail.subject.replace(/\s*\[CONV-\d{1,15}\]\s*/gi, ' ').trim();
  return (subject || fallback || '(no subject)').slice(0, MAX_SUBJECT);
}

async function existing(ctx: InboxContext, id: number): Promise<Conversation | null> {
  try {
    return await getConversation(ctx, id);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return null;
    throw error;
  }
}

function trimOutcome(outcome: InboundOutcome): InboundOutcome {
  return { ...outcome, error: outcome.error ? outcome.error.slice(0, 2000) : (outcome.error ?? null) };
}

/** Errors that say nothing about the mail: a lost or refused database connection, a busy SQLite. */
function isTransient(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  return /^(08|57P|53)/.test(code) || code === 'SQLITE_BUSY' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

function describe(error: unknown): string {
  if (error instanceof DomainError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
