import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AttachmentStorage } from '../../attachments/index.js';
import type { EmailConfig } from '../../config.js';
import { DomainError } from '../../errors.js';
import type { InboxContext, SideEffectPlanner } from '../../inbox/context.js';
import type { JobHandler } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import { findInbound, type InboundRow, listFailedInbound, settingOrInsert } from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import { createForwardSender, EMAIL_FORWARD_JOB } from './forward.js';
import { type ImapPoller, startImapPoller } from './imap-poller.js';
import { type IngestLog, IngestPipeline } from './ingest.js';
import { createNotificationSenders } from './notifications.js';
import { createReplySender, EMAIL_REPLY_JOB, isMailable } from './outbound.js';
import { emailPlanner } from './planners.js';
import { ReplyTokens, SupportAddresses } from './reply-address.js';
import { type SmtpListener, startSmtpListener } from './smtp-listener.js';
import { MailSpool } from './spool.js';
import { createMailTransport } from './transport.js';

export { EMAIL_FORWARD_JOB } from './forward.js';
export { ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY, EMAIL_ACCOUNT_LINK_JOB, EMAIL_ACKNOWLEDGEMENT_JOB } from './notifications.js';
export { EMAIL_REPLY_JOB } from './outbound.js';

// The email channel: createEmailChannel() builds the pieces for the composition root
// (src/compose.ts), startEmailChannel() also starts them (tests, tools).
//
//   SMTP listener ─┐                          ┌─► inbox commands (addMessage / createConversation)
//                  ├─► ingest: spool + row ───┤
//   IMAP poller  ──┘   (durable first)        └─► email tables (Message-IDs, flags, failed list)
//
//   agent reply, new conversation ─► outbox jobs (planners.ts) ─┬─► outbound.ts (replies, continuity) ─┬─► SMTP_URL
//   forward ───────────────────────► (planners.ts) ─────────────┼─► forward.ts ───────────────────────┤
//   account link (src/accounts) ───► outbox job ────────────────┴─► notifications.ts ──────────────────┘
//                                     outcome ─► recordDelivery (the message's `delivery`)

/** The email settings of config.ts, plus the listener's host (tests bind to loopback). */
export type EmailChannelConfig = EmailConfig & { smtpListenHost?: string };

export type EmailChannelOptions = {
  store: Store;
  inbox: InboxContext;
  dataDir: string;
  config: EmailChannelConfig;
  attachments?: AttachmentStorage | null;
  floodLimit?: { count: number; windowMs: number };
  clock?: () => number;
  log?: IngestLog;
};

export type EmailChannel = {
  pipeline: IngestPipeline;
  support: SupportAddresses;
  tokens: ReplyTokens;
  /** The SMTP listener's port once started, or null when it is off. */
  smtpPort: number | null;
  imap: ImapPoller | null;
  /** Outbox job handlers to register with the worker (none without SMTP_URL). */
  handlers: Record<string, JobHandler>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * What the channel plans in the inbox commands' transactions (planners.ts); nothing
 * without SMTP_URL, as there is no way to send.
 */
export function emailSideEffects(config: EmailConfig): SideEffectPlanner[] {
  if (!config.smtpUrl) return [];
  const support = new SupportAddresses(config.supportAddresses);
  return [emailPlanner({ acknowledge: config.acknowledge, continuityDelayMs: config.continuityDelayMs, mailable: (address) => isMailable(support, address) })];
}

export type EmailSenderOptions = {
  store: Store;
  inbox: InboxContext;
  support: SupportAddresses;
  tokens: ReplyTokens;
  smtpUrl: string;
  attachments?: AttachmentStorage | null;
  clock?: () => number;
};

export type EmailSender = { handlers: Record<string, JobHandler>; close(): void };

/** The outbox handlers of everything the channel mails, sharing one pooled transport. */
export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const transport = createMailTransport(options.smtpUrl);
  const deps = { ...options, transport, clock: options.clock ?? Date.now, attachments: options.attachments ?? null };
  return {
    handlers: { [EMAIL_REPLY_JOB]: createReplySender(deps), [EMAIL_FORWARD_JOB]: createForwardSender(deps), ...createNotificationSenders(deps) },
    close: () => transport.close(),
  };
}

/** The reply-address secret: configured, or made on first start and kept in the database (the first instance's wins). */
export async function replySecret(store: Store, configured: string | null): Promise<string> {
  if (configured) return configured;
  return transact(store, (tx) => settingOrInsert(tx, 'reply_secret', randomBytes(32).toString('hex')));
}

/**
 * The channel's parts, not yet taking mail: the composition root wires its handlers and
 * routes first, then `start()` recovers unfinished mail and opens the listener and poller.
 */
