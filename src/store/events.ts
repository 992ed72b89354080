import { sql } from 'kysely';
import { runCompiled } from './compiled.js';
import type { Dialect } from './database.js';
import type { EventOrigin, EventRow } from './schema.js';
import type { Tx } from './transaction.js';

export type NewEvent = {
  conversationId: number;
  eventType: string;
  performedBy: number | null;
  performedByName: string;
  /** Where the write came from (inbox/context.ts Origin). */
  origin: EventOrigin;
  oldValue?: unknown;
  newValue?: unknown;
  createdAt: number;
};

// Live clients resume from the last event id they saw, so ids must become visible in
// id order. PostgreSQL hands out identity values at insert but commits in any order; a
// transaction-scoped lock taken before the insert and held until commit makes the two
// orders agree. It is the last thing a command does, so the lock is held briefly.
// SQLite has one writer at a time already.
const EVENT_ORDER_LOCK = 7_206_153_511; // any constant; names the lock in pg_locks

/** Takes the event order lock (PostgreSQL; held to commit): another feed whose ids must become visible in id order too (notification_changes). */
export async function lockEventOrder(tx: Tx, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`.execute(tx);
}

export async function insertEvents(tx: Tx, dialect: Dialect, events: readonly NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return [];
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`.execute(tx);
  const rows = events.map((e) => ({
    conversationId: e.conversationId,
    eventType: e.eventType,
    performedBy: e.performedBy,
    performedByName: e.performedByName,
    origin: e.origin,
    oldValue: e.oldValue === undefined ? null : JSON.stringify(e.oldValue),
    newValue: e.newValue === undefined ? null : JSON.stringify(e.newValue),
    createdAt: e.createdAt,
  }));
  // Compiled once per number of events (compiled.ts): every command writes some.
  return runCompiled(tx, 'insertEvents', rows, (slots) => tx.insertInto('conversation_events').values(slots).returningAll());
}

/** Events after `after` in id order, across all conversations: what a live client missed. */
export function listEventsSince(tx: Tx, after: number, limit: number): Promise<EventRow[]> {
  return tx.selectFrom('conversation_events').selectAll().where('id', '>', after).orderBy('id').limit(limit).execute();
}

/** The newest event id, 0 when there is none: where a live stream starts. */
export async function latestEventId(tx: Tx): Promise<number> {
  const row = await tx
    .selectFrom('conversation_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id == null ? 0 : Number(row.id);
}

/**
 * PostgreSQL channel on which app instances wake each other after a commit. A wake-up
 * only: listeners read the event table, never a payload.
 */
export const EVENTS_CHANNEL = 'onethread_events';

export async function notifyEventsCommitted(tx: Tx): Promise<void> {
  await sql`select pg_notify(${EVENTS_CHANNEL}, '')`.execute(tx);
}

/** The statement a dedicated pg client runs to hear EVENTS_CHANNEL. */
export const LISTEN_EVENTS_SQL = `LISTEN ${EVENTS_CHANNEL}`;

/** A conversation's audit trail, oldest first, after the event id `after`. */
export function listEventPage(tx: Tx, conversationId: number, after: number | null, limit: number): Promise<EventRow[]> {
  let query = tx.selectFrom('conversation_events').selectAll().where('conversationId', '=', conversationId);
  if (after !== null) query = query.where('id', '>', after);
  return query.orderBy('id').limit(limit).execute();
}
