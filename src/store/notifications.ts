import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { Tx } from './transaction.js';

// In-app notifications (migration 0028). Written by the inbox commands only; the unread
// count is the counter row `notifications:<userId>`, which the commands keep (addToCounters)
// from what these functions report they changed.

export const notificationCounterKey = (userId: number): string => `notifications:${userId}`;

export type NewNotification = {
  userId: number;
  kind: string;
  conversationId: number;
  messageId: number | null;
  actorId: number | null;
  actorName: string;
  at: number;
  /** Kept out of the bell (the user's preference): written for mail and push, never shown or counted. */
  silent: boolean;
  /** When a new row's mail timer is due (immediate mail), else null; a fold keeps the row's. */
  mailDueAt: number | null;
};

/** A row upsertNotifications added or folded into. */
export type ChangedNotificationRow = { id: number; userId: number; kind: string; count: number; silent: boolean; mailDueAt: number | null };

export type NotificationPageRow = {
  id: number;
  kind: string;
  conversationId: number;
  conversationNumber: number;
  subject: string;
  messageId: number | null;
  actorId: number | null;
  actorName: string;
  count: number;
  firstAt: number;
  lastAt: number;
  readAt: number | null;
};

/**
 * Adds each notification, or folds it into the user's unread row of the same group
 * (count + 1, the latest time, message and actor). One statement for all of them, in user
 * order so that two transactions lock rows alike. Returns every row it touched: a folded row
 * comes back with count > 1, a new one with 1 — the same on both databases.
 *
 * The rows go as ONE JSON parameter the database expands (issue 18's write overhead): the
 * statement's text is the same for 1 row or 21 (a reply telling 21 people was a
 * 252-parameter statement), so each database keeps one prepared plan for it.
 *
 * It also appends the live feed's row (notification_changes, created / updated) of every
 * row it touched that is not silent, under the event order lock the caller's events took
 * (it is called from the events' own transaction: inbox/notifications/derive.ts).
 */
export async function upsertNotifications(tx: Tx, dialect: Dialect, items: readonly NewNotification[]): Promise<ChangedNotificationRow[]> {
  if (items.length === 0) return [];
  const rows = [...items]
    .sort((a, b) => a.userId - b.userId)
    .map((n) => ({
      userId: n.userId,
      kind: n.kind,
      conversationId: n.conversationId,
      messageId: n.messageId,
      actorId: n.actorId,
      actorName: n.actorName,
      groupKey: `${n.kind}:${n.conversationId}`,
      at: n.at,
      silent: n.silent ? 1 : 0,
      mailDueAt: n.mailDueAt,
    }));
  let changed: Returned[] = [];
  let rest = rows;
  if (dialect === 'sqlite') {
    // Most events fold into a row that is there (a conversation's further replies): a plain
    // UPDATE does that for about two thirds of what the upsert's failed insert costs SQLite.
    // Only what it did not find goes on to the upsert below; one writer at a time, so nothing
    // can come between the two statements.
    changed = (
      await sql<Returned>`
        update notifications as n set count = n.count + 1, "lastAt" = r.value->>'at', "messageId" = r.value->>'messageId',
          "actorId" = r.value->>'actorId', "actorName" = r.value->>'actorName'
        from json_each(${JSON.stringify(rows)}) r
        where n."userId" = r.value->>'userId' and n."groupKey" = r.value->>'groupKey' and n."readAt" is null
        returning id, "userId", kind, count, silent, "mailDueAt"`.execute(tx)
    ).rows;
    const folded = new Set(changed.map((r) => Number(r.userId)));
    rest = rows.filter((r) => !folded.has(r.userId));
  }
  if (rest.length > 0) {
    const json = JSON.stringify(rest);
    const select = dialect === 'sqlite' ? sql`${sqliteRows(json)} where true` : sql`${postgresRows(json)} order by r."userId"`;
    const upsert = sql<Returned>`
      insert into notifications ("userId", kind, "conversationId", "messageId", "actorId", "actorName", "groupKey", count, "firstAt", "lastAt", "readAt", "createdAt", silent, "mailDueAt")
      ${select}
      on conflict ("userId", "groupKey") where "readAt" is null do update set
        count = notifications.count + 1, "lastAt" = excluded."lastAt", "messageId" = excluded."messageId",
        "actorId" = excluded."actorId", "actorName" = excluded."actorName"
      returning id, "userId", kind, count, silent, "mailDueAt"`;
    // PostgreSQL: the live feed's rows in the same statement (a data-modifying WITH), one
    // round trip instead of two; the caller holds the event order lock (store/events.ts).
    const upserted =
      dialect === 'postgres'
        ? await sql<Returned>`
            with up as (${upsert}),
            feed as (
              insert into notification_changes ("userId", "notificationId", op, scope, "createdAt")
              select "userId", id, case when count = 1 then 'created' else 'updated' end, null, ${feedAt(items)} from up where silent = 0
            )
            select * from up`.execute(tx)
        : await upsert.execute(tx);
    changed = changed.concat(upserted.rows);
    if (dialect === 'postgres') return settled(changed);
  }
  const result = settled(changed);
  // SQLite: a plain multi-row insert (measured faster there than one JSON parameter).
  await insertFeed(
    tx,
    result.filter((r) => !r.silent),
    feedAt(items),
  );
  return result;
}

