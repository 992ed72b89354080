import { DomainError, notFound } from '../../errors.js';
import { advanceBulkJob, type BulkFailure, findBulkJob, finishBulkJob, recordBulkFailure } from '../../store/bulk-jobs.js';
import { findConversation } from '../../store/conversations.js';
import { isDatabaseUnavailable } from '../../store/faults.js';
import { transact } from '../../store/transaction.js';
import type { InboxContext } from '../context.js';
import { canView, type Viewer } from '../policies.js';
import { toConversation } from '../records.js';
import { type BulkAction, bulkViewer, checkBulkAction } from './bulk.js';
import { deleteConversation } from './lifecycle.js';
import { applyMacro, runMacroActions } from './macros.js';
import { markAsSpam } from './spam.js';
import { inUnit, lockConversation, type Unit } from './unit.js';

// Runs a bulk job (commands/bulk.ts starts it): each conversation in its OWN unit of work,
// so one refused or gone is reported and undoes nothing of the others. The unit also moves
// the job's position on (compare-and-set, store/bulk-jobs.ts), so the change and the
// progress commit together: a job resumed after a restart goes on exactly where it was,
// with no conversation done twice and no event written twice. Progress is read back after
// each batch; between batches the runner yields, so requests waiting are served.

/** Conversations per batch: the job's row and the actor are read again after each. */
export const BULK_BATCH = 200;
/**
 * Units queued together: a commit is the dear part of a small write on PostgreSQL (a WAL
 * flush), and the group commit shares one among those that queue. Below its MAX_BATCH.
 */
const WINDOW = 20;
/** How many failures the job keeps to show (the count is exact). */
const KEEP_FAILURES = 100;

/** Another runner moved the job on, or it was cancelled: this unit rolls back. */
class Superseded extends Error {}

export type RunOptions = {
  stopping?: () => boolean;
  /** Where a failure that is no DomainError (a bug) is reported, once per run; default console.error. */
  log?: (message: string, details: Record<string, unknown>) => void;
  /** Our own support addresses, never blocked by a spam action (the email channel's). */
  ownAddresses?: () => readonly string[];
};

/**
 * Runs the job from where it is until it is done, cancelled, or `stopping()` (the app is
 * stopping: the job is resumed at the next start). Resolves to whether it finished.
 */
export async function runBulkJob(ctx: InboxContext, jobId: number, options: RunOptions = {}): Promise<boolean> {
  const first = await findBulkJob(ctx.store.db, jobId);
  if (first?.status !== 'running') return false;
  const ids = JSON.parse(first.ids) as number[];
  const action = checkBulkAction(JSON.parse(first.action));
  // A bug fails every conversation alike: once in the log is enough, the job lists them all.
  let logged = false;
  const log = options.log ?? ((message, details) => console.error(message, details));
  const report = (id: number, error: unknown) => {
    if (logged) return;
    logged = true;
    log('bulk: a conversation failed unexpectedly', { jobId, id, err: error });
  };
  for (;;) {
    const job = await findBulkJob(ctx.store.db, jobId);
    if (job?.status !== 'running') return false;
    let position = job.done + job.failed;
    if (position >= ids.length) return transact(ctx.store, (tx) => finishBulkJob(tx, jobId, ctx.clock()));
    if (options.stopping?.()) return false;
    // Who acts is read again each batch: one deactivated (or no longer on the team) meanwhile acts no more.
    const viewer = await bulkViewer(ctx, job.createdBy);
    const end = Math.min(position + BULK_BATCH, ids.length);
    while (position < end) {
      // A window of units queued at once shares one commit (store/transaction.ts's group
      // commit), each in its own savepoint and in this order, so each finds the position the
      // one before it left. One that fails leaves the rest of its window superseded: they
      // are done again from the position the job row says.
      const window = ids.slice(position, Math.min(position + WINDOW, end));
      const outcomes = await Promise.allSettled(
        window.map((id, i) => step(ctx, { jobId, position: position + i, conversation: id, action, viewer, ownAddresses: options.ownAddresses, report })),
      );
      const fault = outcomes.find((o) => o.status === 'rejected');
      if (fault) throw fault.reason;
      if (outcomes.some((o) => o.status === 'fulfilled' && o.value === 'superseded')) break;
      position += window.length;
    }
    // Lets requests waiting on the event loop in before the next batch.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

type Step = {
  jobId: number;
  position: number;
  conversation: number;
  action: BulkAction;
  viewer: Viewer | null;
  ownAddresses: RunOptions['ownAddresses'];
  report: (id: number, error: unknown) => void;
};

async function step(ctx: InboxContext, s: Step): Promise<'done' | 'failed' | 'superseded'> {
  try {
    await inUnit(ctx, async (unit) => {
      if (!(await advanceBulkJob(unit.tx, s.jobId, s.position, ctx.clock()))) throw new Superseded();
      await applyOne(unit, s);
    });
    return 'done';
  } catch (error) {
    if (error instanceof Superseded) return 'superseded';
    // The database away is no fault of this conversation: the timer's retry resumes here.
    if (isDatabaseUnavailable(error)) throw error;
    if (!(error instanceof DomainError)) s.report(s.conversation, error);
    const failure = await describeFailure(ctx, s.conversation, error);
    const recorded = await transact(ctx.store, (tx) => recordBulkFailure(tx, s.jobId, s.position, failure, ctx.clock(), KEEP_FAILURES));
    return recorded ? 'failed' : 'superseded';
  }
}

/** One conversation, as the job's creator; one they may not see is not found, and nothing is done to it. */
async function applyOne(unit: Unit, { conversation, action, viewer, ownAddresses }: Step): Promise<void> {
  if (!viewer) throw new DomainError('forbidden', 'whoever started this job can no longer act for the team');
  const row = await lockConversation(unit, conversation);
  if (!canView(viewer, toConversation(row))) throw notFound('conversation');
  const by = { userId: viewer.id };
  if ('actions' in action) await runMacroActions(unit, { conversation, actions: action.actions, by });
  else if ('macroId' in action) await applyMacro(unit, { macroId: action.macroId, conversation, by });
  else if ('spam' in action) await markAsSpam(unit, { conversation, by, block: action.spam.block, ownAddresses: ownAddresses?.() ?? [] });
  else await deleteConversation(unit, { conversation, by });
}

async function describeFailure(ctx: InboxContext, id: number, error: unknown): Promise<BulkFailure> {
  const code = error instanceof DomainError ? error.code : 'internal';
  const message = error instanceof DomainError ? error.message : 'something went wrong with this conversation';
  const row = await findConversation(ctx.store.db, ctx.store.dialect, { id }, false).catch(() => undefined);
  return { id, ...(row ? { number: Number(row.number) } : {}), code, error: message };
}
