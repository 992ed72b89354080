import { sql } from 'kysely';
import { parseSearchQuery, type SearchTerms, scoreText } from '../text/search-text.js';
import type { Store } from './database.js';

// The one full-text function: SQLite FTS5 or PostgreSQL tsvector find candidates in
// subjects, customer names and addresses, and message bodies; search-text.ts ranks them.

export type SearchHit = {
  conversationId: number;
  /** The best matching message, or null when only the subject or customer matched. */
  messageId: number | null;
  /** The text that matched best (that message's body, or the subject), for the excerpt. */
  text: string;
  score: number;
};

type SearchOptions = { includeInternal: boolean; candidates: number };
type MessageCandidate = { messageId: number; conversationId: number; body: string };
type ConversationCandidate = { conversationId: number; subject: string; customerName: string; customerEmail: string };
type Candidates = { messages: MessageCandidate[]; conversations: ConversationCandidate[] };

/**
 * Conversations matching `q`, best first. Common words are bounded by `candidates`: the
 * newest matching messages are ranked, not all of them, which keeps a search over ten
 * million messages fast.
 */
export async function searchIndex(store: Store, q: string, options: SearchOptions): Promise<SearchHit[]> {
  const terms = parseSearchQuery(q);
  if (terms.length === 0) return [];
  const found = store.dialect === 'sqlite' ? await candidatesSqlite(store, terms, options) : await candidatesPostgres(store, terms, options);
  return rank(found, terms);
}

function fts5Query(terms: SearchTerms, prefix: boolean): string {
  return terms.map((words, i) => `"${words.join(' ')}"${prefix && i === terms.length - 1 ? '*' : ''}`).join(' AND ');
}

function tsQuery(terms: SearchTerms): string {
  return terms
    .map((words, i) => {
      const last = i === terms.length - 1;
      return `(${words.map((w, j) => (last && j === words.length - 1 ? `${w}:*` : w)).join(' <-> ')})`;
    })
    .join(' & ');
}

// FTS5 materialises a prefix query longer than its prefix indexes by merging the
// doclists of every word with that prefix. Whole words come first; the prefix only
// runs when they leave room, which is when the word is rare or still being typed.
async function candidatesSqlite(store: Store, terms: SearchTerms, options: SearchOptions): Promise<Candidates> {
  const exact = await sqliteMatches(store, fts5Query(terms, false), options);
  if (exact.messages.length >= options.candidates) return exact;
  return sqliteMatches(store, fts5Query(terms, true), options);
}

async function sqliteMatches(store: Store, match: string, options: SearchOptions): Promise<Candidates> {
  const publicOnly = options.includeInternal ? sql`` : sql`and m."isInternal" = 0`;
  // FTS5 hands rows over newest rowid first, so LIMIT stops the walk early.
  const messages = await sql<MessageCandidate>`
    select m.id as "messageId", m."conversationId" as "conversationId", m.body as body
    from messages_fts join messages m on m.id = messages_fts.rowid
    where messages_fts match ${match} ${publicOnly}
    order by messages_fts.rowid desc limit ${options.candidates}`.execute(store.db);
  const conversations = await sql<ConversationCandidate>`
    select c.id as "conversationId", c.subject, c."customerName", c."customerEmail"
    from conversations_fts join conversations c on c.id = conversations_fts.rowid
    where conversations_fts match ${match}
    order by conversations_fts.rowid desc limit ${options.candidates}`.execute(store.db);
  return { messages: messages.rows, conversations: conversations.rows };
}

async function candidatesPostgres(store: Store, terms: SearchTerms, options: SearchOptions): Promise<Candidates> {
  const query = tsQuery(terms);
  const publicOnly = options.includeInternal ? sql`` : sql`and "isInternal" = 0`;
  // Newest first, as on SQLite: for a common word the planner walks the primary key
  // backwards and stops at the limit; for a rare one it reads the GIN index and sorts a
  // few rows. Without ORDER BY it returned whatever a sequential scan met first.
  const messages = await sql<MessageCandidate>`
    select id as "messageId", "conversationId", body from messages
    where search @@ to_tsquery('simple', ${query}) ${publicOnly} order by id desc limit ${options.candidates}`.execute(store.db);
  const conversations = await sql<ConversationCandidate>`
    select id as "conversationId", subject, "customerName", "customerEmail" from conversations
    where search @@ to_tsquery('simple', ${query}) order by id desc limit ${options.candidates}`.execute(store.db);
  return { messages: messages.rows, conversations: conversations.rows };
}

// A match the index found but the scorer does not see (a tokenizer corner case) still counts.
const FOUND = 0.001;

/** A conversation scores its subject/customer match plus its best message; that message is the one shown. */
function rank(found: Candidates, terms: SearchTerms): SearchHit[] {
  const hits = new Map<number, SearchHit>();
  for (const c of found.conversations) {
    const conversationId = Number(c.conversationId);
    const score = 3 * scoreText(c.subject, terms) + 2 * scoreText(`${c.customerName} ${c.customerEmail}`, terms);
    hits.set(conversationId, { conversationId, messageId: null, text: c.subject, score: Math.max(score, FOUND) });
  }
  const ownScore = new Map([...hits].map(([id, hit]) => [id, hit.score]));
  for (const m of found.messages) {
    const conversationId = Number(m.conversationId);
    const score = (ownScore.get(conversationId) ?? 0) + Math.max(scoreText(m.body, terms), FOUND);
    const current = hits.get(conversationId);
    if (!current || current.messageId === null || score > current.score) {
      hits.set(conversationId, { conversationId, messageId: Number(m.messageId), text: m.body, score });
    }
  }
  return [...hits.values()].sort((a, b) => b.score - a.score || b.conversationId - a.conversationId);
}

export type ArticleCandidate = { id: number; title: string; bodyText: string };

export type ArticleSearchOptions = {
  /** `all`: every phrase must occur (the help center's search box); `any`: one is enough (the bot, asked in whole sentences). */
  match: 'all' | 'any';
  publishedOnly: boolean;
  limit: number;
};

/**
 * Knowledge-base articles matching `terms`, newest first, for the caller to rank. Every
 * phrase matches as a prefix in `any` mode: a question says "refunds" where the article
 * says "refund".
 */
export async function searchArticleIndex(store: Store, terms: SearchTerms, options: ArticleSearchOptions): Promise<ArticleCandidate[]> {
  if (terms.length === 0) return [];
  const published = options.publishedOnly ? sql`and a.status = 'published'` : sql``;
  const any = options.match === 'any';
  if (store.dialect === 'sqlite') {
    const match = any ? terms.map((words) => `"${words.join(' ')}"*`).join(' OR ') : fts5Query(terms, true);
    const result = await sql<ArticleCandidate>`
      select a.id, a.title, a."bodyText" as "bodyText"
      from kb_articles_fts join kb_articles a on a.id = kb_articles_fts.rowid
      where kb_articles_fts match ${match} ${published}
      order by kb_articles_fts.rowid desc limit ${options.limit}`.execute(store.db);
    return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
  }
  const query = any ? terms.map((words) => `(${words.map((w, j) => (j === words.length - 1 ? `${w}:*` : w)).join(' <-> ')})`).join(' | ') : tsQuery(terms);
  const result = await sql<ArticleCandidate>`
    select a.id, a.title, a."bodyText" as "bodyText" from kb_articles a
    where a.search @@ to_tsquery('simple', ${query}) ${published}
    order by a.id desc limit ${options.limit}`.execute(store.db);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}
