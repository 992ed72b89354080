import { notFound } from '../../errors.js';
import { type BulkFailure, type BulkJobStatus, findBulkJobProgress } from '../../store/bulk-jobs.js';
import { canSeeBulkJob } from '../commands/bulk.js';
import type { InboxContext } from '../context.js';
import type { Viewer } from '../policies.js';

// A bulk job's progress, for the one who started it (and admins); anyone else is told there is no such job.

export type BulkJob = {
  id: number;
  createdBy: number;
  action: unknown;
  status: BulkJobStatus;
  total: number;
  done: number;
  failed: number;
  failures: BulkFailure[];
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
};

export async function getBulkJob(ctx: InboxContext, id: number, viewer: Viewer): Promise<BulkJob> {
  const row = await findBulkJobProgress(ctx.store.db, id);
  if (!row || !canSeeBulkJob(viewer, row)) throw notFound('job');
  return {
    id: row.id,
    createdBy: row.createdBy,
    action: JSON.parse(row.action) as unknown,
    status: row.status,
    total: Number(row.total),
    done: Number(row.done),
    failed: Number(row.failed),
    failures: JSON.parse(row.failures) as BulkFailure[],
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
    finishedAt: row.finishedAt === null ? null : Number(row.finishedAt),
  };
}
