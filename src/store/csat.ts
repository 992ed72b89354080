import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { EventOrigin } from './schema.js';
import type { CsatSurveyRow, CsatSurveysTable } from './schema-csat.js';
import type { Tx } from './transaction.js';

// The CSAT surveys' SQL (migration 0034). Written by the CSAT commands only
// (inbox/commands/csat.ts), in their transaction; the reports read the table themselves.

export type NewSurvey = Omit<CsatSurveysTable, 'id' | 'history' | 'rating' | 'comment' | 'respondedAt'>;

export async function insertSurvey(tx: Tx, row: NewSurvey): Promise<CsatSurveyRow> {
  return tx.insertInto('csat_surveys').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findSurveyForCycle(tx: Tx, conversationId: number, resolvedEventId: number): Promise<CsatSurveyRow | undefined> {
  return tx
    .selectFrom('csat_surveys')
    .selectAll()
    .where('conversationId', '=', conversationId)
    .where('resolvedEventId', '=', resolvedEventId)
    .executeTakeFirst();
}

export function findSurveyById(tx: Tx, id: number): Promise<CsatSurveyRow | undefined> {
  return tx.selectFrom('csat_surveys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findSurveyByTokenHash(tx: Tx, tokenHash: string): Promise<CsatSurveyRow | undefined> {
  return tx.selectFrom('csat_surveys').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** The conversation's newest survey (the current or last care cycle's). */
export function findLatestSurvey(tx: Tx, conversationId: number): Promise<CsatSurveyRow | undefined> {
  return tx.selectFrom('csat_surveys').selectAll().where('conversationId', '=', conversationId).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Whether the customer was sent a survey at or after `since` (the cooldown). */
/**
 * Serialises the cooldown check for one customer until the transaction ends: two of their
 * conversations' timers firing at once (two workers or instances) would each find no
 * recent survey and both ask. SQLite's one writer already runs them one after the other.
 */
export async function lockCustomerSurveys(tx: Tx, dialect: Dialect, customerId: number): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`onethread-csat:${customerId}`}))`.execute(tx);
}

export async function customerAskedSince(tx: Tx, customerId: number, since: number): Promise<boolean> {
  const row = await tx.selectFrom('csat_surveys').select('id').where('customerId', '=', customerId).where('sentAt', '>=', since).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function saveAnswer(tx: Tx, id: number, answer: { rating: number; comment: string | null; history: string; at: number }): Promise<CsatSurveyRow> {
  return tx
    .updateTable('csat_surveys')
    .set({ rating: answer.rating, comment: answer.comment, history: answer.history, respondedAt: answer.at, updatedAt: answer.at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** What the survey's checks need to know of a care cycle, read in the deciding transaction. */
export type CycleFacts = {
  /** The cycle's `resolved` event, with its performer's role (null: a machine, or a user since deleted). */
  resolved: { id: number; createdAt: number; performedBy: number | null; origin: EventOrigin; performerRole: string | null } | null;
  /** The conversation's newest `resolved` event: a later one means a later cycle. */
  latestResolvedId: number | null;
  /** The conversation's last `reopened` event (every way out of resolved or closed writes one). */
  latestReopenedId: number | null;
  /** Whether the conversation's `created` event came from an import. */
  imported: boolean;
  /** Whether a person of the team wrote a public message in the cycle (not a note, not the bot, not a machine). */
  teamReplied: boolean;
};

export async function readCycleFacts(tx: Tx, conversationId: number, resolvedEventId: number): Promise<CycleFacts> {
  const events = tx.selectFrom('conversation_events').where('conversationId', '=', conversationId);
  const [resolved, latest, reopened, created] = await Promise.all([
    events
      .leftJoin('users', 'users.id', 'conversation_events.performedBy')
      .select([
        'conversation_events.id',
        'conversation_events.createdAt',
        'conversation_events.performedBy',
        'conversation_events.origin',
        'users.role as performerRole',
      ])
      .where('conversation_events.id', '=', resolvedEventId)
      .where('eventType', '=', 'resolved')
      .executeTakeFirst(),
    events
      .select((eb) => eb.fn.max('id').as('id'))
      .where('eventType', '=', 'resolved')
      .executeTakeFirst(),
    events
      .select((eb) => eb.fn.max('id').as('id'))
      .where('eventType', '=', 'reopened')
      .executeTakeFirst(),
    events.select('origin').where('eventType', '=', 'created').orderBy('id').limit(1).executeTakeFirst(),
  ]);
  const base = {
    latestResolvedId: latest?.id == null ? null : Number(latest.id),
    latestReopenedId: reopened?.id == null ? null : Number(reopened.id),
    imported: created?.origin === 'import',
  };
  if (!resolved) return { ...base, resolved: null, teamReplied: false };
  // The cycle began at the last reopen before its end (or at creation). A team reply that
  // reopened a resolved conversation is written with its `reopened` event, at the same time.
  const start = await events
    .select((eb) => eb.fn.max('createdAt').as('at'))
    .where('eventType', '=', 'reopened')
    .where('id', '<', resolvedEventId)
    .executeTakeFirst();
  const reply = await tx
    .selectFrom('messages')
    .select('id')
    .where('conversationId', '=', conversationId)
    .where('senderType', '=', 'admin')
    .where('senderId', 'is not', null)
    .where('isInternal', '=', 0)
    .where('auto', 'is', null)
    .where('createdAt', '>=', start?.at == null ? 0 : Number(start.at))
    .where('createdAt', '<=', Number(resolved.createdAt))
    .limit(1)
    .executeTakeFirst();
  return {
    ...base,
    resolved: {
      id: Number(resolved.id),
      createdAt: Number(resolved.createdAt),
      performedBy: resolved.performedBy === null ? null : Number(resolved.performedBy),
      origin: resolved.origin,
      performerRole: resolved.performerRole ?? null,
    },
    teamReplied: reply !== undefined,
  };
}

/** The conversation's newest `resolved` event (a manual survey asks about the last cycle that ended). */
export async function latestResolvedEventId(tx: Tx, conversationId: number): Promise<number | null> {
  const row = await tx
    .selectFrom('conversation_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('conversationId', '=', conversationId)
    .where('eventType', '=', 'resolved')
    .executeTakeFirst();
  return row?.id == null ? null : Number(row.id);
}

/** The active admins: with the assignee, who is told of a low rating. */
export async function listActiveAdminIds(tx: Tx): Promise<number[]> {
  const rows = await tx.selectFrom('users').select('id').where('role', '=', 'admin').where('deactivatedAt', 'is', null).execute();
  return rows.map((r) => Number(r.id));
}

export type SurveyListItem = CsatSurveyRow & { conversationNumber: number; subject: string; agentName: string | null };

/** The admins' list: newest first, keyset on (sentAt, id); `answered`: only those with a rating. */
export async function listSurveys(
  tx: Tx,
  query: { before: { sentAt: number; id: number } | null; limit: number; answered: boolean; rating?: number },
): Promise<SurveyListItem[]> {
  let q = tx
    .selectFrom('csat_surveys as s')
    .innerJoin('conversations as c', 'c.id', 's.conversationId')
    .leftJoin('users as u', 'u.id', 's.agentId')
    .selectAll('s')
    .select(['c.number as conversationNumber', 'c.subject', 'u.name as agentName']);
  if (query.answered) q = q.where('s.rating', 'is not', null);
  if (query.rating !== undefined) q = q.where('s.rating', '=', query.rating);
  if (query.before) {
    const { sentAt, id } = query.before;
    q = q.where(sql<boolean>`(s."sentAt", s.id) < (${sentAt}, ${id})`);
  }
  const rows = await q.orderBy('s.sentAt', 'desc').orderBy('s.id', 'desc').limit(query.limit).execute();
  return rows.map((r) => ({ ...r, conversationNumber: Number(r.conversationNumber) }));
}
