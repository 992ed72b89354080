import type { KbArticleJson, KbArticleSummaryJson, KbCategoryJson } from '../../../src/present/schemas.js';
import { api } from '../api/client';

// The knowledge base endpoints (/api/kb), as the admin pages use them.

export type ArticleStatus = KbArticleJson['status'];
export type KbCategory = KbCategoryJson;
export type KbArticleSummary = KbArticleSummaryJson & { highlight?: string };
export type KbArticle = KbArticleJson;
export type ArticleInput = { title: string; body: string; categoryId: number | null; status: ArticleStatus };

export const kbKeys = {
  articles: (q: string, status: string) => ['kb', 'articles', q, status] as const,
  article: (id: number) => ['kb', 'article', id] as const,
  categories: ['kb', 'categories'] as const,
};

export const kb = {
  articles: (q: string, status: ArticleStatus | '') => {
    const query = new URLSearchParams({ limit: '100' });
    if (q) query.set('q', q);
    if (status) query.set('status', status);
    return api<{ items: KbArticleSummary[]; nextCursor: string | null }>('GET', `/api/kb/articles?${query}`);
  },
  article: (id: number) => api<{ article: KbArticle }>('GET', `/api/kb/articles/${id}`),
  create: (input: ArticleInput) => api<{ article: KbArticle }>('POST', '/api/kb/articles', { body: input }),
  update: (id: number, input: Partial<ArticleInput>) => api<{ article: KbArticle }>('PATCH', `/api/kb/articles/${id}`, { body: input }),
  remove: (id: number) => api<void>('DELETE', `/api/kb/articles/${id}`),
  categories: () => api<{ items: KbCategory[] }>('GET', '/api/kb/categories'),
  createCategory: (name: string) => api<{ category: KbCategory }>('POST', '/api/kb/categories', { body: { name } }),
};
