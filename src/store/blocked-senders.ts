import type { Generated, Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Tx } from './transaction.js';

// Blocked senders (migration 0026). Written by the spam commands only
// (inbox/commands/spam.ts). The table's type lives here, with its only SQL: the rest of the
// schema does not need to know it.

export const BLOCK_KINDS = ['address', 'domain'] as const;
export type BlockKind = (typeof BLOCK_KINDS)[number];

export interface BlockedSendersTable {
  id: Generated<number>;
  value: string;
  kind: BlockKind;
  createdBy: number;
  createdAt: number;
  conversationId: number | null;
}

export type BlockedSender = { id: number; value: string; kind: BlockKind; createdBy: number; createdAt: number; conversationId: number | null };

type Row = { id: number; value: string; kind: BlockKind; createdBy: number; createdAt: number; conversationId: number | null };

const withBlocks = (tx: Tx) => (tx as Kysely<Database>).withTables<{ blocked_senders: BlockedSendersTable }>();

function toBlocked(row: Row): BlockedSender {
  return {
    id: Number(row.id),
    value: row.value,
    kind: row.kind,
    createdBy: Number(row.createdBy),
    createdAt: Number(row.createdAt),
    conversationId: row.conversationId === null ? null : Number(row.conversationId),
  };
}

/** The blocks that match any of these keys (an address and its domain): one read of the unique index. */
export async function findBlocks(tx: Tx, values: readonly string[]): Promise<BlockedSender[]> {
  if (values.length === 0) return [];
  const rows = await withBlocks(tx)
    .selectFrom('blocked_senders')
    .selectAll()
    .where('value', 'in', [...values])
    .execute();
  return rows.map(toBlocked);
}

export async function findBlock(tx: Tx, id: number): Promise<BlockedSender | undefined> {
  const row = await withBlocks(tx).selectFrom('blocked_senders').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toBlocked(row);
}

/** Adds a block; an existing one for the same value is kept as it is (first blocker, first conversation). */
export async function insertBlock(tx: Tx, block: Omit<BlockedSender, 'id'>): Promise<BlockedSender> {
  await withBlocks(tx)
    .insertInto('blocked_senders')
    .values(block)
    .onConflict((oc) => oc.column('value').doNothing())
    .execute();
  const row = await withBlocks(tx).selectFrom('blocked_senders').selectAll().where('value', '=', block.value).executeTakeFirstOrThrow();
  return toBlocked(row);
}

export async function deleteBlock(tx: Tx, id: number): Promise<boolean> {
  const result = await withBlocks(tx).deleteFrom('blocked_senders').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export type ListedBlock = BlockedSender & { createdByName: string | null };

/** Newest first, keyed by id (the primary key): `beforeId` is the last id of the previous page. */
export async function listBlocks(tx: Tx, options: { beforeId: number | null; limit: number }): Promise<ListedBlock[]> {
  let query = withBlocks(tx)
    .selectFrom('blocked_senders as b')
    .leftJoin('users as u', 'u.id', 'b.createdBy')
    .select(['b.id', 'b.value', 'b.kind', 'b.createdBy', 'b.createdAt', 'b.conversationId', 'u.name as createdByName']);
  if (options.beforeId !== null) query = query.where('b.id', '<', options.beforeId);
  const rows = await query.orderBy('b.id', 'desc').limit(options.limit).execute();
  return rows.map((row) => ({ ...toBlocked(row), createdByName: row.createdByName }));
}

/**
 * A team member's address that is this address, or at this domain (the first found, or
 * null). The domain is one the spam commands checked: letters, digits, dots and dashes, so
 * nothing in it is a LIKE wildcard.
 */
export async function findTeamMemberMatching(tx: Tx, match: { address?: string; domain?: string }): Promise<string | null> {
  let query = tx.selectFrom('users').select('email').where('role', '!=', 'customer');
  if (match.address !== undefined) query = query.where('email', '=', match.address);
  else if (match.domain !== undefined) query = query.where('email', 'like', `%@${match.domain}`);
  else return null;
  const row = await query.limit(1).executeTakeFirst();
  return row?.email ?? null;
}
