import { type Generated, type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from './schema.js';
import type { Tx } from './transaction.js';

// Bulk jobs (migration 0024): what an agent asked to do to many conversations, the snapshot
// of their ids, and how far it got. The position in `ids` is `done + failed`; every write
// that moves it says which position it expects (compare-and-set), so two runners of one job
// (a restart while the old lease was still live, two instances) never both act on the same
// conversation: the second one's unit fails and rolls back with its change.

export type BulkJobStatus = 'running' | 'done' | 'cancelled';

export interface BulkJobsTable {
  id: Generated<number>;
  createdBy: number;
  action: string;
  ids: string;
  total: number;
  done: Generated<number>;
  failed: Generated<number>;
  failures: Generated<string>;
  status: Generated<BulkJobStatus>;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export type BulkJobRow = Selectable<BulkJobsTable>;
/** One conversation the job could not change, and why. */
export type BulkFailure = { id: number; number?: number; code: string; error: string };

/** The table is this module's alone, so it joins the schema here rather than in schema.ts. */
const db = (tx: Tx) => (tx as Kysely<Database>).withTables<{ bulk_jobs: BulkJobsTable }>();

export async function insertBulkJob(tx: Tx, job: { createdBy: number; action: unknown; ids: readonly number[]; now: number }): Promise<number> {
  const row = await db(tx)
    .insertInto('bulk_jobs')
    .values({
      createdBy: job.createdBy,
      action: JSON.stringify(job.action),
      ids: JSON.stringify(job.ids),
      total: job.ids.length,
      createdAt: job.now,
      updatedAt: job.now,
      finishedAt: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findBulkJob(tx: Tx, id: number): Promise<BulkJobRow | undefined> {
  const row = await db(tx).selectFrom('bulk_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && { ...row, id: Number(row.id), createdBy: Number(row.createdBy) };
}

/** The job's progress without its snapshot of ids (what a poll reads). */
export async function findBulkJobProgress(tx: Tx, id: number): Promise<Omit<BulkJobRow, 'ids'> | undefined> {
  const row = await db(tx)
    .selectFrom('bulk_jobs')
    .select(['id', 'createdBy', 'action', 'total', 'done', 'failed', 'failures', 'status', 'createdAt', 'updatedAt', 'finishedAt'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { ...row, id: Number(row.id), createdBy: Number(row.createdBy) };
}

export async function listRunningBulkJobs(tx: Tx): Promise<number[]> {
  const rows = await db(tx).selectFrom('bulk_jobs').select('id').where('status', '=', 'running').orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

const at = (position: number) => sql<boolean>`done + failed = ${position}`;

/** One more done, if the job is running and still at `position`; false otherwise (cancelled, or another runner moved on). */
export async function advanceBulkJob(tx: Tx, id: number, position: number, now: number): Promise<boolean> {
  const result = await db(tx)
    .updateTable('bulk_jobs')
    .set({ done: sql`done + 1`, updatedAt: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where(at(position))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** One more failed at `position`, kept among the first `keep` failures; false as advanceBulkJob. */
export async function recordBulkFailure(tx: Tx, id: number, position: number, failure: BulkFailure, now: number, keep: number): Promise<boolean> {
  const row = await db(tx).selectFrom('bulk_jobs').select('failures').where('id', '=', id).executeTakeFirst();
  if (!row) return false;
  const failures = JSON.parse(row.failures) as BulkFailure[];
  if (failures.length < keep) failures.push(failure);
  const result = await db(tx)
    .updateTable('bulk_jobs')
    .set({ failed: sql`failed + 1`, failures: JSON.stringify(failures), updatedAt: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where(at(position))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Marks a running job whose every conversation was tried as done. */
export async function finishBulkJob(tx: Tx, id: number, now: number): Promise<boolean> {
  const result = await db(tx)
    .updateTable('bulk_jobs')
    .set({ status: 'done', finishedAt: now, updatedAt: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where(sql<boolean>`done + failed >= total`)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function cancelBulkJobRow(tx: Tx, id: number, now: number): Promise<boolean> {
  const result = await db(tx)
    .updateTable('bulk_jobs')
    .set({ status: 'cancelled', finishedAt: now, updatedAt: now })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