const settled = (rows: Returned[]): ChangedNotificationRow[] =>
  rows
    .map((r) => ({
      id: Number(r.id),
      userId: Number(r.userId),
      kind: r.kind,
      count: Number(r.count),
      silent: Number(r.silent) === 1,
      mailDueAt: r.mailDueAt === null ? null : Number(r.mailDueAt),
    }))
    .sort((a, b) => a.userId - b.userId);

/** The feed rows' time: the batch's latest event (it only decides when a row is pruned). */
const feedAt = (items: readonly NewNotification[]) => Math.max(...items.map((n) => n.at));

async function insertFeed(tx: Tx, rows: readonly ChangedNotificationRow[], at: number): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('notification_changes')
    .values(rows.map((r) => ({ userId: r.userId, notificationId: r.id, op: r.count === 1 ? 'created' : 'updated', scope: null, createdAt: at })))
    .execute();
}

type Returned = {
  id: number | string;
  userId: number | string;
  kind: string;
  count: number | string;
  silent: number | string;
  mailDueAt: number | string | null;
};

// The select feeding the upsert: the columns in the insert's order. SQLite needs a WHERE
// after the FROM before an ON CONFLICT (else it reads ON as a join's); the caller adds it.
const sqliteRows = (json: string) => sql`
    select r.value->>'userId', r.value->>'kind', r.value->>'conversationId', r.value->>'messageId', r.value->>'actorId',
      r.value->>'actorName', r.value->>'groupKey', 1, r.value->>'at', r.value->>'at', null, r.value->>'at', r.value->>'silent', r.value->>'mailDueAt'
    from json_each(${json}) r`;
const postgresRows = (json: string) => sql`
    select r."userId", r.kind, r."conversationId", r."messageId", r."actorId", r."actorName", r."groupKey", 1, r.at, r.at, null, r.at, r.silent, r."mailDueAt"
    from jsonb_to_recordset(cast(${json} as jsonb)) as r("userId" bigint, kind text, "conversationId" bigint, "messageId" bigint,
      "actorId" bigint, "actorName" text, "groupKey" text, at bigint, silent integer, "mailDueAt" bigint)`;

/** Notes when a notification's mail timer is due (it was armed again for a row still unread after its mail). */
export async function setNotificationMailDue(tx: Tx, id: number, dueAt: number): Promise<void> {
  await tx.updateTable('notifications').set({ mailDueAt: dueAt }).where('id', '=', id).execute();
}

export type ReadScope = { ids: readonly number[] } | { conversationId: number } | { all: true };

/** Marks the user's unread notifications in `scope` read; returns the rows it changed (the bell counts the ones not silent). */
export async function markNotificationsRead(tx: Tx, userId: number, scope: ReadScope, now: number): Promise<{ id: number; silent: boolean }[]> {
  let query = tx.updateTable('notifications').set({ readAt: now }).where('userId', '=', userId).where('readAt', 'is', null);
  if ('ids' in scope) {
    if (scope.ids.length === 0) return [];
    query = query.where('id', 'in', [...scope.ids]);
  } else if ('conversationId' in scope) query = query.where('conversationId', '=', scope.conversationId);
  const rows = await query.returning(['id', 'silent']).execute();
  return rows.map((r) => ({ id: Number(r.id), silent: Number(r.silent) === 1 }));
}

