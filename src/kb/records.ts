import type { Store } from '../store/database.js';
import type { ArticleStatus, KbArticleRow, KbCategoryRow } from '../store/schema.js';

export type KbContext = { store: Store; clock: () => number };

export type Category = { id: number; name: string; slug: string; description: string; position: number; articleCount?: number };

export type ArticleSummary = {
  id: number;
  slug: string;
  title: string;
  categoryId: number | null;
  status: ArticleStatus;
  /** The opening of the text, for lists. */
  excerpt: string;
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
};

export type Article = ArticleSummary & { body: string; html: string; category: Category | null; authorId: number | null };

const EXCERPT_CHARS = 200;

export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS).replace(/\s+\S*$/, '')}…`;
}

export function toSummary(row: KbArticleRow): ArticleSummary {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    categoryId: row.categoryId,
    status: row.status,
    excerpt: excerptOf(row.bodyText),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    publishedAt: row.publishedAt,
  };
}

export function toCategory(row: KbCategoryRow & { articleCount?: number }): Category {
  const category: Category = { id: row.id, name: row.name, slug: row.slug, description: row.description, position: row.position };
  if (row.articleCount !== undefined) category.articleCount = row.articleCount;
  return category;
}
