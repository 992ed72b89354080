import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { AssignmentRuleRow, Channel } from './schema.js';
import type { Tx } from './transaction.js';

// Assignment rules, their per-member capacities, the queue of what they could not place,
// and which team a channel's new conversations go to (migration 0020). Written by the
// inbox's assignment commands only.

/** The scope of conversations without a team. */
export const NO_TEAM = 0;

// Capacity is a hard limit with several instances too: whoever hands out conversations by a
// rule holds this transaction-scoped lock from reading the members' loads to committing, so
// the next one reads loads that include the last one's. Its own lock, not the event-order
// lock: commands write counter rows before they take that one, and a rule writes counters
// after deciding, so sharing it could deadlock. SQLite has one writer at a time already.
const ASSIGNMENT_LOCK = 7_206_153_512; // any constant; names the lock in pg_locks

export async function lockAssignment(tx: Tx, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${ASSIGNMENT_LOCK})`.execute(tx);
}

/** Whether a team member is online at `onlineSince` (no manual choice, a socket seen since) and active. */
export async function isOnline(tx: Tx, userId: number, onlineSince: number): Promise<boolean> {
  const row = await tx
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('lastSeenAt', '>=', onlineSince)
    .where('availabilityChoice', 'is', null)
    .where('deactivatedAt', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** A scope's rule, with its team's name (null without a team). */
export async function findRule(tx: Tx, scope: number): Promise<(AssignmentRuleRow & { teamName: string | null }) | undefined> {
  const row = await tx
    .selectFrom('assignment_rules as r')
    .leftJoin('teams as t', 't.id', 'r.teamId')
    .selectAll('r')
    .select('t.name as teamName')
    .where('r.teamId', '=', scope)
    .executeTakeFirst();
  return row && { ...row, teamId: Number(row.teamId), cursorUserId: row.cursorUserId === null ? null : Number(row.cursorUserId) };
}

/** Every rule, with its team's name, for the drain and the settings. */
export async function listRules(tx: Tx): Promise<(AssignmentRuleRow & { teamName: string | null })[]> {
  const rows = await tx
    .selectFrom('assignment_rules as r')
    .leftJoin('teams as t', 't.id', 'r.teamId')
    .selectAll('r')
    .select('t.name as teamName')
    .orderBy('r.teamId')
    .execute();
  return rows.map((row) => ({ ...row, teamId: Number(row.teamId), cursorUserId: row.cursorUserId === null ? null : Number(row.cursorUserId) }));
}

export async function upsertRule(tx: Tx, rule: Omit<AssignmentRuleRow, 'cursorUserId'>): Promise<void> {
  await tx
    .insertInto('assignment_rules')
    .values({ ...rule, cursorUserId: null })
    .onConflict((oc) =>
      oc.column('teamId').doUpdateSet({
        mode: rule.mode,
        capacity: rule.capacity,
        assignNew: rule.assignNew,
        assignReopened: rule.assignReopened,
        assignHandover: rule.assignHandover,
        updatedAt: rule.updatedAt,
      }),
    )
    .execute();
}

export async function setRuleCursor(tx: Tx, scope: number, userId: number): Promise<void> {
  await tx.updateTable('assignment_rules').set({ cursorUserId: userId }).where('teamId', '=', scope).execute();
}

export async function listCapacities(tx: Tx, scope?: number): Promise<{ teamId: number; userId: number; capacity: number }[]> {
  let query = tx.selectFrom('assignment_capacities').selectAll().orderBy('teamId').orderBy('userId');
  if (scope !== undefined) query = query.where('teamId', '=', scope);
  return (await query.execute()).map((r) => ({ teamId: Number(r.teamId), userId: Number(r.userId), capacity: r.capacity }));
}

export async function replaceCapacities(tx: Tx, scope: number, capacities: readonly { userId: number; capacity: number }[]): Promise<void> {
  await tx.deleteFrom('assignment_capacities').where('teamId', '=', scope).execute();
  if (capacities.length > 0)
    await tx
      .insertInto('assignment_capacities')
      .values(capacities.map((c) => ({ teamId: scope, ...c })))
      .execute();
}

/** A member a rule may give a conversation to: online, active, with their load of open and pending conversations. */
export type Candidate = { userId: number; load: number; capacity: number | null };

/**
 * The scope's members who are online at `onlineSince` (no manual choice, an inbox socket seen
 * since then) and active, with their load from the counter rows (assignee:<id>:open and
 * :pending) and their capacity (their own, else the rule's). Without a team, every team member
 * is in the scope. In id order: round robin's.
 */
export async function findCandidates(tx: Tx, scope: number, onlineSince: number, ruleCapacity: number | null): Promise<Candidate[]> {
  const load = sql<number>`(select coalesce(sum(c.n), 0) from inbox_counts c where c.key in (${sql.raw("'assignee:' || u.id || ':open'")}, ${sql.raw("'assignee:' || u.id || ':pending'")}))`;
  let query = tx
    .selectFrom('users as u')
    .leftJoin('assignment_capacities as ac', (join) => join.onRef('ac.userId', '=', 'u.id').on('ac.teamId', '=', scope))
    .select(['u.id', 'ac.capacity', load.as('load')])
    .where('u.lastSeenAt', '>=', onlineSince)
    .where('u.availabilityChoice', 'is', null)
    .where('u.role', '!=', 'customer')
    .where('u.deactivatedAt', 'is', null)
    .orderBy('u.id');
  if (scope !== NO_TEAM) query = query.where('u.id', 'in', (eb) => eb.selectFrom('team_members').select('userId').where('teamId', '=', scope));
  const rows = await query.execute();
  return rows.map((r) => ({ userId: Number(r.id), load: Number(r.load), capacity: r.capacity ?? ruleCapacity }));
}

/** Whether the conversation is there at all, locked or not. */
export async function conversationExists(tx: Tx, id: number): Promise<boolean> {
  return (await tx.selectFrom('conversations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Whether anything waits in any queue (the drain is asked for only then). */
export async function anyQueued(tx: Tx): Promise<boolean> {
  return (await tx.selectFrom('assignment_queue').select('conversationId').limit(1).executeTakeFirst()) !== undefined;
}

export async function enqueue(tx: Tx, conversationId: number, scope: number, at: number): Promise<void> {
  await tx
    .insertInto('assignment_queue')
    .values({ conversationId, teamId: scope, queuedAt: at })
    .onConflict((oc) => oc.column('conversationId').doUpdateSet({ teamId: scope, queuedAt: at }))
    .execute();
}

export async function dequeue(tx: Tx, conversationId: number): Promise<void> {
  await tx.deleteFrom('assignment_queue').where('conversationId', '=', conversationId).execute();
}

/** The scope's queue, oldest first, by its index. */
export async function peekQueue(tx: Tx, scope: number, limit: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('assignment_queue')
    .select('conversationId')
    .where('teamId', '=', scope)
    .orderBy('queuedAt')
    .orderBy('conversationId')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.conversationId));
}

/** The team a channel's new conversations go to, if one claimed it. */
export async function findChannelTeam(tx: Tx, channel: Channel): Promise<{ id: number; name: string } | null> {
  const row = await tx
    .selectFrom('team_channels as tc')
    .innerJoin('teams as t', 't.id', 'tc.teamId')
    .select(['t.id', 't.name'])
    .where('tc.channel', '=', channel)
    .executeTakeFirst();
  return row ? { id: Number(row.id), name: row.name } : null;
}

export async function listTeamChannels(tx: Tx): Promise<{ channel: Channel; teamId: number }[]> {
  const rows = await tx.selectFrom('team_channels').selectAll().orderBy('channel').execute();
  return rows.map((r) => ({ channel: r.channel, teamId: Number(r.teamId) }));
}

/** The team's channels become exactly these; a channel another team had moves here. */
export async function setTeamChannels(tx: Tx, teamId: number, channels: readonly Channel[]): Promise<void> {
  await tx.deleteFrom('team_channels').where('teamId', '=', teamId).execute();
  if (channels.length === 0) return;
  await tx
    .deleteFrom('team_channels')
    .where('channel', 'in', [...channels])
    .execute();
  await tx
    .insertInto('team_channels')
    .values(channels.map((channel) => ({ channel, teamId })))
    .execute();
}

/** A team being deleted takes its rule, capacities, queue and channels with it. */
export async function deleteTeamAssignment(tx: Tx, teamId: number): Promise<void> {
  await tx.deleteFrom('assignment_rules').where('teamId', '=', teamId).execute();
  await tx.deleteFrom('assignment_capacities').where('teamId', '=', teamId).execute();
  await tx.deleteFrom('assignment_queue').where('teamId', '=', teamId).execute();
  await tx.deleteFrom('team_channels').where('teamId', '=', teamId).execute();
}
