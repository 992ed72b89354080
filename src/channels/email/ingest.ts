import { createHash } from 'node:crypto';
import type { AttachmentStorage } from '../../attachments/index.js';
import { DomainError } from '../../errors.js';
import type { InboxContext } from '../../inbox/context.js';
import type { Store } from '../../store/database.js';
import {
  claimInbound,
  findEarlierPendingInbound,
  findInbound,
  findInboundByDedupeKey,
  findInboundBySpoolName,
  findSpoolNames,
  finishInbound,
  type InboundOutcome,
  type InboundRow,
  insertInbound,
  listClaimableInbound,
  recordMessageIds,
  releaseInbound,
  requeueInbound,
} from '../../store/email.js';
import { isUniqueViolation, type Tx, transact } from '../../store/transaction.js';
import { type Filed, type FileMailDeps, fileMail } from './file-mail.js';
import { normalizeMessageId, parseMessageIdList } from './message-ids.js';
import { withoutNul } from './nul.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';
import { type Envelope, type MailOrigin, type MailSource, type MailSpool, readHeaderBlock } from './spool.js';

// The one pipeline behind SMTP and IMAP: taking mail in and queueing it.
//
// accept(): the raw mail goes to the spool (fsynced file, then a row keyed by Message-ID
// or raw hash). Only when accept() resolves may the SMTP listener say 250; a throw means
// 451 and the sender tries again. A mail whose key is known is a duplicate: acknowledged,
// not stored again.
//
// recover(): at start, spool files without a row get one, and pending mail is queued.
//
// Then each mail is processed from the stored copy, a few at a time in arrival order (a
// reply waits for its parent), under a lease (a mail received here is inserted with it):
// file-mail.ts turns it into a message, and its row says so in the same transaction as
// the message. A mail that cannot be processed is kept as `failed` with the error: the
// admins' failed-mail list, from which it can be processed again.

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
  /** Mails processed side by side (4); their transactions share commits (group commit). */
  concurrency?: number;
  clock?: () => number;
  log?: IngestLog;
};

export type AcceptResult = { status: 'accepted'; id: number } | { status: 'duplicate'; id: number | null } | { status: 'too_large'; size: number };

type ProcessOptions = { ignoreFloodLimit?: boolean; depth?: number };

const DEFAULT_FLOOD = { count: 20, windowMs: 10 * 60_000 };

export class IngestPipeline {
  private readonly clock: () => number;
  private readonly log: IngestLog;
  private readonly flood: { count: number; windowMs: number };
  private readonly leaseMs: number;
  private readonly queue: { id: number; options: ProcessOptions; done: () => void }[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Mails this pipeline took for processing as it received them (their rows, lease included), until processed. */
  private readonly held = new Map<number, InboundRow>();
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
        ...storedEnvelope(envelope),
        receivedAt,
      };
      let inserted: InboundRow;
      try {
        // Taken for processing at once by this pipeline, which files it next.
        inserted = await transact(store, (tx) => insertInbound(tx, row, receivedAt + this.leaseMs));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // The same mail arrived another way at the same moment; that copy is the one kept.
        await spool.remove(spoolName);
        return { status: 'duplicate', id: Number((await findInboundByDedupeKey(store.db, dedupeKey))?.id ?? 0) || null };
      }
      const id = Number(inserted.id);
      this.held.set(id, inserted);
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
          ...storedEnvelope(envelope),
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
    // Their leases run out, or the next start releases them (recover).
    this.held.clear();
    await this.idle();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  // --- processing --------------------------------------------------------------------

  private async processOne(id: number, options: ProcessOptions): Promise<void> {
    const { store, spool } = this.options;
    const now = this.clock();
    const held = this.held.get(id);
    this.held.delete(id);
    // A lease that ran out while the mail waited in the queue may have been taken by another instance.
    const row =
      held && held.lockedUntil !== null && held.lockedUntil > now ? held : await transact(store, (tx) => claimInbound(tx, id, now, now + this.leaseMs));
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
    let filed: Filed;
    try {
      filed = await fileMail(this.fileDeps(row, options), row, stored.raw, options);
    } catch (error) {
      if (isTransient(error)) {
        // The database is away or busy: not the mail's fault. It stays pending and is taken again.
        await transact(store, (tx) => releaseInbound(tx, id)).catch(() => undefined);
        throw error;
      }
      filed = { outcome: { status: 'failed', error: describe(error) }, messageIds: [], recorded: false };
    }
    if (!filed.recorded) await transact(store, (tx) => this.record(tx, id, filed));
    if (filed.outcome.status === 'failed') this.log('mail kept in the failed list', { id, error: filed.outcome.error });
    await spool.archive(row.spoolName);
  }

  /** How processing a mail ended, on its row, and the Message-IDs it brought: one transaction with its message when there is one. */
  private async record(tx: Tx, id: number, filed: Pick<Filed, 'outcome' | 'messageIds'>): Promise<void> {
    await recordMessageIds(tx, filed.messageIds, this.clock());
    await finishInbound(tx, id, trimOutcome(filed.outcome), this.clock());
  }

  private fileDeps(row: InboundRow, options: ProcessOptions): FileMailDeps {
    const { store, inbox, support, tokens, maxBytes } = this.options;
    return {
      store,
      inbox,
      support,
      tokens,
      maxBytes,
      attachments: this.options.attachments ?? null,
      flood: this.flood,
      clock: this.clock,
      settleParents: (ids) => this.settleParents(ids, row, options),
      record: (tx, filed) => this.record(tx, Number(row.id), filed),
    };
  }

  /**
   * Lets the parents of a reply be filed first: a mail carrying one of these Message-IDs
   * that arrived before this one and is still pending or being processed is processed (or
   * waited for) now, so the reply lands in its parent's conversation.
   */
  private async settleParents(messageIds: string[], self: InboundRow, options: ProcessOptions): Promise<void> {
    const depth = options.depth ?? 0;
    if (depth >= 5) return;
    const parents = await findEarlierPendingInbound(
      this.options.store.db,
      messageIds.map((id) => `mid:${id}`),
      Number(self.id),
    );
    for (const parent of parents) await this.run(parent, { depth: depth + 1 });
  }
}

/** The envelope as the row keeps it: the Message-ID (message-ids.ts) and these are keyed on before the mail is parsed, so without NUL too. */
function storedEnvelope(envelope: Envelope): { envelopeFrom: string | null; envelopeTo: string } {
  return { envelopeFrom: withoutNul(envelope.from), envelopeTo: JSON.stringify(envelope.to.map((to) => withoutNul(to))) };
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
