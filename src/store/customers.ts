import { sql } from 'kysely';
import type { Channel, ConversationRow, UserRow } from './schema.js';
import type { Tx } from './transaction.js';

// The team's view of a customer: the account, the channels they wrote through, their
// conversations. A customer is a users row with the customer role; ids of team members
// are not customers here.

/** Above every character: `prefix <= key < prefix + MAX_CHAR` is "starts with prefix" in binary order (SQLite, PostgreSQL's C collation). */
const MAX_CHAR = '\u{10FFFF}';

export function findCustomerRow(tx: Tx, id: number): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).where('role', '=', 'customer').executeTakeFirst();
}

/** The channels of the customer's conversations (the index conversations_customer leads with customerId). */
export async function customerChannels(tx: Tx, customerId: number): Promise<Channel[]> {
  const rows = await tx.selectFrom('conversations').select('channel').distinct().where('customerId', '=', customerId).orderBy('channel').execute();
  return rows.map((row) => row.channel);
}

export type CustomerConversationRow = Pick<ConversationRow, 'id' | 'number' | 'channel' | 'subject' | 'status' | 'lastMessageAt'>;

/** Newest activity first; `after` is the last row's (lastMessageAt, id) of the page before. */
export function listCustomerConversationRows(
  tx: Tx,
  customerId: number,
  options: { limit: number; after: readonly [number, number] | null },
): Promise<CustomerConversationRow[]> {
  let query = tx.selectFrom('conversations').select(['id', 'number', 'channel', 'subject', 'status', 'lastMessageAt']).where('customerId', '=', customerId);
  // Spam and merged tombstones are on a shelf, out of every list (migration 0023): a residual filter on the same index walk.
  query = query.where('shelf', 'is', null);
  const after = options.after;
  if (after) query = query.where((eb) => eb.or([eb('lastMessageAt', '<', after[0]), eb.and([eb('lastMessageAt', '=', after[0]), eb('id', '<', after[1])])]));
  return query.orderBy('lastMessageAt', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/**
 * Customers, newest first; with `prefix` (lower-cased) only those whose name or address
 * starts with it. The matches are two index ranges (users_name_lower, the address's unique
 * index) put together, then ordered: an OR of both would walk every customer instead.
 * SQLite's lower() folds ASCII only, so there a capital non-ASCII first letter of a name
 * matches only as typed.
 */
export function searchCustomerRows(tx: Tx, options: { prefix: string | null; limit: number; beforeId: number | null }): Promise<UserRow[]> {
  let query = tx.selectFrom('users').selectAll().where('role', '=', 'customer');
  const prefix = options.prefix;
  if (prefix) {
    const end = prefix + MAX_CHAR;
    const lowerName = sql<string>`lower(name)`;
    query = query.where('id', 'in', (eb) =>
      eb
        .selectFrom('users')
        .select('id')
        .where(lowerName, '>=', prefix)
        .where(lowerName, '<', end)
        .union(eb.selectFrom('users').select('id').where('email', '>=', prefix).where('email', '<', end)),
    );
  }
  if (options.beforeId !== null) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}
