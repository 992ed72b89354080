import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { getArticle, getCategory, listArticles, listCategories, searchArticles } from '../kb/queries.js';
import type { ArticleSummary, KbContext } from '../kb/records.js';
import { defineRoutes } from './routing.js';

// The public help center at /help: published articles as plain server-rendered pages
// (no script at all), so they load instantly, work without JavaScript and are indexed by
// search engines. Linked from the customer portal and the chat widget.

const PUBLIC = { includeDrafts: false };

const POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src https: http: data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const STYLE = `
body{font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2430;background:#f7f8fa}
header{background:#1f2430;color:#fff;padding:1rem 1.25rem}header a{color:#fff;text-decoration:none;font-weight:600}
header nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;max-width:52rem;margin:0 auto}header nav .spacer{flex:1}
main{max-width:52rem;margin:0 auto;padding:1.25rem}a{color:#2453b3}h1{line-height:1.25}
form{display:flex;gap:.5rem;margin:1rem 0}input[type=search]{flex:1;font:inherit;padding:.6rem .75rem;border:1px solid #8a93a6;border-radius:6px}
button{font:inherit;padding:.6rem 1rem;border:0;border-radius:6px;background:#2453b3;color:#fff;cursor:pointer}
ul.list{list-style:none;padding:0}ul.list li{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:.75rem 1rem;margin:.5rem 0}
.muted{color:#5b6375}article{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:1rem 1.5rem}
article img{max-width:100%}pre{overflow:auto;background:#f0f2f5;padding:.75rem;border-radius:6px}mark{background:#fff1a8}
table{border-collapse:collapse}td,th{border:1px solid #d5d9e0;padding:.3rem .6rem}`;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const articleLink = (a: Pick<ArticleSummary, 'slug' | 'title'>) => `<a href="/help/articles/${encodeURIComponent(a.slug)}">${escapeHtml(a.title)}</a>`;

function page(title: string, content: string, query = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Help center</title><style>${STYLE}</style></head>
<body><header><nav><a href="/help">Help center</a><span class="spacer"></span><a href="/portal">Your requests</a><a href="/contact">Contact us</a></nav></header>
<main><form action="/help/search" method="get" role="search"><label for="q" class="muted" hidden>Search the help center</label>
<input type="search" id="q" name="q" value="${escapeHtml(query)}" placeholder="Search the help center" aria-label="Search the help center" maxlength="200">
<button type="submit">Search</button></form>
${content}</main></body></html>`;
}

function summaries(items: readonly (ArticleSummary & { highlight?: string })[]): string {
  if (items.length === 0) return '<p class="muted">No articles here yet.</p>';
  return `<ul class="list">${items.map((a) => `<li>${articleLink(a)}<div class="muted">${a.highlight ?? escapeHtml(a.excerpt)}</div></li>`).join('')}</ul>`;
}

function send(reply: FastifyReply, status: number, html: string) {
  return reply
    .code(status)
    .header('content-security-policy', POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(html);
}

const notFoundPage = (what: string) =>
  page('Not found', `<h1>Not found</h1><p>${escapeHtml(what)} does not exist or is not published. <a href="/help">Back to the help center</a>.</p>`);

async function orNotFound(reply: FastifyReply, what: string, render: () => Promise<string>) {
  try {
    return send(reply, 200, await render());
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return send(reply, 404, notFoundPage(what));
    throw error;
  }
}

const Slug = z.strictObject({ slug: z.string().min(1).max(200) });

export const helpCenterRoutes = defineRoutes<{ kb: KbContext }>(async (app, { kb }) => {
  const hidden = { hide: true };

  app.get('/help', { schema: hidden }, async (_request: FastifyRequest, reply) => {
    const [categories, latest] = await Promise.all([listCategories(kb, PUBLIC), listArticles(kb, { limit: 10 }, PUBLIC)]);
    const content = `<h1>How can we help?</h1>
${categories.length ? `<h2>Topics</h2><ul class="list">${categories.map((c) => `<li><a href="/help/categories/${encodeURIComponent(c.slug)}">${escapeHtml(c.name)}</a> <span class="muted">· ${c.articleCount} article${c.articleCount === 1 ? '' : 's'}</span>${c.description ? `<div class="muted">${escapeHtml(c.description)}</div>` : ''}</li>`).join('')}</ul>` : ''}
<h2>Recently updated</h2>${summaries(latest.items)}`;
    return send(reply, 200, page('Help center', content));
  });

  app.get('/help/categories/:slug', { schema: { ...hidden, params: Slug } }, (request, reply) =>
    orNotFound(reply, 'This topic', async () => {
      const category = await getCategory(kb, request.params.slug, PUBLIC);
      const articles = await listArticles(kb, { categoryId: category.id, limit: 100 }, PUBLIC);
      return page(
        category.name,
        `<h1>${escapeHtml(category.name)}</h1>${category.description ? `<p class="muted">${escapeHtml(category.description)}</p>` : ''}${summaries(articles.items)}`,
      );
    }),
  );

  app.get('/help/articles/:slug', { schema: { ...hidden, params: Slug } }, (request, reply) =>
    orNotFound(reply, 'This article', async () => {
      const article = await getArticle(kb, request.params.slug, PUBLIC);
      const crumb = article.category
        ? `<p class="muted"><a href="/help/categories/${encodeURIComponent(article.category.slug)}">${escapeHtml(article.category.name)}</a></p>`
        : '';
      // article.html is sanitised when rendered (kb/render.ts).
      return page(
        article.title,
        `${crumb}<article><h1>${escapeHtml(article.title)}</h1>${article.html}</article>
<p class="muted">Still stuck? <a href="/contact">Contact us</a>.</p>`,
      );
    }),
  );

  app.get('/help/search', { schema: { ...hidden, querystring: z.strictObject({ q: z.string().max(200).optional() }) } }, async (request, reply) => {
    const q = request.query.q?.trim() ?? '';
    const hits = q ? await searchArticles(kb, q, PUBLIC) : [];
    const content = q
      ? `<h1>Results for “${escapeHtml(q)}”</h1>${hits.length ? summaries(hits) : `<p>No article matches. <a href="/contact">Ask us directly</a>.</p>`}`
      : '<h1>Search the help center</h1>';
    return send(reply, 200, page(q ? `Search: ${q}` : 'Search', content, q));
  });
});