/** Deletes a conversation's notifications; returns how many unread ones each user lost. */
export async function deleteConversationNotifications(tx: Tx, conversationId: number): Promise<Map<number, number>> {
  const rows = await tx.deleteFrom('notifications').where('conversationId', '=', conversationId).returning(['userId', 'readAt', 'silent']).execute();
  const unread = new Map<number, number>();
  for (const r of rows) if (r.readAt === null && Number(r.silent) === 0) unread.set(Number(r.userId), (unread.get(Number(r.userId)) ?? 0) + 1);
  return unread;
}

/** The bell's rows (not silent ones), with each conversation's number and subject: the list and the live frames read alike. */
export function selectBellRows(tx: Tx) {
  return tx
    .selectFrom('notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversationId')
    .select([
      'n.id',
      'n.kind',
      'n.conversationId',
      'c.number',
      'c.subject',
      'n.messageId',
      'n.actorId',
      'n.actorName',
      'n.count',
      'n.firstAt',
      'n.lastAt',
      'n.readAt',
    ])
    .where('n.silent', '=', 0);
}

type BellRow = Awaited<ReturnType<ReturnType<typeof selectBellRows>['execute']>>[number];

export function toBellRow(r: BellRow): NotificationPageRow {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    kind: r.kind,
    conversationId: Number(r.conversationId),
    conversationNumber: Number(r.number),
    subject: r.subject,
    messageId: num(r.messageId),
    actorId: num(r.actorId),
    actorName: r.actorName,
    count: Number(r.count),
    firstAt: Number(r.firstAt),
    lastAt: Number(r.lastAt),
    readAt: num(r.readAt),
  };
}

/** A page of the user's notifications newest first, after the keyset `after`. */
export async function listNotificationsPage(
  tx: Tx,
  userId: number,
  options: { unread: boolean; after: { at: number; id: number } | null; limit: number },
): Promise<NotificationPageRow[]> {
  let query = selectBellRows(tx).where('n.userId', '=', userId);
  if (options.unread) query = query.where('n.readAt', 'is', null);
  const after = options.after;
  // Row-value comparison, (a, b) < (x, y): both planners turn it into an index range.
  if (after) query = query.where(sql<boolean>`(n."lastAt", n.id) < (${sql.val(after.at)}, ${sql.val(after.id)})`);
  const rows = await query.orderBy('n.lastAt', 'desc').orderBy('n.id', 'desc').limit(options.limit).execute();
  return rows.map(toBellRow);
}

/**
 * One step of the 90-day cleanup: walks the next `limit` rows by primary key after
 * `afterId` and deletes those among them that are read and whose last event is before
 * `before`. Unread rows are never deleted, so the unread counters need no change. Walking
 * by primary key (not a scan for matches) keeps each statement short and bounded, and
 * ids follow creation time, so the walk can stop at the first chunk that reaches rows
 * created after `before`: nothing later can be old enough.
 */
export async function deleteOldReadNotifications(
  tx: Tx,
  options: { before: number; afterId: number; limit: number },
): Promise<{ deleted: number; lastId: number; done: boolean }> {
  const chunk = await tx.selectFrom('notifications').select(['id', 'createdAt']).where('id', '>', options.afterId).orderBy('id').limit(options.limit).execute();
  const last = chunk.at(-1);
  if (!last) return { deleted: 0, lastId: options.afterId, done: true };
  const result = await tx
    .deleteFrom('notifications')
    .where('id', '>', options.afterId)
    .where('id', '<=', last.id)
    .where('readAt', 'is not', null)
    .where('lastAt', '<', options.before)
    .executeTakeFirst();
  return {
    deleted: Number(result.numDeletedRows),
    lastId: Number(last.id),
    done: chunk.length < options.limit || Number(last.createdAt) >= options.before,
  };
}

/** Whether there is any notification or delivery record at all: with none, the cleanup has nothing to do for 90 days. */
export async function anyNotificationHistory(tx: Tx): Promise<boolean> {
  if (await tx.selectFrom('notifications').select('id').limit(1).executeTakeFirst()) return true;
  return (await tx.selectFrom('notification_deliveries').select('id').limit(1).executeTakeFirst()) !== undefined;
}
