import { dequeue, findCandidates, listRules, lockAssignment, peekQueue, setRuleCursor } from '../../store/assignment.js';
import { findConversation } from '../../store/conversations.js';
import { setTimer } from '../../store/timers.js';
import type { Tx } from '../../store/transaction.js';
import { onlineSince } from '../availability.js';
import { assignConversation } from '../commands/conversation.js';
import { inUnit } from '../commands/unit.js';
import type { InboxContext, NewTimer, SideEffectPlanner } from '../context.js';
import type { InboxEvent } from '../records.js';
import { withBot } from '../rules.js';
import { hasRoom, pickAssignee } from './choose.js';
import { ruleOf, scopeOf } from './place.js';

// The queues drain the moment someone can take more: a member comes online, resolves or
// hands on a conversation, is given more capacity, or joins a team. Each of those arms ONE
// durable timer, due at once (many arms before it fires make one drain), and the outbox
// worker fires it. No periodic sweep: nothing is scanned while nothing changed.

export const DRAIN_TIMER = 'assignment.drain';

/** Arms the drain; for a command's planner, or any transaction that made room. */
export const drainTimer = (now: number): NewTimer => ({ key: DRAIN_TIMER, kind: DRAIN_TIMER, dueAt: now, payload: null });

export async function requestDrain(tx: Tx, now: number): Promise<void> {
  await setTimer(tx, drainTimer(now), now);
}

/** How many conversations one transaction hands out at most: the assignment lock is held that long. */
const PER_UNIT = 200;

/**
 * Hands out queued conversations, oldest first in each scope, while someone online has room.
 * Runs in units of at most PER_UNIT assignments; resolves to how many it assigned. A queue
 * entry whose conversation moved on (assigned by hand, resolved, moved to another team,
 * deleted, back with the bot) is dropped.
 */
export async function drainQueues(ctx: InboxContext): Promise<number> {
  let total = 0;
  for (;;) {
    const { assigned, more } = await inUnit(ctx, async (unit) => {
      const { tx } = unit;
      await lockAssignment(tx, ctx.store.dialect);
      const now = ctx.clock();
      let assigned = 0;
      for (const rule of await listRules(tx)) {
        if (rule.mode === 'manual') continue;
        const candidates = await findCandidates(tx, rule.teamId, onlineSince(now), rule.capacity);
        let cursor = rule.cursorUserId;
        scope: while (candidates.some(hasRoom)) {
          const ids = await peekQueue(tx, rule.teamId, 50);
          if (ids.length === 0) break;
          for (const id of ids) {
            if (assigned === PER_UNIT) return { assigned, more: true };
            const row = await findConversation(tx, ctx.store.dialect, { id }, true);
            if (!row || row.assignedTo !== null || row.status !== 'open' || withBot(row) || scopeOf(row) !== rule.teamId) {
              await dequeue(tx, id);
              continue;
            }
            const chosen = pickAssignee(rule.mode, candidates, cursor);
            if (!chosen) break scope;
            await assignConversation(unit, { conversation: id, assigneeId: chosen.userId, by: ruleOf(rule.teamName) });
            await dequeue(tx, id);
            chosen.load += 1;
            cursor = chosen.userId;
            assigned += 1;
          }
        }
        if (cursor !== null && cursor !== rule.cursorUserId) await setRuleCursor(tx, rule.teamId, cursor);
      }
      return { assigned, more: false };
    });
    total += assigned;
    if (!more) return total;
  }
}

/** Events after which someone may have room: a conversation resolved, closed, deleted, unassigned or given to someone else. */
function makesRoom(event: InboxEvent): boolean {
  switch (event.eventType) {
    case 'resolved':
    case 'closed':
    case 'unassigned':
    case 'deleted':
      return true;
    case 'assigned':
      return event.oldValue !== null;
    default:
      return false;
  }
}

/** Arms the drain in the transaction of the command that made room; an import makes nobody's room. */
export const drainPlanner: SideEffectPlanner = (event) => (event.origin !== 'import' && makesRoom(event) ? [drainTimer(event.createdAt)] : []);
