import type { Generated, Kysely, Selectable } from 'kysely';
import { withTeamNames } from './conversations.js';
import type { ConversationRow, Database } from './schema.js';
import type { Tx } from './transaction.js';

// Rows of the chat channel: which browser is which visitor, and which chats it started.

/** A browser that opened the chat widget; `tokenHash` is the SHA-256 of its visitor token. */
export interface ChatVisitorsTable {
  id: Generated<number>;
  tokenHash: string;
  customerId: number;
  externalUserId: string | null;
  /** What the visitor typed, or their verified identity says: the widget shows these, never the customer's stored name. */
  name: string | null;
  email: string | null;
  createdAt: number;
  lastSeenAt: number;
}

export interface ChatConversationsTable {
  conversationId: number;
  visitorId: number;
  missesInARow: number;
  createdAt: number;
}

export interface ChatDatabase extends Database {
  chat_visitors: ChatVisitorsTable;
  chat_conversations: ChatConversationsTable;
}

export type ChatVisitorRow = Selectable<ChatVisitorsTable>;

// The shared schema type lists the inbox's tables; these are the channel's own (as store/email.ts).
const chat = (tx: Tx) => tx as unknown as Kysely<ChatDatabase>;

export function findVisitorByTokenHash(tx: Tx, tokenHash: string): Promise<ChatVisitorRow | undefined> {
  return chat(tx).selectFrom('chat_visitors').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** Who a visitor is: their customer, the host site's user, and what they told us. */
export type VisitorDetails = { customerId: number; externalUserId: string | null; name: string | null; email: string | null };

export function insertVisitor(tx: Tx, row: VisitorDetails & { tokenHash: string; now: number }): Promise<ChatVisitorRow> {
  const { now, ...values } = row;
  return chat(tx)
    .insertInto('chat_visitors')
    .values({ ...values, createdAt: now, lastSeenAt: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The host site's user's first browser: the customer they chat as, and what they told us there. */
export function firstVisitorOfExternalUser(tx: Tx, externalUserId: string): Promise<ChatVisitorRow | undefined> {
  return chat(tx).selectFrom('chat_visitors').selectAll().where('externalUserId', '=', externalUserId).orderBy('id').limit(1).executeTakeFirst();
}

export async function updateVisitor(tx: Tx, id: number, patch: VisitorDetails & { lastSeenAt: number }): Promise<ChatVisitorRow> {
  return chat(tx).updateTable('chat_visitors').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function linkChat(tx: Tx, conversationId: number, visitorId: number, now: number): Promise<void> {
  await chat(tx)
    .insertInto('chat_conversations')
    .values({ conversationId, visitorId, missesInARow: 0, createdAt: now })
    .onConflict((oc) => oc.column('conversationId').doNothing())
    .execute();
}

export async function setMisses(tx: Tx, conversationId: number, missesInARow: number): Promise<void> {
  await chat(tx).updateTable('chat_conversations').set({ missesInARow }).where('conversationId', '=', conversationId).execute();
}

export async function missesOf(tx: Tx, conversationId: number): Promise<number> {
  const row = await chat(tx).selectFrom('chat_conversations').select('missesInARow').where('conversationId', '=', conversationId).executeTakeFirst();
  return Number(row?.missesInARow ?? 0);
}

/**
 * The chats this visitor may see: the ones its browser started, and with a verified
 * identity the ones every browser of that same host-site user started. Newest first.
 */
export async function listVisitorChats(tx: Tx, visitor: Pick<ChatVisitorRow, 'id' | 'externalUserId'>, limit: number): Promise<ConversationRow[]> {
  const rows = await chat(tx)
    .selectFrom('chat_conversations as cc')
    .innerJoin('conversations as c', 'c.id', 'cc.conversationId')
    .selectAll('c')
    .where((eb) =>
      visitor.externalUserId === null
        ? eb('cc.visitorId', '=', visitor.id)
        : eb.or([
            eb('cc.visitorId', '=', visitor.id),
            eb('cc.visitorId', 'in', eb.selectFrom('chat_visitors').select('id').where('externalUserId', '=', visitor.externalUserId)),
          ]),
    )
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return withTeamNames(tx, rows);
}
