import { sql } from 'kysely';
import type { CannedReplyRow } from './schema.js';
import type { Tx } from './transaction.js';

// Canned replies (migration 0021). Written by the canned-reply commands only
// (inbox/commands/canned-replies.ts).

export type CannedReply = CannedReplyRow;

function toReply(row: CannedReplyRow): CannedReply {
  return {
    ...row,
    id: Number(row.id),
    ownerId: row.ownerId === null ? null : Number(row.ownerId),
    teamId: row.teamId === null ? null : Number(row.teamId),
    createdBy: Number(row.createdBy),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

/** Whose replies a search reads: the user's own, the shared with the whole team, with these teams (`allShared`: every shared one). */
export type CannedScope = { userId: number; teamIds: readonly number[]; allShared: boolean };

/** `%`, `_` and the escape itself match themselves in a LIKE pattern. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function findCannedReply(tx: Tx, id: number): Promise<CannedReply | undefined> {
  const row = await tx.selectFrom('canned_replies').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toReply(row);
}

/**
 * The replies in scope whose shortcut, name or body holds `query` (any case), best first:
 * a shortcut starting with it, then a name holding it, then the rest; by name within each.
 */
export async function searchCannedReplies(tx: Tx, scope: CannedScope, query: string, limit: number): Promise<CannedReply[]> {
  const needle = query.trim().toLowerCase();
  const contains = `%${likeEscaped(needle)}%`;
  const prefix = `${likeEscaped(needle)}%`;
  let select = tx
    .selectFrom('canned_replies')
    .selectAll()
    .where((eb) => {
      const shared = eb('ownerId', 'is', null);
      const ownTeams = scope.teamIds.length > 0 ? eb.or([eb('teamId', 'is', null), eb('teamId', 'in', [...scope.teamIds])]) : eb('teamId', 'is', null);
      return eb.or([eb('ownerId', '=', scope.userId), scope.allShared ? shared : eb.and([shared, ownTeams])]);
    });
  if (needle) {
    select = select
      .where(
        sql<boolean>`(lower(shortcut) like ${contains} escape '\\' or lower(name) like ${contains} escape '\\' or lower(body) like ${contains} escape '\\')`,
      )
      .orderBy(sql`case when lower(shortcut) like ${prefix} escape '\\' then 0 when lower(name) like ${contains} escape '\\' then 1 else 2 end`);
  }
  const rows = await select.orderBy('name').orderBy('id').limit(limit).execute();
  return rows.map(toReply);
}

/** How many personal replies the user has, counting no further than `cap`. */
export async function countPersonalCannedReplies(tx: Tx, userId: number, cap: number): Promise<number> {
  const rows = await tx.selectFrom('canned_replies').select('id').where('ownerId', '=', userId).limit(cap).execute();
  return rows.length;
}

export type CannedReplyFields = { name: string; shortcut: string; body: string; ownerId: number | null; teamId: number | null };

export async function insertCannedReply(tx: Tx, reply: CannedReplyFields & { createdBy: number; now: number }): Promise<number> {
  const { now, ...fields } = reply;
  const row = await tx
    .insertInto('canned_replies')
    .values({ ...fields, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateCannedReplyRow(tx: Tx, id: number, patch: Partial<CannedReplyFields> & { now: number }): Promise<void> {
  const { now, ...fields } = patch;
  const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  await tx
    .updateTable('canned_replies')
    .set({ ...set, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteCannedReplyRow(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('canned_replies').where('id', '=', id).execute();
}
