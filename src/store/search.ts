import { sql } from 'kysely';
import type { Store } from './database.js';

// The one full-text function: SQLite FTS5 or PostgreSQL tsvector, same behaviour.
// User text never reaches the query language as syntax: it is cut into words, each
// word quoted, punctuation-joined words (an address, a version) kept as a phrase, and
// the last word matched as a prefix so results follow typing.

export type SearchTerms = string[][];

export function parseSearchQuery(q: string): SearchTerms {
  return q
    .normalize('NFKC')
    .split(/\s+/)
    .map((chunk) => chunk.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((words) => words.length > 0)
    .slice(0, 12);
}

export type SearchHit = { conversationId: number; messageId: number | null; score: number };

/**
 * Conversations matching `q` in subject, customer name/email or a message body, best
 * first. Common words are bounded by `candidates`: the newest matching messages are
 * ranked, not all of them, which keeps a search over ten million messages fast.
 */
export async function searchIndex(
  store: Store,
  q: string,
  options: { includeInternal: boolean; candidates: number },
): Promise<SearchHit[]> {
  const terms = parseSearchQuery(q);
  if (terms.length === 0) return [];
  return store.dialect === 'sqlite' ? searchSqlite(store, terms, options) : searchPostgres(store, terms, options);
}

function fts5Query(terms: SearchTerms): string {
  return terms
    .map((words, i) => {
      const phrase = `"${words.join(' ')}"`;
      return i === terms.length - 1 ? `${phrase}*` : phrase;
    })
    .join(' AND ');
}

function tsQuery(terms: SearchTerms): string {
  return terms
    .map((words, i) => {
      const last = i === terms.length - 1;
      return `(${words.map((w, j) => (last && j === words.length - 1 ? `${w}:*` : w)).join(' <-> ')})`;
    })
    .join(' & ');
}

type SearchOptions = { includeInternal: boolean; candidates: number };
type MessageHit = { messageId: number; conversationId: number; score: number };
type ConversationHit = { conversationId: number; score: number };

async function searchSqlite(store: Store, terms: SearchTerms, options: SearchOptions) {
  const match = fts5Query(terms);
  const publicOnly = options.includeInternal ? sql`` : sql`and m."isInternal" = 0`;
  // bm25() is lower-is-better; FTS5 walks its doclists newest rowid first, so the LIMIT
  // stops early for common words instead of scoring every match.
  const messageHits = await sql<MessageHit>`
    select m.id as "messageId", m."conversationId" as "conversationId", -bm25(messages_fts) as score
    from messages_fts join messages m on m.id = messages_fts.rowid
    where messages_fts match ${match} ${publicOnly}
    order by messages_fts.rowid desc limit ${options.candidates}`.execute(store.db);
  const conversationHits = await sql<ConversationHit>`
    select rowid as "conversationId", -bm25(conversations_fts, 3.0, 2.0, 2.0) as score from conversations_fts
    where conversations_fts match ${match} order by rowid desc limit ${options.candidates}`.execute(store.db);
  return rankConversations(messageHits.rows, conversationHits.rows);
}

async function searchPostgres(store: Store, terms: SearchTerms, options: SearchOptions) {
  const query = tsQuery(terms);
  const publicOnly = options.includeInternal ? sql`` : sql`and "isInternal" = 0`;
  // GIN cannot return matches in order; LIMIT without ORDER BY lets the bitmap scan
  // stop early, and the candidates are ranked afterwards.
  const messageHits = await sql<MessageHit>`
    select id as "messageId", "conversationId", ts_rank(search, to_tsquery('simple', ${query})) as score from messages
    where search @@ to_tsquery('simple', ${query}) ${publicOnly} limit ${options.candidates}`.execute(store.db);
  const conversationHits = await sql<ConversationHit>`
    select id as "conversationId", ts_rank(search, to_tsquery('simple', ${query})) * 3 as score from conversations
    where search @@ to_tsquery('simple', ${query}) limit ${options.candidates}`.execute(store.db);
  return rankConversations(messageHits.rows, conversationHits.rows);
}

/** A conversation scores its subject/customer match plus its best message; that message is the one shown. */
function rankConversations(messageHits: readonly MessageHit[], conversationHits: readonly ConversationHit[]): SearchHit[] {
  const bestMessage = new Map<number, MessageHit>();
  for (const hit of messageHits) {
    const conversationId = Number(hit.conversationId);
    const current = bestMessage.get(conversationId);
    if (!current || Number(hit.score) > Number(current.score)) bestMessage.set(conversationId, hit);
  }
  const own = new Map(conversationHits.map((hit) => [Number(hit.conversationId), Number(hit.score)]));
  const ids = new Set([...own.keys(), ...bestMessage.keys()]);
  return [...ids]
    .map((conversationId) => {
      const message = bestMessage.get(conversationId);
      return {
        conversationId,
        messageId: message ? Number(message.messageId) : null,
        score: (own.get(conversationId) ?? 0) + (message ? Number(message.score) : 0),
      };
    })
    .sort((a, b) => b.score - a.score || b.conversationId - a.conversationId);
}

// Control characters never stored in a message (commands strip them), so they can only
// be the markers we asked the database to put in.
const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';
const LT = '\u0004';
const GT = '\u0005';

/** A short excerpt of each message around the match, HTML-escaped, matches in <mark>. */
export async function highlightMessages(store: Store, q: string, messageIds: readonly number[]): Promise<Map<number, string>> {
  const terms = parseSearchQuery(q);
  const snippets = new Map<number, string>();
  if (terms.length === 0 || messageIds.length === 0) return snippets;
  const ids = sql.join(messageIds.map((id) => sql.val(id)));
  const rows =
    store.dialect === 'sqlite'
      ? await sql<{ id: number; snippet: string }>`
          select rowid as id, snippet(messages_fts, 0, ${MARK_OPEN}, ${MARK_CLOSE}, '…', 24) as snippet
          from messages_fts where messages_fts match ${fts5Query(terms)} and rowid in (${ids})`.execute(store.db)
      : await sql<{ id: number; snippet: string }>`
          select id, ts_headline('simple', translate(body, '<>', ${LT + GT}), to_tsquery('simple', ${tsQuery(terms)}),
            ${`StartSel=${MARK_OPEN}, StopSel=${MARK_CLOSE}, MaxWords=30, MinWords=12, ShortWord=2`}) as snippet
          from messages where id in (${ids})`.execute(store.db);
  for (const row of rows.rows) snippets.set(Number(row.id), markMatches(row.snippet));
  return snippets;
}

// ts_headline treats its input as a document and drops anything that looks like a tag,
// so `<` and `>` travel through it as LT and GT.
function markMatches(snippet: string): string {
  const escaped = snippet
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\s+/g, ' ')
    .trim();
  return escaped.replaceAll(LT, '&lt;').replaceAll(GT, '&gt;').replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>');
}
