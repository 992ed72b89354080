import { invalid, notFound } from '../errors.js';
import { MAX_QUERY } from '../limits.js';
import { customerChannels, findCustomerRow, listCustomerConversationRows, searchCustomerRows } from '../store/customers.js';
import type { Channel, Status } from '../store/schema.js';
import type { InboxContext } from './context.js';
import { formatConversationNumber } from './records.js';

// Who the customer is, for the team's side panel and customer list. Reads only; a name
// change is the customer's account's (accounts/customers.ts).

export type CustomerSummary = { id: number; name: string; email: string; firstSeenAt: number };
/** `company`: as an import brought it (a Zendesk organization); null otherwise. */
export type Customer = CustomerSummary & { channels: Channel[]; company: string | null };
export type CustomerConversation = { id: number; number: string; channel: Channel; subject: string; status: Status; lastActivityAt: number };
export type Page<T> = { items: T[]; nextCursor: string | null };

const DEFAULT_PAGE = 25;

export async function getCustomer(ctx: InboxContext, id: number): Promise<Customer> {
  const row = await findCustomerRow(ctx.store.db, id);
  if (!row) throw notFound('customer');
  return {
    id: Number(row.id),
    name: row.name,
    email: row.email,
    firstSeenAt: Number(row.createdAt),
    channels: await customerChannels(ctx.store.db, id),
    company: row.company,
  };
}

export async function listCustomerConversations(
  ctx: InboxContext,
  customerId: number,
  options: { cursor?: string; limit?: number } = {},
): Promise<Page<CustomerConversation>> {
  if (!(await findCustomerRow(ctx.store.db, customerId))) throw notFound('customer');
  const limit = options.limit ?? DEFAULT_PAGE;
  const after = options.cursor ? decodeKey(options.cursor, 2) : null;
  const rows = await listCustomerConversationRows(ctx.store.db, customerId, { limit: limit + 1, after: after as [number, number] | null });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      id: Number(row.id),
      number: formatConversationNumber(Number(row.number)),
      channel: row.channel,
      subject: row.subject,
      status: row.status,
      lastActivityAt: Number(row.lastMessageAt),
    })),
    nextCursor: rows.length > limit && last ? encodeKey([Number(last.lastMessageAt), Number(last.id)]) : null,
  };
}

/** Customers newest first; `q` matches the start of the name (any case) or of the address. */
export async function searchCustomers(ctx: InboxContext, options: { q?: string; cursor?: string; limit?: number } = {}): Promise<Page<CustomerSummary>> {
  const q = options.q?.trim().toLowerCase() ?? '';
  if (q.length > MAX_QUERY) throw invalid('q', `q must be at most ${MAX_QUERY} characters`);
  const limit = options.limit ?? DEFAULT_PAGE;
  const before = options.cursor ? decodeKey(options.cursor, 1)[0]! : null;
  const rows = await searchCustomerRows(ctx.store.db, { prefix: q || null, limit: limit + 1, beforeId: before });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({ id: Number(row.id), name: row.name, email: row.email, firstSeenAt: Number(row.createdAt) })),
    nextCursor: rows.length > limit && last ? encodeKey([Number(last.id)]) : null,
  };
}

const encodeKey = (key: number[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeKey(cursor: string, length: number): number[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.length === length && key.every((v) => Number.isSafeInteger(v))) return key as number[];
  } catch {
    // fall through: a cursor we did not make
  }
  throw invalid('cursor', 'cursor is not valid for this list; start again without it');
}
