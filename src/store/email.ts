import { type Generated, type Kysely, type Selectable, sql } from 'kysely';
import { findMessagesByIds, listAttachments, listMessagePage } from './messages.js';
import type { AttachmentRow, Database, MessageRow } from './schema.js';
import type { Tx } from './transaction.js';

// The email channel's tables (migrations 0003_email, 0005_email_delivery). Conversations,
// messages, their deliveries and events are still written only by the inbox commands; this
// file reads a few of their columns (participants, the message to send, whether an address
// is the team's) but never writes them.

export type InboundStatus = 'pending' | 'processed' | 'ignored' | 'failed';
export type InboundSource = 'smtp' | 'imap';

export interface EmailInboundTable {
  id: Generated<number>;
  dedupeKey: string;
  headerMessageId: string | null;
  sha256: string;
  size: number;
  source: InboundSource;
  spoolName: string;
  envelopeFrom: string | null;
  /** JSON array of the SMTP RCPT TO addresses (empty for IMAP). */
  envelopeTo: string;
  status: InboundStatus;
  error: string | null;
  attempts: number;
  lockedUntil: number | null;
  senderEmail: string | null;
  senderName: string | null;
  subject: string | null;
  isAutoReply: number;
  isBounce: number;
  isBulk: number;
  noiseReason: string | null;
  conversationId: number | null;
  messageRowId: number | null;
  fullText: string | null;
  receivedAt: number;
  processedAt: number | null;
}

export interface EmailMessageIdsTable {
  /** Lower-cased, without <>: what lookups compare. */
  messageId: string;
  /** As written, without <>: what our headers repeat. */
  exactId: string;
  conversationId: number;
  messageRowId: number | null;
  direction: 'in' | 'out';
  createdAt: number;
}

export type OutboundStatus = 'sending' | 'sent' | 'failed';

export interface EmailOutboundTable {
  messageRowId: number;
  conversationId: number;
  headerMessageId: string;
  recipient: string;
  status: OutboundStatus;
  error: string | null;
  attempts: number;
  lastAttemptAt: number | null;
  sentAt: number | null;
  createdAt: number;
}

export interface EmailImapStateTable {
  mailbox: string;
  uidValidity: number;
  lastUid: number;
  updatedAt: number;
}

export interface EmailFollowUpsTable {
  conversationId: number;
  followUpId: number;
  createdAt: number;
}

export interface EmailSettingsTable {
  name: string;
  value: string;
}

/** Mails that are not inbox messages (acknowledgements, account links), by job (migration 0005). */
export interface EmailNotificationsTable {
  key: string;
  kind: string;
  recipient: string;
  headerMessageId: string;
  status: 'sending' | 'sent' | 'failed';
  error: string | null;
  attempts: number;
  createdAt: number;
  sentAt: number | null;
}

export interface EmailDatabase extends Database {
  email_inbound: EmailInboundTable;
  email_message_ids: EmailMessageIdsTable;
  email_outbound: EmailOutboundTable;
  email_imap_state: EmailImapStateTable;
  email_follow_ups: EmailFollowUpsTable;
  email_settings: EmailSettingsTable;
  email_notifications: EmailNotificationsTable;
}

export type InboundRow = Selectable<EmailInboundTable>;
export type OutboundRow = Selectable<EmailOutboundTable>;

// The shared schema type lists the inbox's tables; these are the channel's own.
const mail = (tx: Tx) => tx as unknown as Kysely<EmailDatabase>;

// PostgreSQL text cannot hold U+0000 (SQLite keeps it). The channel removes it from what a
// mail brings (channels/email/nul.ts); the values a mail decides are stored and looked up
// without it here too, so no caller can make a mail fail on one database and not the other.
function noNul<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' && value.includes('\u0000') ? value.replace(/\u0000/g, '') : value) as T;
}

// --- inbound mail -------------------------------------------------------------------

export type NewInbound = Pick<
  InboundRow,
  'dedupeKey' | 'headerMessageId' | 'sha256' | 'size' | 'source' | 'spoolName' | 'envelopeFrom' | 'envelopeTo' | 'receivedAt'
>;

/**
 * Inserts a received mail as pending; with `leaseUntil`, already taken for processing by
 * whoever received it (see claimInbound), which saves a transaction per mail. A second mail
 * with the same dedupe key violates the unique key.
 */
