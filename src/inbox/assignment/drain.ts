import { conversationExists, dequeue, findCandidates, listRules, lockAssignment, peekQueue, setRuleCursor } from '../../store/assignment.js';
import { findConversation } from '../../store/conversations.js';
import { onlineSince } from '../availability.js';
import { assignConversation } from '../commands/conversation.js';
import { inUnit, type Unit } from '../commands/unit.js';
import type { InboxContext } from '../context.js';
import { withBot } from '../rules.js';
import { hasRoom, pickAssignee } from './choose.js';
import { ruleOf, scopeOf } from './place.js';

// Hands queued conversations out; when it runs is request.ts's part. No periodic sweep:
// nothing is scanned while nothing changed.

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
    const assigned = await inUnit(ctx, async (unit) => {
      await lockAssignment(unit.tx, ctx.store.dialect);
      let assigned = 0;
      for (const rule of await listRules(unit.tx)) {
        if (rule.mode !== 'manual' && assigned < PER_UNIT) assigned += await drainScope(unit, rule, PER_UNIT - assigned);
      }
      return assigned;
    });
    total += assigned;
    if (assigned < PER_UNIT) return total;
  }
}

type Rule = Awaited<ReturnType<typeof listRules>>[number];

/** One scope's queue, oldest first, until nobody online has room or `budget` are handed out. */
async function drainScope(unit: Unit, rule: Rule, budget: number): Promise<number> {
  const { tx, ctx } = unit;
  const candidates = await findCandidates(tx, rule.teamId, onlineSince(ctx.clock()), rule.capacity);
  let cursor = rule.cursorUserId;
  let assigned = 0;
  // Entries left where they are this time: their conversation is held by another command.
  const held = new Set<number>();
  scope: while (assigned < budget && candidates.some(hasRoom)) {
    const ids = (await peekQueue(tx, rule.teamId, 50 + held.size)).filter((id) => !held.has(id));
    if (ids.length === 0) break;
    for (const id of ids) {
      // Never waits on a conversation another command holds (it may be waiting for the
      // assignment lock this drain holds: a reopen deciding on it); that command decides, or
      // the next drain does.
      const row = await findConversation(tx, ctx.store.dialect, { id }, 'skip-locked');
      if (row === undefined && (await conversationExists(tx, id))) {
        held.add(id);
        continue;
      }
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
      if (++assigned === budget) break scope;
    }
  }
  if (cursor !== null && cursor !== rule.cursorUserId) await setRuleCursor(tx, rule.teamId, cursor);
  return assigned;
}
