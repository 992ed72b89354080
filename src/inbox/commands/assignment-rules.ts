import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_CAPACITY } from '../../limits.js';
import { findRule, listCapacities, NO_TEAM, replaceCapacities, upsertRule } from '../../store/assignment.js';
import type { AssignmentMode } from '../../store/schema.js';
import { ASSIGNMENT_MODES } from '../../store/schema.js';
import { findTeam, lockTeam } from '../../store/teams.js';
import type { Tx } from '../../store/transaction.js';
import { type Actor, resolveActor } from '../actors.js';
import { requestDrain } from '../assignment/request.js';
import { canManageTeams } from '../policies.js';
import { type CommandTarget, runCommand } from './unit.js';

// Admins set how a team's conversations (scope: the team's id), or those without a team
// (scope 0), are handed out. A change may make room (more capacity, a mode that hands
// out at all): the queue drains at once.

export type AssignmentRule = {
  /** 0: conversations without a team. */
  scope: number;
  mode: AssignmentMode;
  capacity: number | null;
  capacities: { userId: number; capacity: number }[];
  arrivals: { new: boolean; reopened: boolean; handover: boolean };
};

const DEFAULT_ARRIVALS = { new: true, reopened: true, handover: true };

function checkCapacity(value: number | null, field: string): void {
  if (value !== null && (!Number.isInteger(value) || value < 0 || value > MAX_CAPACITY))
    throw invalid(field, `a capacity is a whole number from 0 to ${MAX_CAPACITY}`);
}

export function setAssignmentRule(target: CommandTarget, input: AssignmentRule & { by: Actor }): Promise<AssignmentRule> {
  if (!ASSIGNMENT_MODES.includes(input.mode)) throw invalid('mode', `mode must be one of ${ASSIGNMENT_MODES.join(', ')}`);
  checkCapacity(input.capacity, 'capacity');
  for (const c of input.capacities) checkCapacity(c.capacity, 'capacities');
  return runCommand(target, async ({ tx, ctx }, now) => {
    const actor = await resolveActor(tx, input.by, now);
    if (!canManageTeams(actor)) throw new DomainError('forbidden', 'only admins set assignment rules');
    if (input.scope !== NO_TEAM) {
      if (!(await lockTeam(tx, ctx.store.dialect, input.scope, 'share'))) throw notFound('team');
      const members = new Set((await findTeam(tx, input.scope))!.memberIds);
      const outsider = input.capacities.find((c) => !members.has(c.userId));
      if (outsider) throw invalid('capacities', `user ${outsider.userId} is not in the team`);
    }
    await upsertRule(tx, {
      teamId: input.scope,
      mode: input.mode,
      capacity: input.capacity,
      assignNew: input.arrivals.new ? 1 : 0,
      assignReopened: input.arrivals.reopened ? 1 : 0,
      assignHandover: input.arrivals.handover ? 1 : 0,
      updatedAt: now,
    });
    const unique = new Map(input.capacities.map((c) => [c.userId, c.capacity]));
    await replaceCapacities(
      tx,
      input.scope,
      [...unique].map(([userId, capacity]) => ({ userId, capacity })),
    );
    await requestDrain(tx, now);
    return (await readRule(tx, input.scope))!;
  });
}

/** A scope's rule as set, or the default (manual) for a scope nobody set. */
export async function readRule(tx: Tx, scope: number): Promise<AssignmentRule> {
  const rule = await findRule(tx, scope);
  const capacities = (await listCapacities(tx, scope)).map(({ userId, capacity }) => ({ userId, capacity }));
  if (!rule) return { scope, mode: 'manual', capacity: null, capacities, arrivals: DEFAULT_ARRIVALS };
  return {
    scope,
    mode: rule.mode,
    capacity: rule.capacity,
    capacities,
    arrivals: { new: rule.assignNew === 1, reopened: rule.assignReopened === 1, handover: rule.assignHandover === 1 },
  };
}

/** Every scope's rule: without a team first, then each team's (manual where none was set). Few rows: a settings page. */
export async function readRules(tx: Tx, teamIds: readonly number[]): Promise<AssignmentRule[]> {
  const rules: AssignmentRule[] = [];
  for (const scope of [NO_TEAM, ...teamIds]) rules.push(await readRule(tx, scope));
  return rules;
}
