import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// The knowledge base over HTTP and the public help center: the team writes, everyone
// reads what is published, and nothing an author types runs in a reader's browser.

type Api = TestApp;
const person = (api: Api, role: Role) => newPerson(api, role);

describe('knowledge base API and help center', () => {
  const api = {} as Api;
  let agent: Person;
  let admin: Person;
  let customer: Person;

  beforeAll(async () => {
    Object.assign(api, await startTestApp());
    agent = await person(api, 'agent');
    admin = await person(api, 'admin');
    customer = await person(api, 'customer');
  });
  afterAll(async () => {
    await api.close?.();
  });

  const call = (who: Person | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    api.app.inject({ method, url, payload: payload as never, headers: who ? { authorization: `Bearer ${who.token}` } : {} });

  it('an agent writes a category and articles; the public reads only what is published', async () => {
    const category = await call(agent, 'POST', '/api/kb/categories', { name: 'Getting started', description: 'First steps' });
    expect(category.statusCode).toBe(201);
    const categoryId = category.json().category.id;
    expect(category.json().category).toMatchObject({ name: 'Getting started', slug: 'getting-started' });

    const published = await call(agent, 'POST', '/api/kb/articles', {
      title: 'Inviting your team',
      body: 'Go to **Settings → Team** and click *Invite*.',
      categoryId,
      status: 'published',
    });
    expect(published.statusCode).toBe(201);
    const article = published.json().article;
    expect(article).toMatchObject({
      slug: 'inviting-your-team',
      status: 'published',
      url: '/help/articles/inviting-your-team',
      category: { id: categoryId, name: 'Getting started' },
      html: '<p>Go to <strong>Settings → Team</strong> and click <em>Invite</em>.</p>',
      excerpt: 'Go to Settings → Team and click Invite.',
    });
    expect(article.publishedAt).toEqual(expect.any(Number));
    const draft = (await call(admin, 'POST', '/api/kb/articles', { title: 'Secret roadmap', body: 'Not yet.', categoryId, status: 'draft' })).json().article;
    expect(draft.publishedAt).toBeNull();

    const publicList = (await call(null, 'GET', '/api/kb/articles')).json();
    expect(publicList.items.map((a: { id: number }) => a.id)).toContain(article.id);
    expect(publicList.items.map((a: { id: number }) => a.id)).not.toContain(draft.id);
    expect((await call(customer, 'GET', '/api/kb/articles?status=draft')).json().items).toEqual([]);
    expect((await call(agent, 'GET', '/api/kb/articles?status=draft')).json().items.map((a: { id: number }) => a.id)).toEqual([draft.id]);

    expect((await call(null, 'GET', `/api/kb/articles/${draft.id}`)).statusCode).toBe(404);
    expect((await call(customer, 'GET', `/api/kb/articles/${draft.slug}`)).statusCode).toBe(404);
    expect((await call(agent, 'GET', `/api/kb/articles/${draft.id}`)).json().article.title).toBe('Secret roadmap');
    expect((await call(null, 'GET', '/api/kb/articles/inviting-your-team')).json().article.id).toBe(article.id);

    const categories = (await call(null, 'GET', '/api/kb/categories')).json().items;
    expect(categories.find((c: { id: number }) => c.id === categoryId)).toMatchObject({ articleCount: 1 });
    expect((await call(agent, 'GET', '/api/kb/categories')).json().items.find((c: { id: number }) => c.id === categoryId)).toMatchObject({ articleCount: 2 });

    // Publishing later stamps publishedAt; the slug stays when the title changes.
    const patched = (await call(agent, 'PATCH', `/api/kb/articles/${draft.id}`, { status: 'published', title: 'Our public roadmap' })).json().article;
    expect(patched).toMatchObject({ status: 'published', slug: 'secret-roadmap', title: 'Our public roadmap' });
    expect(patched.publishedAt).toEqual(expect.any(Number));
  });

  it('only the team writes: customers get 403, anonymous callers 401', async () => {
    const body = { title: 'Nope', body: 'Nope', status: 'published' };
    expect((await call(customer, 'POST', '/api/kb/articles', body)).statusCode).toBe(403);
    expect((await call(null, 'POST', '/api/kb/articles', body)).statusCode).toBe(401);
    const id = (await call(agent, 'POST', '/api/kb/articles', body)).json().article.id;
    expect((await call(customer, 'PATCH', `/api/kb/articles/${id}`, { title: 'Yes' })).statusCode).toBe(403);
    expect((await call(customer, 'DELETE', `/api/kb/articles/${id}`)).statusCode).toBe(403);
    expect((await call(null, 'POST', '/api/kb/categories', { name: 'X' })).statusCode).toBe(401);
    expect((await call(agent, 'DELETE', `/api/kb/articles/${id}`)).statusCode).toBe(204);
    expect((await call(agent, 'GET', `/api/kb/articles/${id}`)).statusCode).toBe(404);
    expect((await call(agent, 'DELETE', `/api/kb/articles/${id}`)).statusCode).toBe(404);
  });

  it('refuses bad input with the field named', async () => {
    const bad = async (payload: unknown) => {
      const response = await call(agent, 'POST', '/api/kb/articles', payload);
      expect(response.statusCode).toBe(400);
      return response.json().error;
    };
    expect((await bad({ title: '   ', body: 'x', status: 'published' })).message).toMatch(/title/);
    expect((await bad({ title: 'T', body: 'x', status: 'live' })).message).toMatch(/status/);
    expect((await bad({ title: 'T', body: 'x', status: 'draft', author: 'me' })).message).toMatch(/author/);
    expect(await bad({ title: 'T', body: 'x', status: 'draft', categoryId: 999_999 })).toMatchObject({ code: 'validation_failed' });
    expect((await bad({ title: 'T', body: '<script>alert(1)</script>', status: 'draft' })).message).toMatch(/body/);
    expect((await call(agent, 'PATCH', '/api/kb/articles/1', {})).statusCode).toBe(400);
    expect((await call(null, 'GET', '/api/kb/articles?cursor=garbage')).statusCode).toBe(400);
  });

  it('the same title twice gets its own slug', async () => {
    const first = (await call(agent, 'POST', '/api/kb/articles', { title: 'Billing FAQ', body: 'One', status: 'published' })).json().article;
    const second = (await call(agent, 'POST', '/api/kb/articles', { title: 'Billing FAQ!', body: 'Two', status: 'published' })).json().article;
    expect([first.slug, second.slug]).toEqual(['billing-faq', 'billing-faq-2']);
  });

  it('search needs every word (the last as a prefix), ranks titles first and never shows drafts to the public', async () => {
    await call(agent, 'POST', '/api/kb/articles', { title: 'Webhooks', body: 'Webhooks post every new conversation to your endpoint.', status: 'published' });
    await call(agent, 'POST', '/api/kb/articles', {
      title: 'Endpoints overview',
      body: 'A webhook endpoint must answer within five seconds.',
      status: 'published',
    });
    await call(agent, 'POST', '/api/kb/articles', { title: 'Webhook secrets (draft)', body: 'Rotating webhook secrets.', status: 'draft' });
    const hits = (await call(null, 'GET', '/api/kb/articles?q=endpoint%20webh')).json().items;
    expect(hits.map((h: { title: string }) => h.title)).toEqual(['Webhooks', 'Endpoints overview']);
    // Only the last word is a prefix: "webhook" is not "Webhooks".
    expect((await call(null, 'GET', '/api/kb/articles?q=webhook%20endp')).json().items.map((h: { title: string }) => h.title)).toEqual(['Endpoints overview']);
    expect(hits[0].highlight).toContain('<mark>');
    expect((await call(null, 'GET', '/api/kb/articles?q=rotating')).json().items).toEqual([]);
    expect((await call(agent, 'GET', '/api/kb/articles?q=rotating')).json().items.map((h: { title: string }) => h.title)).toEqual(['Webhook secrets (draft)']);
  });

  it('pages with a cursor, newest change first, without gaps or repeats', async () => {
    const category = (await call(agent, 'POST', '/api/kb/categories', { name: 'Paging' })).json().category;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await call(agent, 'POST', '/api/kb/articles', { title: `Page ${i}`, body: `Body ${i}`, categoryId: category.id, status: 'published' })).json().article
          .id,
      );
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: number }[]; nextCursor: string | null } = (
        await call(null, 'GET', `/api/kb/articles?categoryId=${category.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    // Deleting the category keeps its articles, uncategorised.
    expect((await call(admin, 'DELETE', `/api/kb/categories/${category.id}`)).statusCode).toBe(204);
    expect((await call(null, 'GET', `/api/kb/articles/${ids[0]}`)).json().article.category).toBeNull();
  });

  it('author HTML and links are made harmless', async () => {
    const body =
      'Hello <img src=x onerror=alert(1)> [click](javascript:alert(2)) <iframe src="https://evil.test"></iframe>\n\n[docs](https://docs.example.test)';
    const article = (await call(agent, 'POST', '/api/kb/articles', { title: 'Sanitised', body, status: 'published' })).json().article;
    expect(article.html).not.toMatch(/onerror|javascript:|<iframe|<script/i);
    expect(article.html).toContain('<a href="https://docs.example.test" rel="nofollow noopener noreferrer">docs</a>');
  });

  it('serves the help center as plain pages: index, topic, article, search, and 404 for drafts', async () => {
    const category = (await call(agent, 'POST', '/api/kb/categories', { name: 'Help center topic' })).json().category;
    const article = (
      await call(agent, 'POST', '/api/kb/articles', {
        title: 'Connecting Slack <now>',
        body: 'Open **Integrations** and pick Slack.',
        categoryId: category.id,
        status: 'published',
      })
    ).json().article;
    const draft = (await call(agent, 'POST', '/api/kb/articles', { title: 'Unreleased', body: 'Soon.', status: 'draft' })).json().article;

    const index = await call(null, 'GET', '/help');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.body).toContain('Help center topic');
    expect(index.body).not.toContain('<script');

    const topic = await call(null, 'GET', `/help/categories/${category.slug}`);
    expect(topic.body).toContain(`/help/articles/${article.slug}`);
    const page = await call(null, 'GET', `/help/articles/${article.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Connecting Slack &lt;now&gt;');
    expect(page.body).toContain('<strong>Integrations</strong>');
    expect(page.body).toContain('href="/portal"');

    expect((await call(null, 'GET', `/help/articles/${draft.slug}`)).statusCode).toBe(404);
    expect((await call(null, 'GET', '/help/articles/no-such-thing')).statusCode).toBe(404);
    expect((await call(null, 'GET', '/help/categories/no-such-topic')).statusCode).toBe(404);

    const search = await call(null, 'GET', '/help/search?q=slack');
    expect(search.body).toContain('<mark>Slack</mark>');
    expect((await call(null, 'GET', '/help/search?q=%3Cscript%3E')).body).not.toContain('<script>');
  });
});
