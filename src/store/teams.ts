import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { Channel, TeamRow } from './schema.js';
import type { Tx } from './transaction.js';

// Teams and who is in them (migration 0016). The team's conversations are written by the
// inbox commands only; here they are only found.

/** `channels`: the channels whose new conversations go to the team (migration 0020). */
export type TeamWithMembers = TeamRow & { memberIds: number[]; channels: Channel[] };

export async function listTeams(tx: Tx): Promise<TeamWithMembers[]> {
  const teams = await tx.selectFrom('teams').selectAll().orderBy('name').orderBy('id').execute();
  const members = await tx.selectFrom('team_members').select(['teamId', 'userId']).orderBy('userId').execute();
  const channels = await tx.selectFrom('team_channels').select(['teamId', 'channel']).orderBy('channel').execute();
  return teams.map((team) => ({
    ...team,
    id: Number(team.id),
    memberIds: members.filter((m) => Number(m.teamId) === Number(team.id)).map((m) => Number(m.userId)),
    channels: channels.filter((c) => Number(c.teamId) === Number(team.id)).map((c) => c.channel),
  }));
}

export async function findTeam(tx: Tx, id: number): Promise<TeamWithMembers | undefined> {
  const team = await tx.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  if (!team) return undefined;
  const members = await tx.selectFrom('team_members').select('userId').where('teamId', '=', id).orderBy('userId').execute();
  const channels = await tx.selectFrom('team_channels').select('channel').where('teamId', '=', id).orderBy('channel').execute();
  return { ...team, id: Number(team.id), memberIds: members.map((m) => Number(m.userId)), channels: channels.map((c) => c.channel) };
}

/**
 * Whether the team exists, holding its row until commit (PostgreSQL; SQLite's write lock
 * already serialises): `share` while a conversation joins it, `update` while it is deleted,
 * so a conversation never joins a team that is being deleted (it waits, then finds none).
 */
export async function lockTeam(tx: Tx, dialect: Dialect, id: number, mode: 'share' | 'update'): Promise<{ id: number; name: string } | undefined> {
  let query = tx.selectFrom('teams').select(['id', 'name']).where('id', '=', id);
  if (dialect === 'postgres') query = mode === 'share' ? query.forShare() : query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && { id: Number(row.id), name: row.name };
}

/** A team named so, whatever the case: "Billing" and "billing" are one name to people. */
export async function findTeamIdByName(tx: Tx, name: string): Promise<number | undefined> {
  const row = await tx.selectFrom('teams').select('id').where(sql<string>`lower(name)`, '=', name.toLowerCase()).executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** The teams a user is in, by name: the sidebar's. */
export async function listUserTeams(tx: Tx, userId: number): Promise<{ id: number; name: string }[]> {
  const rows = await tx
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.teamId')
    .select(['t.id', 't.name'])
    .where('m.userId', '=', userId)
    .orderBy('t.name')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}

export async function insertTeam(tx: Tx, team: { name: string; description: string; now: number }): Promise<number> {
  const row = await tx
    .insertInto('teams')
    .values({ name: team.name, description: team.description, createdAt: team.now, updatedAt: team.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateTeamRow(tx: Tx, id: number, patch: { name?: string; description?: string; now: number }): Promise<void> {
  await tx
    .updateTable('teams')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updatedAt: patch.now,
    })
    .where('id', '=', id)
    .execute();
}

export async function setTeamMembers(tx: Tx, teamId: number, userIds: readonly number[]): Promise<void> {
  await tx.deleteFrom('team_members').where('teamId', '=', teamId).execute();
  if (userIds.length > 0)
    await tx
      .insertInto('team_members')
      .values(userIds.map((userId) => ({ teamId, userId })))
      .execute();
}

/** The team's conversations' ids, walked by the team's index. */
export async function findTeamConversationIds(tx: Tx, teamId: number): Promise<number[]> {
  const rows = await tx.selectFrom('conversations').select('id').where('teamId', '=', teamId).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

export async function deleteTeamRow(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('team_members').where('teamId', '=', id).execute();
  // The views shared with the team go with it (migration 0018).
  await tx.deleteFrom('saved_views').where('teamId', '=', id).execute();
  await tx.deleteFrom('teams').where('id', '=', id).execute();
}

/** Of these users, the ids that are team members (any role but customer), for a team's member list. */
export async function findAgentIds(tx: Tx, userIds: readonly number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('id', 'in', [...userIds])
    .where('role', '!=', 'customer')
    .execute();
  return new Set(rows.map((r) => Number(r.id)));
}
