import { invalid, notFound } from '../errors.js';
import { MAX_KB_BODY as MAX_BODY, MAX_KB_TITLE as MAX_TITLE } from '../limits.js';
import {
  deleteArticleRow,
  deleteCategoryRow,
  findArticle,
  findCategory,
  insertArticle,
  insertCategory,
  updateArticleRow,
  updateCategoryRow,
} from '../store/kb.js';
import { ARTICLE_STATUSES, type ArticleStatus, type KbArticleRow, type KbCategoryRow } from '../store/schema.js';
import { isUniqueViolation, type Tx, transact } from '../store/transaction.js';
import { toArticle } from './queries.js';
import { type Article, type Category, type KbContext, toCategory } from './records.js';
import { articleText } from './render.js';
import { uniqueSlug } from './slugs.js';

// The knowledge base's one write path. Each command is one transaction. A slug is made
// once, from the first title, and kept: links in old replies and bot answers stay valid.

// Sizes live in limits.ts with every other; the names here are the ones this module's callers know.
export { MAX_BODY, MAX_TITLE };

export type ArticleInput = { title: string; body: string; categoryId?: number | null; status: ArticleStatus };
export type ArticlePatch = Partial<ArticleInput>;
export type CategoryInput = { name: string; description?: string; position?: number };

function validTitle(title: string, field = 'title'): string {
  const clean = title.replace(/[\u0000-\u001F\u007F\s]+/g, ' ').trim();
  if (!clean) throw invalid(field, `${field} must not be empty`);
  if (clean.length > MAX_TITLE) throw invalid(field, `${field} must be at most ${MAX_TITLE} characters`);
  return clean;
}

function validBody(body: string): { body: string; bodyText: string } {
  if (body.length > MAX_BODY) throw invalid('body', `body must be at most ${MAX_BODY} characters`);
  const bodyText = articleText(body);
  if (!bodyText) throw invalid('body', 'body must not be empty');
  return { body, bodyText };
}

function validStatus(status: ArticleStatus): ArticleStatus {
  if (!ARTICLE_STATUSES.includes(status)) throw invalid('status', `status must be one of ${ARTICLE_STATUSES.join(', ')}`);
  return status;
}

async function existingCategory(tx: Tx, categoryId: number | null | undefined): Promise<number | null> {
  if (categoryId == null) return null;
  if (!(await findCategory(tx, { id: categoryId }))) throw invalid('categoryId', `category ${categoryId} does not exist`);
  return categoryId;
}

async function retryingSlugRace<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Two writers took the same free slug at once: the second one tries the next.
    if (isUniqueViolation(error)) return work();
    throw error;
  }
}

export async function createArticle(ctx: KbContext, authorId: number | null, input: ArticleInput): Promise<Article> {
  const title = validTitle(input.title);
  const { body, bodyText } = validBody(input.body);
  const status = validStatus(input.status);
  return retryingSlugRace(() =>
    transact(ctx.store, async (tx) => {
      const now = ctx.clock();
      const row = await insertArticle(tx, {
        title,
        slug: await uniqueSlug(tx, 'kb_articles', title),
        body,
        bodyText,
        categoryId: await existingCategory(tx, input.categoryId),
        status,
        authorId,
        createdAt: now,
        updatedAt: now,
        publishedAt: status === 'published' ? now : null,
      });
      return toArticle(tx, row);
    }),
  );
}

export async function updateArticle(ctx: KbContext, id: number, patch: ArticlePatch): Promise<Article> {
  const title = patch.title === undefined ? undefined : validTitle(patch.title);
  const text = patch.body === undefined ? undefined : validBody(patch.body);
  const status = patch.status === undefined ? undefined : validStatus(patch.status);
  return transact(ctx.store, async (tx) => {
    const current = await findArticle(tx, { id });
    if (!current) throw notFound('Article');
    const now = ctx.clock();
    const row: KbArticleRow = await updateArticleRow(tx, id, {
      ...(title !== undefined && { title }),
      ...(text !== undefined && text),
      ...(patch.categoryId !== undefined && { categoryId: await existingCategory(tx, patch.categoryId) }),
      ...(status !== undefined && { status }),
      // First publication is remembered; unpublishing and publishing again keeps it.
      ...(status === 'published' && current.publishedAt === null && { publishedAt: now }),
      updatedAt: now,
    });
    return toArticle(tx, row);
  });
}

export async function deleteArticle(ctx: KbContext, id: number): Promise<void> {
  const deleted = await transact(ctx.store, (tx) => deleteArticleRow(tx, id));
  if (!deleted) throw notFound('Article');
}

function validCategory(input: Partial<CategoryInput>): Partial<CategoryInput> {
  const description = input.description?.trim();
  if (description !== undefined && description.length > 1000) throw invalid('description', 'description must be at most 1000 characters');
  return {
    ...(input.name !== undefined && { name: validTitle(input.name, 'name') }),
    ...(description !== undefined && { description }),
    ...(input.position !== undefined && { position: input.position }),
  };
}

export async function createCategory(ctx: KbContext, input: CategoryInput): Promise<Category> {
  const clean = validCategory(input) as CategoryInput;
  return retryingSlugRace(() =>
    transact(ctx.store, async (tx) => {
      const now = ctx.clock();
      const row: KbCategoryRow = await insertCategory(tx, {
        name: clean.name,
        slug: await uniqueSlug(tx, 'kb_categories', clean.name),
        description: clean.description ?? '',
        position: clean.position ?? 0,
        createdAt: now,
        updatedAt: now,
      });
      return toCategory(row);
    }),
  );
}

export async function updateCategory(ctx: KbContext, id: number, patch: Partial<CategoryInput>): Promise<Category> {
  const clean = validCategory(patch);
  return transact(ctx.store, async (tx) => {
    if (!(await findCategory(tx, { id }))) throw notFound('Category');
    return toCategory(await updateCategoryRow(tx, id, { ...clean, updatedAt: ctx.clock() }));
  });
}

/** Its articles stay, uncategorised: deleting a shelf must not delete the books. */
export async function deleteCategory(ctx: KbContext, id: number): Promise<void> {
  const deleted = await transact(ctx.store, (tx) => deleteCategoryRow(tx, id));
  if (!deleted) throw notFound('Category');
}
