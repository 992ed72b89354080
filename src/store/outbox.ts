import { sql } from 'kysely';
import type { Store } from './database.js';
import type { Tx } from './transaction.js';
import type { OutboxRow } from './schema.js';

export type NewJob = { kind: string; payload: unknown; idempotencyKey: string; runAt: number };

/** Queues jobs; a job whose idempotency key is already queued is not queued again. */
export async function enqueueJobs(tx: Tx, jobs: readonly NewJob[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  await tx
    .insertInto('outbox')
    .values(
      jobs.map((job) => ({
        kind: job.kind,
        payload: JSON.stringify(job.payload),
        idempotencyKey: job.idempotencyKey,
        runAt: job.runAt,
        attempts: 0,
        createdAt: now,
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
export async function claimDueJobs(tx: Tx, store: Store, now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]> {
  const skipLocked = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<OutboxRow>`
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

export async function markJobDone(tx: Tx, id: number, now: number): Promise<void> {
  await tx.updateTable('outbox').set({ doneAt: now, lockedUntil: null, lastError: null }).where('id', '=', id).execute();
}

export async function markJobFailedAttempt(tx: Tx, id: number, error: string, retryAt: number | null, now: number): Promise<void> {
  await tx
    .updateTable('outbox')
    .set(retryAt === null ? { lastError: error, lockedUntil: null, failedAt: now } : { lastError: error, lockedUntil: null, runAt: retryAt })
    .where('id', '=', id)
    .execute();
}

export function findJob(tx: Tx, idempotencyKey: string): Promise<OutboxRow | undefined> {
  return tx.selectFrom('outbox').selectAll().where('idempotencyKey', '=', idempotencyKey).executeTakeFirst();
}
