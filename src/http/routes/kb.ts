import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canSeeDrafts } from '../../inbox/policies.js';
import { createArticle, createCategory, deleteArticle, deleteCategory, updateArticle, updateCategory } from '../../kb/commands.js';
import { type Audience, getArticle, listArticles, listCategories, MAX_ARTICLE_PAGE, searchArticles } from '../../kb/queries.js';
import type { KbContext } from '../../kb/records.js';
import { MAX_KB_BODY, MAX_KB_DESCRIPTION, MAX_KB_TITLE, MAX_QUERY } from '../../limits.js';
import {
  KbArticleHitJson as ArticleHitJson,
  KbArticleJson as ArticleJson,
  KbArticleSummaryJson as ArticleSummaryJson,
  KbCategoryJson as CategoryJson,
} from '../../present/schemas.js';
import { ARTICLE_STATUSES } from '../../store/schema.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The knowledge base over HTTP. The team (admins and agents) writes; everyone, signed in
// or not, reads what is published — the help center, the widget and the bot read the same.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const IdParams = z.strictObject({ id: Id });
const KeyParams = z.strictObject({ id: z.string().min(1).max(200).describe('the article id, or its slug') });

const ListQuery = z.strictObject({
  q: z.string().max(MAX_QUERY).optional().describe('full-text search; every word must occur, the last as a prefix. Ranked; no cursor'),
  status: z.enum(ARTICLE_STATUSES).optional().describe('draft: the team only'),
  categoryId: Id.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_ARTICLE_PAGE).optional(),
});

const ArticleBody = z.strictObject({
  title: z.string().min(1).max(MAX_KB_TITLE),
  body: z.string().min(1).max(MAX_KB_BODY).describe('Markdown'),
  categoryId: Id.nullable().optional(),
  status: z.enum(ARTICLE_STATUSES),
});
const ArticlePatchBody = ArticleBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

const CategoryBody = z.strictObject({
  name: z.string().min(1).max(MAX_KB_TITLE),
  description: z.string().max(MAX_KB_DESCRIPTION).optional(),
  position: z.number().int().min(0).max(100_000).optional(),
});
const CategoryPatchBody = CategoryBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

const audienceOf = (request: FastifyRequest): Audience => ({ includeDrafts: request.user !== null && canSeeDrafts(request.user) });
const withUrl = <T extends { slug: string }>(article: T) => ({ ...article, url: `/help/articles/${encodeURIComponent(article.slug)}` });

export const kbRoutes = defineRoutes<{ kb: KbContext }>(async (app, { kb }) => {
  app.get(
    '/api/kb/articles',
    {
      schema: {
        tags: ['knowledge base'],
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(z.union([ArticleHitJson, ArticleSummaryJson])), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const audience = audienceOf(request);
      const { q, ...query } = request.query;
      if (q !== undefined && q.trim()) {
        const hits = await searchArticles(kb, q, audience);
        const filtered = hits.filter((hit) => (!query.status || hit.status === query.status) && (!query.categoryId || hit.categoryId === query.categoryId));
        return { items: filtered.map(({ score: _score, ...hit }) => withUrl(hit)), nextCursor: null };
      }
      const page = await listArticles(kb, query, audience);
      return { items: page.items.map(withUrl), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/kb/articles/:id',
    {
      schema: { tags: ['knowledge base'], params: KeyParams, response: { 200: z.object({ article: ArticleJson }), ...errors } },
    },
    async (request) => {
      const key = /^\d+$/.test(request.params.id) ? Number(request.params.id) : request.params.id;
      return { article: withUrl(await getArticle(kb, key, audienceOf(request))) };
    },
  );

  app.post(
    '/api/kb/articles',
    {
      schema: { tags: ['knowledge base'], body: ArticleBody, response: { 201: z.object({ article: ArticleJson }), ...errors } },
    },
    async (request, reply) => {
      const author = requireTeamMember(request);
      return reply.code(201).send({ article: withUrl(await createArticle(kb, author.id, request.body)) });
    },
  );

  app.patch(
    '/api/kb/articles/:id',
    {
      schema: { tags: ['knowledge base'], params: IdParams, body: ArticlePatchBody, response: { 200: z.object({ article: ArticleJson }), ...errors } },
    },
    async (request) => {
      requireTeamMember(request);
      return { article: withUrl(await updateArticle(kb, request.params.id, request.body)) };
    },
  );

  app.delete(
    '/api/kb/articles/:id',
    {
      schema: { tags: ['knowledge base'], params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      requireTeamMember(request);
      await deleteArticle(kb, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/kb/categories',
    {
      schema: { tags: ['knowledge base'], response: { 200: z.object({ items: z.array(CategoryJson) }), ...errors } },
    },
    async (request) => ({ items: await listCategories(kb, audienceOf(request)) }),
  );

  app.post(
    '/api/kb/categories',
    {
      schema: { tags: ['knowledge base'], body: CategoryBody, response: { 201: z.object({ category: CategoryJson }), ...errors } },
    },
    async (request, reply) => {
      requireTeamMember(request);
      return reply.code(201).send({ category: await createCategory(kb, request.body) });
    },
  );

  app.patch(
    '/api/kb/categories/:id',
    {
      schema: { tags: ['knowledge base'], params: IdParams, body: CategoryPatchBody, response: { 200: z.object({ category: CategoryJson }), ...errors } },
    },
    async (request) => {
      requireTeamMember(request);
      return { category: await updateCategory(kb, request.params.id, request.body) };
    },
  );

  app.delete(
    '/api/kb/categories/:id',
    {
      schema: { tags: ['knowledge base'], params: IdParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      requireTeamMember(request);
      await deleteCategory(kb, request.params.id);
      return reply.code(204).send(null);
    },
  );
});