export function insertInbound(tx: Tx, row: NewInbound, leaseUntil: number | null = null): Promise<InboundRow> {
  return mail(tx)
    .insertInto('email_inbound')
    .values({
      ...row,
      dedupeKey: noNul(row.dedupeKey),
      headerMessageId: noNul(row.headerMessageId),
      envelopeFrom: noNul(row.envelopeFrom),
      envelopeTo: noNul(row.envelopeTo),
      status: 'pending',
      lockedUntil: leaseUntil,
      attempts: leaseUntil === null ? 0 : 1,
      isAutoReply: 0,
      isBounce: 0,
      isBulk: 0,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findInbound(tx: Tx, id: number): Promise<InboundRow | undefined> {
  return mail(tx).selectFrom('email_inbound').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findInboundByDedupeKey(tx: Tx, dedupeKey: string): Promise<InboundRow | undefined> {
  return mail(tx).selectFrom('email_inbound').selectAll().where('dedupeKey', '=', noNul(dedupeKey)).executeTakeFirst();
}

/** Ids of the mails with these dedupe keys still pending that arrived before `beforeId`, oldest first. */
export async function findEarlierPendingInbound(tx: Tx, dedupeKeys: readonly string[], beforeId: number): Promise<number[]> {
  if (dedupeKeys.length === 0) return [];
  const rows = await mail(tx)
    .selectFrom('email_inbound')
    .select('id')
    .where('dedupeKey', 'in', [...new Set(dedupeKeys.map(noNul))])
    .where('status', '=', 'pending')
    .where('id', '<', beforeId)
    .orderBy('id')
    .execute();
  return rows.map((row) => Number(row.id));
}

export function findInboundBySpoolName(tx: Tx, spoolName: string): Promise<InboundRow | undefined> {
  return mail(tx).selectFrom('email_inbound').selectAll().where('spoolName', '=', spoolName).executeTakeFirst();
}

/** The spool file names of received mail after `after`, in name order: a page of them (the export's raw mail). */
export async function listSpoolNamesAfter(tx: Tx, after: string, limit: number): Promise<string[]> {
  const rows = await mail(tx).selectFrom('email_inbound').select('spoolName').where('spoolName', '>', after).orderBy('spoolName').limit(limit).execute();
  return rows.map((r) => r.spoolName);
}

/** Which of these spool file names have a row. */
export async function findSpoolNames(tx: Tx, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await mail(tx)
    .selectFrom('email_inbound')
    .select('spoolName')
    .where('spoolName', 'in', [...names])
    .execute();
  return new Set(rows.map((r) => r.spoolName));
}

/**
 * Takes a pending mail for processing until `leaseUntil`, counting the attempt; undefined
 * when it is not pending or someone else holds it. A processor that dies lets the lease
 * run out and the mail is taken again.
 */
export function claimInbound(tx: Tx, id: number, now: number, leaseUntil: number): Promise<InboundRow | undefined> {
  return mail(tx)
    .updateTable('email_inbound')
    .set((eb) => ({ lockedUntil: leaseUntil, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Pending mails nobody holds, oldest first, with their spool file names. */
export function listClaimableInbound(tx: Tx, now: number, limit: number): Promise<{ id: number; spoolName: string }[]> {
  return mail(tx)
    .selectFrom('email_inbound')
    .select(['id', 'spoolName'])
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
    .orderBy('id')
    .limit(limit)
    .execute()
    .then((rows) => rows.map((r) => ({ id: Number(r.id), spoolName: r.spoolName })));
}

export type InboundOutcome = Partial<
  Pick<
    InboundRow,
    'error' | 'senderEmail' | 'senderName' | 'subject' | 'isAutoReply' | 'isBounce' | 'isBulk' | 'noiseReason' | 'conversationId' | 'messageRowId' | 'fullText'
  >
> & { status: Exclude<InboundStatus, 'pending'> };

const TEXT_OUTCOME = ['error', 'senderEmail', 'senderName', 'subject', 'noiseReason', 'fullText'] as const satisfies readonly (keyof InboundOutcome)[];

/** Records how processing ended and releases the lease. */
export async function finishInbound(tx: Tx, id: number, outcome: InboundOutcome, now: number): Promise<void> {
  await mail(tx)
    .updateTable('email_inbound')
    .set({
      error: null,
      ...outcome,
      ...Object.fromEntries(TEXT_OUTCOME.filter((key) => key in outcome).map((key) => [key, noNul(outcome[key])])),
      lockedUntil: null,
      processedAt: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Lets another processor take the mail at once (it could not be read here). */
export async function releaseInbound(tx: Tx, id: number): Promise<void> {
  await mail(tx).updateTable('email_inbound').set({ lockedUntil: null }).where('id', '=', id).execute();
}

/** Puts a failed (or ignored) mail back in the queue; false when it is in neither state. */
export async function requeueInbound(tx: Tx, id: number): Promise<boolean> {
  const result = await mail(tx)
    .updateTable('email_inbound')
    .set({ status: 'pending', lockedUntil: null })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'ignored'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Mails from `senderEmail` received in [since, until] and already processed (not ignored), for the flood limit. */
export async function countInboundFromSender(tx: Tx, senderEmail: string, since: number, until: number): Promise<number> {
  const row = await mail(tx)
    .selectFrom('email_inbound')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('senderEmail', '=', noNul(senderEmail))
    .where('receivedAt', '>=', since)
    .where('receivedAt', '<=', until)
    .where('status', '!=', 'ignored')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The failed-mail list, newest first, after `beforeId`. */
export function listFailedInbound(tx: Tx, options: { beforeId: number | null; limit: number }): Promise<InboundRow[]> {
  let query = mail(tx).selectFrom('email_inbound').selectAll().where('status', '=', 'failed');
  if (options.beforeId !== null) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

/** The inbound rows behind inbox messages: their noise flags and full text. */
export function findInboundByMessageRows(tx: Tx, messageRowIds: readonly number[]): Promise<InboundRow[]> {
  if (messageRowIds.length === 0) return Promise.resolve([]);
  return mail(tx)
    .selectFrom('email_inbound')
    .selectAll()
    .where('messageRowId', 'in', [...messageRowIds])
    .execute();
}

// --- Message-IDs ----------------------------------------------------------------------

export type MessageIdRecord = { messageId: string; exactId: string; conversationId: number; messageRowId: number | null; direction: 'in' | 'out' };

/** Remembers Message-IDs; one already known keeps its first conversation. */
export async function recordMessageIds(tx: Tx, records: readonly MessageIdRecord[], now: number): Promise<void> {
  if (records.length === 0) return;
  await mail(tx)
    .insertInto('email_message_ids')
    .values(records.map((r) => ({ ...r, messageId: noNul(r.messageId), exactId: noNul(r.exactId), createdAt: now })))
    .onConflict((oc) => oc.column('messageId').doNothing())
    .execute();
}

/** The conversations these Message-IDs belong to, by Message-ID. */
export async function findConversationsByMessageIds(tx: Tx, messageIds: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (messageIds.length === 0) return found;
  const rows = await mail(tx)
    .selectFrom('email_message_ids')
    .select(['messageId', 'conversationId'])
    .where('messageId', 'in', [...new Set(messageIds.map(noNul))])
    .execute();
  for (const row of rows) found.set(row.messageId, Number(row.conversationId));
  return found;
}

/** A conversation's Message-IDs in the order they were seen (for References). */
export function listConversationMessageIds(
  tx: Tx,
  conversationId: number,
): Promise<Pick<EmailMessageIdsTable, 'messageId' | 'exactId' | 'direction' | 'createdAt'>[]> {
  return mail(tx)
    .selectFrom('email_message_ids')
    .select(['messageId', 'exactId', 'direction', 'createdAt'])
    .where('conversationId', '=', conversationId)
    .orderBy('createdAt')
    .orderBy('messageId')
    .execute();
}

// --- participants and messages --------------------------------------------------------

/** Whether `email` is the conversation's customer or wrote one of its messages. */
export async function isParticipant(tx: Tx, conversationId: number, email: string): Promise<boolean> {
  const customer = await tx.selectFrom('conversations').select('id').where('id', '=', conversationId).where('customerEmail', '=', email).executeTakeFirst();
  if (customer) return true;
  const writer = await tx
    .selectFrom('messages')
    .select('id')
    .where('conversationId', '=', conversationId)
    .where('senderEmail', '=', email)
    .limit(1)
    .executeTakeFirst();
  return writer !== undefined;
}

/**
 * Whether `email` is a team member's sign-in address (any role but customer, deactivated
 * or not): mail claiming it proves nothing, so it is never filed as theirs.
 */
export async function isTeamAddress(tx: Tx, email: string): Promise<boolean> {
  const user = await tx.selectFrom('users').select('role').where('email', '=', noNul(email).toLowerCase()).executeTakeFirst();
  return user !== undefined && user.role !== 'customer';
}

/** A message to mail, with its attachments; undefined when it was deleted. */
export async function findMessageToMail(tx: Tx, id: number): Promise<{ message: MessageRow; attachments: AttachmentRow[] } | undefined> {
  const [message] = await findMessagesByIds(tx, [id]);
  return message && { message, attachments: await listAttachments(tx, [id]) };
}

/**
 * What a forward carries: one public message, or the conversation's first `limit` public
 * messages, oldest first, each with its attachments.
 */
export async function findMessagesToForward(
  tx: Tx,
  conversationId: number,
  messageId: number | null,
  limit: number,
): Promise<{ message: MessageRow; attachments: AttachmentRow[] }[]> {
  const messages = (
    messageId === null ? await listMessagePage(tx, conversationId, { after: null, limit, includeInternal: false }) : await findMessagesByIds(tx, [messageId])
  ).filter((m) => Number(m.conversationId) === conversationId && m.isInternal === 0);
  const attachments = await listAttachments(
    tx,
    messages.map((m) => Number(m.id)),
  );
  return messages.map((message) => ({ message, attachments: attachments.filter((a) => Number(a.messageId) === Number(message.id)) }));
}

// --- outbound -------------------------------------------------------------------------

export function findOutbound(tx: Tx, messageRowId: number): Promise<OutboundRow | undefined> {
  return mail(tx).selectFrom('email_outbound').selectAll().where('messageRowId', '=', messageRowId).executeTakeFirst();
}

/** Records an attempt to send, before it is made. */
export async function startOutboundAttempt(
  tx: Tx,
  row: Pick<OutboundRow, 'messageRowId' | 'conversationId' | 'headerMessageId' | 'recipient'>,
  now: number,
): Promise<void> {
  await mail(tx)
    .insertInto('email_outbound')
    .values({ ...row, status: 'sending', attempts: 1, lastAttemptAt: now, createdAt: now })
    .onConflict((oc) =>
      oc.column('messageRowId').doUpdateSet((eb) => ({ status: 'sending', attempts: eb('email_outbound.attempts', '+', 1), lastAttemptAt: now })),
    )
    .execute();
}

export async function finishOutbound(tx: Tx, messageRowId: number, outcome: { status: 'sent' | 'failed'; error?: string | null }, now: number): Promise<void> {
  await mail(tx)
    .updateTable('email_outbound')
    .set(outcome.status === 'sent' ? { status: 'sent', error: null, sentAt: now } : { status: 'failed', error: outcome.error ?? null })
    .where('messageRowId', '=', messageRowId)
    .execute();
}

/** Marks the outbound mail with this Message-ID failed (it bounced); answers its row when there was one. */
export function markOutboundBounced(tx: Tx, headerMessageId: string, error: string): Promise<OutboundRow | undefined> {
  return mail(tx)
    .updateTable('email_outbound')
    .set({ status: 'failed', error })
    .where('headerMessageId', '=', headerMessageId)
    .returningAll()
    .executeTakeFirst();
}

// --- notifications --------------------------------------------------------------------

export function findNotification(tx: Tx, key: string): Promise<Selectable<EmailNotificationsTable> | undefined> {
  return mail(tx).selectFrom('email_notifications').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Records an attempt to send a notification, before it is made. */
export async function startNotification(
  tx: Tx,
  row: Pick<EmailNotificationsTable, 'key' | 'kind' | 'recipient' | 'headerMessageId'>,
  now: number,
): Promise<void> {
  await mail(tx)
    .insertInto('email_notifications')
    .values({ ...row, status: 'sending', error: null, attempts: 1, createdAt: now })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ status: 'sending', attempts: eb('email_notifications.attempts', '+', 1) })))
    .execute();
}

/**
 * Records an attempt to send a notification of one of `counted` kinds unless its recipient
 * got `limit` of them since `since` (this job's own earlier attempt aside): false then, and
 * the job is recorded `failed` under `<kind>.limited`, which counts toward nothing. The
 * count and the insert hold the recipient's lock on PostgreSQL (SQLite writes one at a
 * time), so two workers cannot both send the last one allowed.
 */
export async function startLimitedNotification(
  tx: Tx,
  row: Pick<EmailNotificationsTable, 'key' | 'kind' | 'recipient' | 'headerMessageId'>,
  limit: { counted: readonly string[]; since: number; max: number; lock: boolean },
  now: number,
): Promise<boolean> {
  const recipient = noNul(row.recipient).toLowerCase();
  if (limit.lock) await sql`select pg_advisory_xact_lock(hashtext(${`onethread-notify:${recipient}`}))`.execute(tx);
  const counted = await mail(tx)
    .selectFrom('email_notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('recipient', '=', recipient)
    .where('kind', 'in', [...limit.counted])
    .where('createdAt', '>=', limit.since)
    .where('key', '!=', row.key)
    .executeTakeFirstOrThrow();
  if (Number(counted.n) >= limit.max) {
    await mail(tx)
      .insertInto('email_notifications')
      .values({
        ...row,
        recipient,
        kind: `${row.kind}.limited`,
        status: 'failed',
        error: `not sent: ${limit.max} already went to this address within a day`,
        attempts: 0,
        createdAt: now,
      })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return false;
  }
  await startNotification(tx, { ...row, recipient }, now);
  return true;
}

export async function finishNotification(tx: Tx, key: string, outcome: { status: 'sent' | 'failed'; error?: string }, now: number): Promise<void> {
  await mail(tx)
    .updateTable('email_notifications')
    .set(outcome.status === 'sent' ? { status: 'sent', error: null, sentAt: now } : { status: 'failed', error: outcome.error ?? null })
    .where('key', '=', key)
    .execute();
}

// --- IMAP, follow-ups, settings -------------------------------------------------------

export function findImapState(tx: Tx, mailbox: string): Promise<Selectable<EmailImapStateTable> | undefined> {
  return mail(tx).selectFrom('email_imap_state').selectAll().where('mailbox', '=', mailbox).executeTakeFirst();
}

export async function saveImapState(tx: Tx, state: Selectable<EmailImapStateTable>): Promise<void> {
  await mail(tx)
    .insertInto('email_imap_state')
    .values(state)
    .onConflict((oc) => oc.column('mailbox').doUpdateSet({ uidValidity: state.uidValidity, lastUid: state.lastUid, updatedAt: state.updatedAt }))
    .execute();
}

export async function findFollowUp(tx: Tx, conversationId: number): Promise<number | null> {
  const row = await mail(tx).selectFrom('email_follow_ups').select('followUpId').where('conversationId', '=', conversationId).executeTakeFirst();
  return row ? Number(row.followUpId) : null;
}

export async function saveFollowUp(tx: Tx, conversationId: number, followUpId: number, now: number): Promise<void> {
  await mail(tx)
    .insertInto('email_follow_ups')
    .values({ conversationId, followUpId, createdAt: now })
    .onConflict((oc) => oc.column('conversationId').doUpdateSet({ followUpId, createdAt: now }))
    .execute();
}

/** The stored value of a setting, inserting `fallback` first when there is none (the first writer wins). */
export async function settingOrInsert(tx: Tx, name: string, fallback: string): Promise<string> {
  await mail(tx)
    .insertInto('email_settings')
    .values({ name, value: fallback })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await mail(tx).selectFrom('email_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}

/** For tests and diagnostics: the number of rows per inbound status. */
export async function countInboundByStatus(tx: Tx): Promise<Record<string, number>> {
  const rows = await mail(tx)
    .selectFrom('email_inbound')
    .select(['status', sql<number>`count(*)`.as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Takes the root Message-ID of a thread of notification mail (one per user and
 * conversation) for the mail about to be sent: true for the first taker only, which sends
 * it as its own Message-ID; every later mail answers it (In-Reply-To, References).
 */
export async function claimNotificationThreadRoot(tx: Tx, row: { key: string; recipient: string; headerMessageId: string }, now: number): Promise<boolean> {
  const inserted = await mail(tx)
    .insertInto('email_notifications')
    .values({ ...row, kind: 'notification.thread', status: 'sent', error: null, attempts: 0, createdAt: now, sentAt: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .execute();
  return inserted.length > 0;
}
