import type { Tx } from './transaction.js';
import type { EventRow } from './schema.js';

export type NewEvent = {
  conversationId: number;
  eventType: string;
  performedBy: number | null;
  performedByName: string;
  oldValue?: unknown;
  newValue?: unknown;
  createdAt: number;
};

export function insertEvents(tx: Tx, events: readonly NewEvent[]): Promise<EventRow[]> {
  if (events.length === 0) return Promise.resolve([]);
  return tx
    .insertInto('conversation_events')
    .values(
      events.map((e) => ({
        conversationId: e.conversationId,
        eventType: e.eventType,
        performedBy: e.performedBy,
        performedByName: e.performedByName,
        oldValue: e.oldValue === undefined ? null : JSON.stringify(e.oldValue),
        newValue: e.newValue === undefined ? null : JSON.stringify(e.newValue),
        createdAt: e.createdAt,
      })),
    )
    .returningAll()
    .execute();
}

/** A conversation's audit trail, oldest first, after the event id `after`. */
export function listEventPage(tx: Tx, conversationId: number, after: number | null, limit: number): Promise<EventRow[]> {
  let query = tx.selectFrom('conversation_events').selectAll().where('conversationId', '=', conversationId);
  if (after !== null) query = query.where('id', '>', after);
  return query.orderBy('id').limit(limit).execute();
}
