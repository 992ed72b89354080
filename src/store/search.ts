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

async function searchSqlite(store: Store, terms: SearchTerms, options: { includeInternal: boolean; candidates: number }) {
  const match = fts5Query(terms);
  // bm25() is lower-is-better; FTS5 walks its doclists newest rowid first, so the
  // inner LIMIT stops early for common words instead of scoring every match.
  const messageHits = await sql<{ messageId: number; conversationId: number; score: number; isInternal: number }>`
    select m.id as "messageId", m."conversationId" as "conversationId", -hit.score as score, m."isInternal" as "isInternal"
    from (select rowid, bm25(messages_fts) as score from messages_fts
          where messages_fts match ${match} order by rowid desc limit ${options.candidates}) hit
    join messages m on m.id = hit.rowid`.execute(store.db);
  const conversationHits = await sql<{ conversationId: number; score: number }>`
    select rowid as "conversationId", -bm25(conversations_fts, 3.0, 2.0, 2.0) as score from conversations_fts
    where conversations_fts match ${match} order by rowid desc limit ${options.candidates}`.execute(store.db);
  return bestPerConversation(
    messageHits.rows.filter((h) => options.includeInternal || !h.isInternal),
    conversationHits.rows,
  );
}

async function searchPostgres(store: Store, terms: SearchTerms, options: { includeInternal: boolean; candidates: number }) {
  const query = tsQuery(terms);
  // GIN cannot return matches in order; LIMIT without ORDER BY lets the bitmap scan
  // stop early, and the candidates are ranked afterwards.
  const messageHits = await sql<{ messageId: number; conversationId: number; score: number; isInternal: number }>`
    select hit.id as "messageId", hit."conversationId", ts_rank(hit.search, to_tsquery('simple', ${query})) as score, hit."isInternal"
    from (select id, "conversationId", search, "isInternal" from messages
          where search @@ to_tsquery('simple', ${query}) limit ${options.candidates}) hit`.execute(store.db);
  const conversationHits = await sql<{ conversationId: number; score: number }>`
    select id as "conversationId", ts_rank(search, to_tsquery('simple', ${query})) * 3 as score from conversations
    where search @@ to_tsquery('simple', ${query}) limit ${options.candidates}`.execute(store.db);
  return bestPerConversation(
    messageHits.rows.filter((h) => options.includeInternal || !h.isInternal),
    conversationHits.rows,
  );
}

function bestPerConversation(
  messageHits: readonly { messageId: number; conversationId: number; score: number }[],
  conversationHits: readonly { conversationId: number; score: number }[],
): SearchHit[] {
  const best = new Map<number, SearchHit>();
  for (const hit of conversationHits) {
    best.set(Number(hit.conversationId), { conversationId: Number(hit.conversationId), messageId: null, score: Number(hit.score) });
  }
  for (const hit of messageHits) {
    const conversationId = Number(hit.conversationId);
    const current = best.get(conversationId);
    const score = Number(hit.score);
    // A subject match and a body match together outrank either alone.
    if (!current) best.set(conversationId, { conversationId, messageId: Number(hit.messageId), score });
    else if (current.messageId === null) best.set(conversationId, { conversationId, messageId: Number(hit.messageId), score: current.score + score });
    else if (score > current.score) best.set(conversationId, { ...current, messageId: Number(hit.messageId), score });
  }
  return [...best.values()].sort((a, b) => b.score - a.score || b.conversationId - a.conversationId);
}

const MARK_OPEN = '\u0002';
const MARK_CLOSE = '\u0003';

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
          select id, ts_headline('simple', body, to_tsquery('simple', ${tsQuery(terms)}),
            ${`StartSel=${MARK_OPEN}, StopSel=${MARK_CLOSE}, MaxWords=30, MinWords=12, ShortWord=2`}) as snippet
          from messages where id in (${ids})`.execute(store.db);
  for (const row of rows.rows) snippets.set(Number(row.id), markMatches(row.snippet));
  return snippets;
}

function markMatches(snippet: string): string {
  const escaped = snippet
    .replace(/[\u0000-\u0001\u0004-\u0008]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\s+/g, ' ')
    .trim();
  return escaped.replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>');
}
