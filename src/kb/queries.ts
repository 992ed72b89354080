import { invalid, notFound } from '../errors.js';
import { categoryHasArticles, findArticle, findArticlesByIds, findCategory, listArticleRows, listCategoryRows } from '../store/kb.js';
import type { ArticleStatus, KbArticleRow } from '../store/schema.js';
import { searchArticleIndex } from '../store/search.js';
import type { Tx } from '../store/transaction.js';
import { highlightExcerpt, parseSearchQuery, scoreText } from '../text/search-text.js';
import { type Article, type ArticleSummary, type Category, type KbContext, toCategory, toSummary } from './records.js';
import { articleHtml } from './render.js';

// Reading the knowledge base. The public and customers see published articles only; a
// draft asked for by anyone else does not exist.

export type Audience = { includeDrafts: boolean };

const statusesFor = (audience: Audience): ArticleStatus[] => (audience.includeDrafts ? ['published', 'draft'] : ['published']);

export async function toArticle(tx: Tx, row: KbArticleRow): Promise<Article> {
  const category = row.categoryId === null ? undefined : await findCategory(tx, { id: row.categoryId });
  return { ...toSummary(row), body: row.body, html: articleHtml(row.body), category: category ? toCategory(category) : null, authorId: row.authorId };
}

/** By id, or by slug (the help center's URLs). */
export async function getArticle(ctx: KbContext, key: number | string, audience: Audience): Promise<Article> {
  const row = await findArticle(ctx.store.db, typeof key === 'number' ? { id: key } : { slug: key });
  if (!row || !statusesFor(audience).includes(row.status)) throw notFound('Article');
  return toArticle(ctx.store.db, row);
}

export const MAX_ARTICLE_PAGE = 100;

export type ArticleListQuery = { categoryId?: number; status?: ArticleStatus; cursor?: string; limit?: number };

export async function listArticles(
  ctx: KbContext,
  query: ArticleListQuery,
  audience: Audience,
): Promise<{ items: ArticleSummary[]; nextCursor: string | null }> {
  const allowed = statusesFor(audience);
  if (query.status && !allowed.includes(query.status)) return { items: [], nextCursor: null };
  const limit = Math.min(Math.max(query.limit ?? 50, 1), MAX_ARTICLE_PAGE);
  const rows = await listArticleRows(ctx.store.db, {
    statuses: query.status ? [query.status] : allowed,
    categoryId: query.categoryId,
    after: query.cursor ? decodeCursor(query.cursor) : undefined,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.updatedAt, last.id])).toString('base64url') : null;
  return { items: page.map(toSummary), nextCursor };
}

function decodeCursor(cursor: string): { updatedAt: number; id: number } {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.length === 2 && key.every((v) => Number.isSafeInteger(v))) return { updatedAt: key[0], id: key[1] };
  } catch {
    // fall through: a cursor we did not make
  }
  throw invalid('cursor', 'cursor is not valid for this list; start again without it');
}

// A category is a shelf of what its reader may see: one holding only drafts (or nothing)
// is the team's work in progress, and does not exist for anyone else.

export function listCategories(ctx: KbContext, audience: Audience): Promise<Category[]> {
  return listCategoryRows(ctx.store.db, statusesFor(audience), { nonEmpty: !audience.includeDrafts }).then((rows) => rows.map(toCategory));
}

export async function getCategory(ctx: KbContext, key: number | string, audience: Audience): Promise<Category> {
  const row = await findCategory(ctx.store.db, typeof key === 'number' ? { id: key } : { slug: key });
  if (!row) throw notFound('Category');
  if (!audience.includeDrafts && !(await categoryHasArticles(ctx.store.db, row.id, statusesFor(audience)))) throw notFound('Category');
  return toCategory(row);
}

export type ArticleHit = ArticleSummary & { score: number; highlight: string };

// A knowledge base is small: rank every candidate the index finds.
const CANDIDATES = 200;
const TITLE_WEIGHT = 3;

/** The help center's search box: every word must occur (the last as a prefix), best first. */
export async function searchArticles(ctx: KbContext, q: string, audience: Audience, limit = 20): Promise<ArticleHit[]> {
  const terms = parseSearchQuery(q);
  const candidates = await searchArticleIndex(ctx.store, terms, { match: 'all', publishedOnly: !audience.includeDrafts, limit: CANDIDATES });
  const scored = candidates
    .map((c) => ({ id: c.id, text: c.bodyText, score: TITLE_WEIGHT * scoreText(c.title, terms) + scoreText(c.bodyText, terms) }))
    .sort((a, b) => b.score - a.score || b.id - a.id)
    .slice(0, limit);
  const rows = new Map(
    (
      await findArticlesByIds(
        ctx.store.db,
        scored.map((s) => s.id),
      )
    ).map((row) => [row.id, row]),
  );
  return scored.flatMap((s) => {
    const row = rows.get(s.id);
    return row ? [{ ...toSummary(row), score: s.score, highlight: highlightExcerpt(s.text, terms) }] : [];
  });
}
