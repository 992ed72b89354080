import { sql } from 'kysely';
import { runCompiled } from './compiled.js';
import type { FollowReason, Status } from './schema.js';
import type { Tx } from './transaction.js';

// Team participants ("followers") of conversations and mentions of team members in notes
// (migration 0019). Written by the inbox commands only.

export type Follower = { userId: number; name: string; reason: FollowReason; createdAt: number };
/** A keyset position in a view, newest first: the row's time, then its id as a tie-break. */
export type ViewKey = { at: number; id: number };
export type ViewRow = { conversationId: number; at: number; key: number; unread: boolean };

/** Makes them followers; one already following keeps their first reason. */
export async function addFollowers(tx: Tx, conversationId: number, userIds: readonly number[], reason: FollowReason, now: number): Promise<void> {
  if (userIds.length === 0) return;
  const rows = [...new Set(userIds)].map((userId) => ({ conversationId, userId, reason, createdAt: now }));
  await runCompiled(tx, 'addFollowers', rows, (slots) =>
    tx
      .insertInto('conversation_participants')
      .values(slots)
      .onConflict((oc) => oc.columns(['conversationId', 'userId']).doNothing()),
  );
}

export async function removeFollower(tx: Tx, conversationId: number, userId: number): Promise<boolean> {
  const result = await tx.deleteFrom('conversation_participants').where('conversationId', '=', conversationId).where('userId', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function listFollowers(tx: Tx, conversationId: number): Promise<Follower[]> {
  const rows = await tx
    .selectFrom('conversation_participants as p')
    .innerJoin('users as u', 'u.id', 'p.userId')
    .select(['p.userId', 'u.name', 'p.reason', 'p.createdAt'])
    .where('p.conversationId', '=', conversationId)
    .orderBy('p.createdAt')
    .orderBy('p.userId')
    .execute();
  return rows.map((r) => ({ userId: Number(r.userId), name: r.name, reason: r.reason, createdAt: Number(r.createdAt) }));
}

/** The active team members among `userIds`: who may be mentioned (the team sees every conversation). */
export async function findActiveTeamMembers(tx: Tx, userIds: readonly number[]): Promise<{ id: number; name: string }[]> {
  if (userIds.length === 0) return [];
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(userIds)])
    .where('role', 'in', ['admin', 'agent'])
    .where('deactivatedAt', 'is', null)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}

/** Every active team member's id and name: what `@Name` in a note is matched against. */
export async function listActiveTeamMembers(tx: Tx): Promise<{ id: number; name: string }[]> {
  const rows = await tx.selectFrom('users').select(['id', 'name']).where('role', 'in', ['admin', 'agent']).where('deactivatedAt', 'is', null).execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}

export async function insertMentions(tx: Tx, messageId: number, conversationId: number, userIds: readonly number[], now: number): Promise<void> {
  if (userIds.length === 0) return;
  await tx
    .insertInto('mentions')
    .values(userIds.map((userId) => ({ messageId, conversationId, userId, createdAt: now, readAt: null })))
    .execute();
}

/** Opening the conversation reads its mentions of the reader. */
export async function markMentionsRead(tx: Tx, conversationId: number, userId: number, now: number): Promise<void> {
  await tx
    .updateTable('mentions')
    .set({ readAt: now })
    .where('conversationId', '=', conversationId)
    .where('userId', '=', userId)
    .where('readAt', 'is', null)
    .execute();
}

// Row-value comparison, (a, b) < (x, y), is what both planners turn into an index range.
const before = (at: string, id: string, after: ViewKey | null) =>
  after === null ? sql<boolean>`1 = 1` : sql<boolean>`(${sql.ref(at)}, ${sql.ref(id)}) < (${sql.val(after.at)}, ${sql.val(after.id)})`;

/**
 * The Mentions view: one row per conversation, at the user's newest mention in it (an older
 * mention of the same conversation is skipped), walking `mentions_user` newest first.
 * Unread: a mention of them in it is not read yet.
 */
export async function listMentionedPage(
  tx: Tx,
  userId: number,
  statuses: readonly Status[] | undefined,
  after: ViewKey | null,
  limit: number,
): Promise<ViewRow[]> {
  let query = tx
    .selectFrom('mentions as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .select(['m.conversationId', 'm.createdAt', 'm.id', 'm.readAt'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('mentions as u')
            .select('u.id')
            .whereRef('u.conversationId', '=', 'm.conversationId')
            .where('u.userId', '=', userId)
            .where('u.readAt', 'is', null),
        )
        .as('hasUnread'),
    )
    .where('m.userId', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('mentions as n')
            .select('n.id')
            .whereRef('n.conversationId', '=', 'm.conversationId')
            .where('n.userId', '=', userId)
            .where(sql<boolean>`(n."createdAt", n.id) > (m."createdAt", m.id)`),
        ),
      ),
    )
    .where(before('m.createdAt', 'm.id', after));
  if (statuses?.length) query = query.where('c.status', 'in', statuses);
  const rows = await query.orderBy('m.createdAt', 'desc').orderBy('m.id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ conversationId: Number(r.conversationId), at: Number(r.createdAt), key: Number(r.id), unread: Boolean(r.hasUnread) }));
}

/** The Participating view: the conversations the user follows, newest first (`conversation_participants_user`). */
export async function listParticipatingPage(
  tx: Tx,
  userId: number,
  statuses: readonly Status[] | undefined,
  after: ViewKey | null,
  limit: number,
): Promise<ViewRow[]> {
  let query = tx
    .selectFrom('conversation_participants as p')
    .innerJoin('conversations as c', 'c.id', 'p.conversationId')
    .select(['p.conversationId', 'p.createdAt'])
    .where('p.userId', '=', userId)
    .where(before('p.createdAt', 'p.conversationId', after));
  if (statuses?.length) query = query.where('c.status', 'in', statuses);
  const rows = await query.orderBy('p.createdAt', 'desc').orderBy('p.conversationId', 'desc').limit(limit).execute();
  return rows.map((r) => ({ conversationId: Number(r.conversationId), at: Number(r.createdAt), key: Number(r.conversationId), unread: false }));
}

/** How many conversations of a view are in each status, counting at most `cap` of them. */
export async function countViewCapped(tx: Tx, view: 'mentioned' | 'participating', userId: number, cap: number): Promise<{ status: Status; n: number }[]> {
  const ids =
    view === 'mentioned'
      ? tx.selectFrom('mentions').select('conversationId').distinct().where('userId', '=', userId)
      : tx.selectFrom('conversation_participants').select('conversationId').where('userId', '=', userId);
  const rows = await tx
    .selectFrom(tx.selectFrom('conversations').select('status').where('id', 'in', ids).limit(cap).as('v'))
    .select(['v.status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('v.status')
    .execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}
