import { enqueue, findCandidates, findRule, isOnline, lockAssignment, NO_TEAM, setRuleCursor } from '../../store/assignment.js';
import type { AssignmentRuleRow, ConversationRow } from '../../store/schema.js';
import { type ResolvedActor, resolveActor } from '../actors.js';
import { onlineSince } from '../availability.js';
import type { Unit } from '../commands/unit.js';
import type { Origin } from '../context.js';
import { withBot } from '../rules.js';
import { pickAssignee } from './choose.js';
import { requestRecheck } from './request.js';

// An assignment rule deciding, inside the transaction of the command through which a
// conversation arrives: it is born assigned, or queued in its team's queue, with no window
// in which another instance could decide otherwise (store/assignment.ts lockAssignment).

/** How a conversation comes to need someone: which of a rule's arrivals it is. */
export type Arrival = 'new' | 'reopened' | 'handover';

/** What the rule decided: give it to a member (the rule is the actor of that `assigned` event), or queue it. */
export type Placement = { assignTo: number; by: ResolvedActor } | { queueIn: number };

/** The scope a conversation's rule is found under: its team, or "no team". */
export const scopeOf = (row: Pick<ConversationRow, 'teamId'>): number => (row.teamId === null ? NO_TEAM : Number(row.teamId));

function takes(rule: AssignmentRuleRow, arrival: Arrival): boolean {
  if (rule.mode === 'manual') return false;
  if (arrival === 'new') return rule.assignNew === 1;
  if (arrival === 'reopened') return rule.assignReopened === 1;
  return rule.assignHandover === 1;
}

/** The rule as the actor of what it does; the timeline says which rule. */
export const ruleOf = (teamName: string | null): { rule: string } => ({ rule: teamName ? `Assignment rule (${teamName})` : 'Assignment rule' });

/**
 * Whether a rule takes this arrival at all: not what an import brings (it arrives as it
 * was), and not what a rule itself did (rules do not trigger rules).
 */
export function ruleMayAct(unit: Unit, origin: Origin): boolean {
  return unit.origin !== 'import' && origin !== 'rule' && origin !== 'import';
}

/**
 * Decides for a conversation arriving in `scope`: null when the scope's rule does not take
 * this arrival, else the member to give it to or the queue. Call once the conversation is
 * known to need someone (unassigned, or its assignee gone offline).
 */
export async function placeByRule(unit: Unit, scope: number, arrival: Arrival, now: number): Promise<Placement | null> {
  const { tx, ctx } = unit;
  const rule = await findRule(tx, scope);
  if (!rule || !takes(rule, arrival)) return null;
  await lockAssignment(tx, ctx.store.dialect);
  const candidates = await findCandidates(tx, scope, onlineSince(now), rule.capacity);
  const chosen = pickAssignee(rule.mode, candidates, rule.cursorUserId);
  if (!chosen) return { queueIn: scope };
  await setRuleCursor(tx, scope, chosen.userId);
  return { assignTo: chosen.userId, by: await resolveActor(tx, ruleOf(rule.teamName), now) };
}

/** Queues the conversation when that is what the rule decided. */
export async function queueIfPlaced(unit: Unit, conversationId: number, placement: Placement | null, now: number): Promise<void> {
  if (!placement || !('queueIn' in placement)) return;
  await enqueue(unit.tx, conversationId, placement.queueIn, now);
  await requestRecheck(unit.tx, now);
}

/**
 * A reopened conversation keeps its assignee while they are online; otherwise (nobody, or
 * someone offline, busy or deactivated) its rule places it anew, if it takes reopened ones;
 * one whose assignee is away and for whom nobody has room stays theirs, not queued.
 */
export async function placeReopened(unit: Unit, row: ConversationRow, now: number): Promise<Placement | null> {
  if (withBot(row)) return null;
  if (row.assignedTo === null) return placeByRule(unit, scopeOf(row), 'reopened', now);
  if (await isOnline(unit.tx, Number(row.assignedTo), onlineSince(now))) return null;
  const placement = await placeByRule(unit, scopeOf(row), 'reopened', now);
  // Nobody else online with room: it stays with its assignee rather than with nobody.
  return placement && 'assignTo' in placement ? placement : null;
}
