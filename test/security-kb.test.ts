import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodApp } from '../src/http/server.js';
import { listCategories } from '../src/kb/queries.js';
import type { Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { recordingStore } from './support/query-capture.js';

// Issue 13 (knowledge base): a category is a shelf of what its reader may see. One holding
// only drafts, or nothing, is the team's work in progress: not listed, not a page, for the
// public and customers; the team still sees and manages it.

let server: TestApp;
let store: Store;
let app: ZodApp;
let agent: Person;
let customer: Person;

const person = (role: Role) => newPerson(server, role);

beforeAll(async () => {
  server = await startTestApp();
  ({ store, app } = server);
  agent = await person('agent');
  customer = await person('customer');
});
afterAll(async () => {
  await server?.close();
});

const call = (who: Person | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  app.inject({ method, url, payload: payload as never, headers: who ? { authorization: `Bearer ${who.token}` } : {} });

type Shelf = { id: number; name: string; slug: string; articleCount?: number };
const shelves = async (who: Person | null): Promise<Shelf[]> => {
  const response = await call(who, 'GET', '/api/kb/categories');
  expect(response.statusCode).toBe(200);
  return response.json().items;
};
const names = (list: Shelf[]) => list.map((c) => c.name);

describe('knowledge-base categories without a published article', () => {
  let drafts: Shelf;
  let empty: Shelf;
  let mixed: Shelf;
  let draftId: number;

  beforeAll(async () => {
    const category = async (name: string) => (await call(agent, 'POST', '/api/kb/categories', { name })).json().category as Shelf;
    [drafts, empty, mixed] = [await category('Roadmap drafts'), await category('Empty shelf'), await category('Billing basics')];
    const article = async (title: string, categoryId: number, status: 'draft' | 'published') => {
      const response = await call(agent, 'POST', '/api/kb/articles', { title, body: `${title}: the body.`, categoryId, status });
      expect(response.statusCode).toBe(201);
      return response.json().article.id as number;
    };
    draftId = await article('Secret launch plan', drafts.id, 'draft');
    await article('Paying by card', mixed.id, 'published');
    await article('Invoices next year', mixed.id, 'draft');
  });

  it('are not listed for the public nor for customers; the team sees every category', async () => {
    for (const reader of [null, customer]) {
      const listed = await shelves(reader);
      expect(names(listed)).toContain('Billing basics');
      expect(names(listed)).not.toContain('Roadmap drafts');
      expect(names(listed)).not.toContain('Empty shelf');
      expect(listed.find((c) => c.id === mixed.id)?.articleCount).toBe(1);
    }
    const team = await shelves(agent);
    expect(team.find((c) => c.id === drafts.id)).toMatchObject({ articleCount: 1 });
    expect(team.find((c) => c.id === empty.id)).toMatchObject({ articleCount: 0 });
    expect(team.find((c) => c.id === mixed.id)).toMatchObject({ articleCount: 2 });
  });

  it('have no help-center page and are not on its index', async () => {
    const index = await call(null, 'GET', '/help');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('Billing basics');
    expect(index.body).not.toContain('Roadmap drafts');
    expect(index.body).not.toContain('Empty shelf');
    expect((await call(null, 'GET', `/help/categories/${mixed.slug}`)).statusCode).toBe(200);
    for (const hidden of [drafts, empty]) {
      const page = await call(null, 'GET', `/help/categories/${hidden.slug}`);
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain(hidden.name);
    }
  });

  it('appear once an article in them is published, and go again when it is taken back', async () => {
    expect((await call(agent, 'PATCH', `/api/kb/articles/${draftId}`, { status: 'published' })).statusCode).toBe(200);
    expect(names(await shelves(null))).toContain('Roadmap drafts');
    expect((await call(null, 'GET', `/help/categories/${drafts.slug}`)).statusCode).toBe(200);
    expect((await call(agent, 'PATCH', `/api/kb/articles/${draftId}`, { status: 'draft' })).statusCode).toBe(200);
    expect(names(await shelves(null))).not.toContain('Roadmap drafts');
    expect((await call(null, 'GET', `/help/categories/${drafts.slug}`)).statusCode).toBe(404);
  });

  it('are filtered in the listing query itself: two statements, however many categories', async () => {
    for (let i = 0; i < 5; i++) await call(agent, 'POST', '/api/kb/categories', { name: `Filler ${i}` });
    const recording = recordingStore(store);
    const listed = await listCategories({ store: recording.store, clock: Date.now }, { includeDrafts: false });
    expect(names(listed)).not.toContain('Filler 0');
    expect(recording.queries).toHaveLength(2);
    expect(recording.queries.map((q) => q.sql).join('\n')).toMatch(/exists/i);
  });
});
