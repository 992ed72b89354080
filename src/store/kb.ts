import type { ExpressionBuilder, Insertable, Updateable } from 'kysely';
import type { ArticleStatus, Database, KbArticleRow, KbArticlesTable, KbCategoriesTable, KbCategoryRow } from './schema.js';
import type { Tx } from './transaction.js';

// Rows of the knowledge base. The commands in src/kb decide what to write; this only
// knows the tables.

export function findArticle(tx: Tx, key: { id: number } | { slug: string }): Promise<KbArticleRow | undefined> {
  const query = tx.selectFrom('kb_articles').selectAll();
  return ('id' in key ? query.where('id', '=', key.id) : query.where('slug', '=', key.slug)).executeTakeFirst();
}

export function findArticlesByIds(tx: Tx, ids: readonly number[]): Promise<KbArticleRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx.selectFrom('kb_articles').selectAll().where('id', 'in', ids).execute();
}

export function insertArticle(tx: Tx, row: Insertable<KbArticlesTable>): Promise<KbArticleRow> {
  return tx.insertInto('kb_articles').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateArticleRow(tx: Tx, id: number, patch: Updateable<KbArticlesTable>): Promise<KbArticleRow> {
  return tx.updateTable('kb_articles').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteArticleRow(tx: Tx, id: number): Promise<boolean> {
  const result = await tx.deleteFrom('kb_articles').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function slugTaken(tx: Tx, table: 'kb_articles' | 'kb_categories', slug: string, exceptId?: number): Promise<boolean> {
  let query = tx.selectFrom(table).select('id').where('slug', '=', slug);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export type ArticlePageQuery = {
  statuses: readonly ArticleStatus[];
  categoryId?: number;
  /** Keyset: the last row of the previous page. */
  after?: { updatedAt: number; id: number };
  limit: number;
};

/** Newest change first, on the (status, updatedAt, id) indexes: never OFFSET. */
export function listArticleRows(tx: Tx, query: ArticlePageQuery): Promise<KbArticleRow[]> {
  let select = tx.selectFrom('kb_articles').selectAll().where('status', 'in', query.statuses);
  if (query.categoryId !== undefined) select = select.where('categoryId', '=', query.categoryId);
  const after = query.after;
  if (after) {
    select = select.where((eb) => eb.or([eb('updatedAt', '<', after.updatedAt), eb.and([eb('updatedAt', '=', after.updatedAt), eb('id', '<', after.id)])]));
  }
  return select.orderBy('updatedAt', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}

export function findCategory(tx: Tx, key: { id: number } | { slug: string }): Promise<KbCategoryRow | undefined> {
  const query = tx.selectFrom('kb_categories').selectAll();
  return ('id' in key ? query.where('id', '=', key.id) : query.where('slug', '=', key.slug)).executeTakeFirst();
}

/**
 * Every category with how many articles of these statuses it holds. A knowledge base has
 * tens, not thousands. `nonEmpty` leaves out a category holding none of them (EXISTS on
 * the (categoryId, status) index), so a shelf of drafts is not shown to the public.
 */
export async function listCategoryRows(
  tx: Tx,
  statuses: readonly ArticleStatus[],
  options: { nonEmpty?: boolean } = {},
): Promise<(KbCategoryRow & { articleCount: number })[]> {
  const counts = await tx
    .selectFrom('kb_articles')
    .select(['categoryId', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('status', 'in', statuses)
    .where('categoryId', 'is not', null)
    .groupBy('categoryId')
    .execute();
  const byCategory = new Map(counts.map((row) => [Number(row.categoryId), Number(row.count)]));
  let select = tx.selectFrom('kb_categories').selectAll('kb_categories');
  if (options.nonEmpty) select = select.where((eb) => eb.exists(articlesIn(eb, statuses)));
  const rows = await select.orderBy('position').orderBy('name').execute();
  return rows.map((row) => ({ ...row, articleCount: byCategory.get(row.id) ?? 0 }));
}

/** Whether the category holds at least one article of these statuses. */
export async function categoryHasArticles(tx: Tx, categoryId: number, statuses: readonly ArticleStatus[]): Promise<boolean> {
  const row = await tx.selectFrom('kb_articles').select('id').where('categoryId', '=', categoryId).where('status', 'in', statuses).limit(1).executeTakeFirst();
  return row !== undefined;
}

const articlesIn = (eb: ExpressionBuilder<Database, 'kb_categories'>, statuses: readonly ArticleStatus[]) =>
  eb.selectFrom('kb_articles').select('kb_articles.id').whereRef('kb_articles.categoryId', '=', 'kb_categories.id').where('kb_articles.status', 'in', statuses);

export function insertCategory(tx: Tx, row: Insertable<KbCategoriesTable>): Promise<KbCategoryRow> {
  return tx.insertInto('kb_categories').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateCategoryRow(tx: Tx, id: number, patch: Updateable<KbCategoriesTable>): Promise<KbCategoryRow> {
  return tx.updateTable('kb_categories').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteCategoryRow(tx: Tx, id: number): Promise<boolean> {
  const result = await tx.deleteFrom('kb_categories').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countArticles(tx: Tx, statuses: readonly ArticleStatus[]): Promise<number> {
  const row = await tx
    .selectFrom('kb_articles')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('status', 'in', statuses)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
