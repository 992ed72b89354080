import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_PAGE } from '../../limits.js';
import { cancelBulkJobRow, findBulkJobProgress, insertBulkJob, listRunningBulkJobs } from '../../store/bulk-jobs.js';
import { findMacro } from '../../store/macros.js';
import { cancelTimer, setTimer } from '../../store/timers.js';
import { transact } from '../../store/transaction.js';
import { findUserById } from '../../store/users.js';
import type { InboxContext } from '../context.js';
import { checkMacroActions, type MacroAction } from '../macros/actions.js';
import { canDelete, canUseMacro, isTeam, type Viewer } from '../policies.js';
import { type ConversationQuery, getConversations } from '../queries.js';
import { inUnit } from './unit.js';

// Bulk actions (issue 17): one action on many conversations, as a durable job. Starting one
// fixes the targets (a list of ids, or a SNAPSHOT of every conversation matching a list's
// query: the view's rows move while the job changes them) and arms the job's timer; the
// worker runs it (commands/bulk-run.ts), each conversation in its own unit of work.

/** The most conversations one job takes, given as ids or matched by a query. */
export const MAX_BULK_IDS = 10_000;
export const MAX_BULK_MATCHING = 100_000;
/** The durable timer that runs a job: key `bulk:<id>`, payload `{ jobId }`. */
export const BULK_TIMER = 'bulk.run';
export const bulkTimerKey = (jobId: number) => `bulk:${jobId}`;

/**
 * What a job does to each conversation: a list of macro actions (the macro's own runner, so
 * there is one way to do each; snoozing among them), a saved macro, deleting (admins), or
 * marking as spam (blocking each sender's address or domain if asked).
 */
export type BulkAction = { actions: MacroAction[] } | { macroId: number } | { delete: true } | { spam: { block: 'address' | 'domain' | null } };

export type BulkTargets = { ids: readonly number[] } | { query: ConversationQuery };

/** The action, checked as a macro's actions are: on start, and again by the runner (the row may be older than a rule). */
export function checkBulkAction(raw: unknown): BulkAction {
  const value = (raw ?? {}) as Record<string, unknown>;
  const kinds = ['actions', 'macroId', 'delete', 'spam'].filter((k) => value[k] !== undefined);
  if (kinds.length !== 1) throw invalid('action', 'give one of actions, macroId, delete or spam');
  if (value.actions !== undefined) return { actions: checkMacroActions(value.actions) };
  if (value.macroId !== undefined) {
    if (typeof value.macroId !== 'number' || !Number.isSafeInteger(value.macroId) || value.macroId <= 0) throw invalid('action', 'which macro?');
    return { macroId: value.macroId };
  }
  if (value.spam !== undefined) {
    const block = (value.spam as { block?: unknown } | null)?.block ?? null;
    if (block !== null && block !== 'address' && block !== 'domain') throw invalid('action', "spam: block 'address', 'domain' or nothing");
    return { spam: { block } };
  }
  if (value.delete !== true) throw invalid('action', 'delete: true');
  return { delete: true };
}

/** The signed-in team member a job acts as, as policies see them; null when they may act no more. */
export async function bulkViewer(ctx: InboxContext, userId: number): Promise<Viewer | null> {
  const user = await findUserById(ctx.store.db, userId);
  if (!user || user.deactivatedAt !== null) return null;
  const viewer = { id: Number(user.id), role: user.role, emailVerifiedAt: user.emailVerifiedAt };
  return isTeam(viewer) ? viewer : null;
}

/** Every id the query matches for this viewer, in the list's order. */
async function snapshot(ctx: InboxContext, viewer: Viewer, query: ConversationQuery): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await getConversations(ctx, { ...query, viewerId: viewer.id, includeInternal: true, cursor, limit: MAX_PAGE });
    for (const c of page.items) ids.push(c.id);
    if (ids.length > MAX_BULK_MATCHING) throw invalid('filter', `a bulk action takes at most ${MAX_BULK_MATCHING} conversations; narrow the view`);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

export type BulkJobStarted = { id: number; total: number };

/** Starts a job: checks who asks and what, fixes the targets, and arms its timer, in one transaction. */
export async function startBulkJob(ctx: InboxContext, input: { targets: BulkTargets; action: unknown; by: { userId: number } }): Promise<BulkJobStarted> {
  const viewer = await bulkViewer(ctx, input.by.userId);
  if (!viewer) throw new DomainError('forbidden', 'bulk actions are for the team');
  const action = checkBulkAction(input.action);
  if ('delete' in action && !canDelete(viewer)) throw new DomainError('forbidden', 'only an admin deletes conversations', 'action');
  if ('macroId' in action) {
    const macro = await findMacro(ctx.store.db, action.macroId);
    if (!macro || !canUseMacro(viewer, macro)) throw notFound('macro');
  }
  let ids: number[];
  if ('ids' in input.targets) {
    if (input.targets.ids.length > MAX_BULK_IDS) throw invalid('ids', `at most ${MAX_BULK_IDS} conversations at once`);
    ids = [...new Set(input.targets.ids)];
  } else ids = await snapshot(ctx, viewer, input.targets.query);
  return inUnit(ctx, async (unit) => {
    const now = ctx.clock();
    const id = await insertBulkJob(unit.tx, { createdBy: viewer.id, action, ids, now });
    await unit.setTimer({ key: bulkTimerKey(id), kind: BULK_TIMER, dueAt: now, payload: { jobId: id } });
    return { id, total: ids.length };
  });
}

/** Whether `viewer` may see (and cancel) the job: its creator, or an admin. */
export const canSeeBulkJob = (viewer: Viewer, job: { createdBy: number }) => job.createdBy === viewer.id || viewer.role === 'admin';

/** Stops a running job after the conversation it is on; one already finished stays as it is. Another's is not found. */
export async function cancelBulkJob(ctx: InboxContext, input: { jobId: number; viewer: Viewer }): Promise<void> {
  await transact(ctx.store, async (tx) => {
    const job = await findBulkJobProgress(tx, input.jobId);
    if (!job || !canSeeBulkJob(input.viewer, job)) throw notFound('job');
    // The runner's next compare-and-set finds the job no longer running and stops.
    if (await cancelBulkJobRow(tx, job.id, ctx.clock())) await cancelTimer(tx, bulkTimerKey(job.id));
  });
}

/**
 * At start: re-arms every running job's timer, due now, so a job whose process stopped
 * (or died) goes on without waiting for its old lease to run out. Should another instance
 * still be running it, both advance it by compare-and-set, and no conversation is done twice.
 */
export async function resumeBulkJobs(ctx: InboxContext): Promise<number> {
  return transact(ctx.store, async (tx) => {
    const ids = await listRunningBulkJobs(tx);
    const now = ctx.clock();
    for (const id of ids) await setTimer(tx, { key: bulkTimerKey(id), kind: BULK_TIMER, dueAt: now, payload: { jobId: id } }, now);
    return ids.length;
  });
}