export async function createEmailChannel(options: EmailChannelOptions): Promise<EmailChannel> {
  const { store, inbox, config } = options;
  const log: IngestLog = options.log ?? ((message, details) => console.error(`email: ${message}`, details ?? ''));
  const support = new SupportAddresses(config.supportAddresses);
  const tokens = new ReplyTokens(await replySecret(store, config.replySecret));
  const spool = new MailSpool(path.join(options.dataDir, 'mail'));
  const pipeline = new IngestPipeline({
    store,
    inbox,
    spool,
    support,
    tokens,
    maxBytes: config.maxBytes,
    attachments: options.attachments ?? null,
    floodLimit: options.floodLimit,
    clock: options.clock,
    log,
  });
  const sender = config.smtpUrl
    ? createEmailSender({ store, inbox, support, tokens, smtpUrl: config.smtpUrl, attachments: options.attachments, clock: options.clock })
    : null;

  let sweep: NodeJS.Timeout | undefined;
  let smtp: SmtpListener | null = null;
  const channel: EmailChannel = {
    pipeline,
    support,
    tokens,
    smtpPort: null,
    imap: null,
    handlers: sender?.handlers ?? {},
    async start() {
      // Mail that was received but not processed when the process stopped goes first.
      await pipeline.recover();
      // The safety net: mails whose processing was cut short (a lease ran out) are taken again.
      sweep = setInterval(() => void pipeline.queuePending().catch((error: Error) => log('queueing pending mail failed', { error: error.message })), 30_000);
      sweep.unref();
      try {
        if (config.smtpListenPort !== null) {
          smtp = await startSmtpListener({
            pipeline,
            support,
            maxBytes: config.maxBytes,
            port: config.smtpListenPort,
            host: config.smtpListenHost,
            tls: config.tls,
            log,
          });
        }
        if (config.imapUrl) channel.imap = startImapPoller({ store, pipeline, url: config.imapUrl, pollMs: config.imapPollMs, log });
      } catch (error) {
        clearInterval(sweep);
        await smtp?.close();
        await pipeline.stop();
        sender?.close();
        throw error;
      }
      channel.smtpPort = smtp?.port ?? null;
    },
    async stop() {
      clearInterval(sweep);
      // Stop taking mail first, then let the mail being processed finish.
      await Promise.all([smtp?.close(), channel.imap?.stop()]);
      await pipeline.stop();
      sender?.close();
    },
  };
  return channel;
}

/** Creates and starts the channel (tests and tools that run it without the rest of the app). */
export async function startEmailChannel(options: EmailChannelOptions): Promise<EmailChannel> {
  const channel = await createEmailChannel(options);
  await channel.start();
  return channel;
}

// --- for the HTTP routes -------------------------------------------------------------

export type FailedMail = {
  id: number;
  receivedAt: number;
  source: 'smtp' | 'imap';
  from: string | null;
  subject: string | null;
  messageId: string | null;
  size: number;
  attempts: number;
  error: string;
  flags: { autoReply: boolean; bounce: boolean; bulk: boolean };
};

export function presentFailedMail(row: InboundRow): FailedMail {
  return {
    id: Number(row.id),
    receivedAt: row.receivedAt,
    source: row.source,
    from: row.senderEmail ?? row.envelopeFrom ?? null,
    subject: row.subject,
    messageId: row.headerMessageId,
    size: Number(row.size),
    attempts: row.attempts,
    error: row.error ?? '',
    flags: { autoReply: row.isAutoReply === 1, bounce: row.isBounce === 1, bulk: row.isBulk === 1 },
  };
}

/** The failed-mail list, newest first; `nextCursor` continues it. */
export async function listFailedMail(store: Store, options: { cursor?: number; limit: number }): Promise<{ items: FailedMail[]; nextCursor: number | null }> {
  const rows = await listFailedInbound(store.db, { beforeId: options.cursor ?? null, limit: options.limit + 1 });
  const page = rows.slice(0, options.limit);
  return { items: page.map(presentFailedMail), nextCursor: rows.length > options.limit ? Number(page[page.length - 1]!.id) : null };
}

export type ReprocessResult = { id: number; status: InboundRow['status']; error: string | null; conversationId: number | null; messageId: number | null };

/** Processes a failed mail again (without the flood limit) through `channel`, the one running in this process, if any: what became of it. */
export async function reprocessFailedMail(store: Store, channel: Pick<EmailChannel, 'pipeline'> | null, id: number): Promise<ReprocessResult> {
  const row = await findInbound(store.db, id);
  if (!row || row.status !== 'failed') throw new DomainError('not_found', 'failed mail not found');
  if (!channel) throw new DomainError('conflict', 'the email channel is not running on this server (set SUPPORT_ADDRESSES)');
  const after = (await channel.pipeline.reprocess(id))!;
  return {
    id,
    status: after.status,
    error: after.error,
    conversationId: after.conversationId === null ? null : Number(after.conversationId),
    messageId: after.messageRowId === null ? null : Number(after.messageRowId),
  };
}
