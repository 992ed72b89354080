import { sql } from 'kysely';
import type { Store } from './database.js';
import type { OutboxRow } from './schema.js';
import type { Tx } from './transaction.js';

export type NewJob = {
  kind: string;
  payload: unknown;
  idempotencyKey: string;
  runAt: number;
  /** The message this job mails: the command that queues the job records its delivery as queued. */
  delivers?: { messageId: number; conversationId: number };
  /** The payload is a secret (a sign-in link): kept only until the job is done or failed for good. */
  secret?: boolean;
};

/** A job as its claim returned it; `lockedUntil` is the lease, and proves the job is still the claimant's. */
export type ClaimedJob = OutboxRow & { lockedUntil: number };

/** Queues jobs; a job whose idempotency key is already queued is not queued again. */
export async function enqueueJobs(tx: Tx, jobs: readonly NewJob[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  await tx
    .insertInto('outbox')
    .values(
      jobs.map((job) => ({
        kind: job.kind,
        // JSON.stringify(undefined) is no JSON at all; a job without payload stores null.
        payload: JSON.stringify(job.payload ?? null),
        idempotencyKey: job.idempotencyKey,
        runAt: job.runAt,
        attempts: 0,
        createdAt: now,
        secret: job.secret ? 1 : 0,
      })),
    )
    .onConflict((oc) => oc.column('idempotencyKey').doNothing())
    .execute();
}

/**
 * Leases up to `limit` due jobs to the caller until `leaseUntil`. A job whose worker
 * died is due again once its lease runs out. On PostgreSQL, SKIP LOCKED lets several
 * instances claim side by side without waiting on each other's rows.
 */
export async function claimDueJobs(tx: Tx, store: Store, now: number, leaseUntil: number, limit: number): Promise<ClaimedJob[]> {
  const skipLocked = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<ClaimedJob>`
    update outbox set "lockedUntil" = ${leaseUntil}, attempts = attempts + 1
    where id in (
      select id from outbox
      where "doneAt" is null and "failedAt" is null and "runAt" <= ${now}
        and ("lockedUntil" is null or "lockedUntil" <= ${now})
      order by "runAt", id
      limit ${limit}
      ${skipLocked})
    returning *`.execute(tx);
  return result.rows.sort((a, b) => a.runAt - b.runAt || a.id - b.id);
}

// Outcomes are recorded only while the claimant's lease is still the job's lease. A worker
// that outlived its lease would otherwise overwrite the outcome of the worker that took
// the job over (failing a job that was done), or clear a lease someone else now holds.
// A new claim is only made once the old lease is past, so it always writes a later lease.
// Both return false when the lease was lost. A secret job's payload goes when it is finished.

type Lease = Pick<ClaimedJob, 'id' | 'lockedUntil' | 'secret'>;
const forgotten = (job: Lease) => (job.secret ? { payload: 'null' } : {});

export async function markJobDone(tx: Tx, job: Lease, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('outbox')
    .set({ doneAt: now, lockedUntil: null, lastError: null, ...forgotten(job) })
    .where('id', '=', job.id)
    .where('lockedUntil', '=', job.lockedUntil)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records a failed attempt: retried at `retryAt`, or failed for good when that is null. */
export async function markJobFailedAttempt(tx: Tx, job: Lease, error: string, retryAt: number | null, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('outbox')
    .set(retryAt === null ? { lastError: error, lockedUntil: null, failedAt: now, ...forgotten(job) } : { lastError: error, lockedUntil: null, runAt: retryAt })
    .where('id', '=', job.id)
    .where('lockedUntil', '=', job.lockedUntil)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function findJob(tx: Tx, idempotencyKey: string): Promise<OutboxRow | undefined> {
  return tx.selectFrom('outbox').selectAll().where('idempotencyKey', '=', idempotencyKey).executeTakeFirst();
}
