import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { refusal } from './support/live.js';

// Issue 13, items 5 and 9, over real HTTP on a listening server:
// - U+0000 anywhere in request input (JSON body, query string, path, form field) answers
//   400 naming the field, before any handler or query runs, and writes nothing — the same
//   on SQLite (which would store it) and PostgreSQL (which cannot, and failed with 500);
// - a form over the field, part or file limits answers 413, never 500, on the signed-in
//   upload route and on the anonymous chat widget's.

const LIMITS = { maxFileBytes: 256 * 1024, maxFiles: 2 };

let server: TestApp;
let store: Store;
let base: string;

let customer: Person;
let agent: Person;
let admin: Person;
let conversationId: number;
let visitorToken: string;

let n = 0;
const person = (role: Role) => newPerson(server, role, { password: null });

beforeAll(async () => {
  server = await startTestApp({ uploads: true, config: { attachments: LIMITS } });
  ({ store, http: base } = server);
  [customer, agent, admin] = [await person('customer'), await person('agent'), await person('admin')];
  const opened = await request(customer, 'POST', '/api/conversations', { subject: 'Existing', body: 'hello' });
  expect(opened.status).toBe(201);
  conversationId = ((await opened.json()) as { conversation: { id: number } }).conversation.id;
  const session = await request(null, 'POST', '/api/widget/session', {});
  expect(session.status).toBe(200);
  visitorToken = ((await session.json()) as { visitorToken: string }).visitorToken;
});
afterAll(async () => {
  await server?.close();
});

type Body = Record<string, unknown> | FormData;
function request(who: Person | null, method: string, url: string, body?: Body, headers: Record<string, string> = {}) {
  const json = body !== undefined && !(body instanceof FormData);
  return fetch(base + url, {
    method,
    body: json ? JSON.stringify(body) : body,
    headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...headers },
  });
}

function form(fields: [string, string][], files: { name: string; bytes: number }[] = []): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  for (const file of files) data.append('files', new Blob([new Uint8Array(file.bytes).fill(0x61)], { type: 'text/plain' }), file.name);
  return data;
}

const TABLES = [
  'users',
  'sessions',
  'api_tokens',
  'account_tokens',
  'conversations',
  'messages',
  'attachments',
  'conversation_events',
  'outbox',
  'kb_categories',
  'kb_articles',
  'chat_visitors',
  'chat_conversations',
] as const;

/** Rows per table: what a refused request must leave as it was. */
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await (store.db as unknown as Store['db'])
      .selectFrom(table as 'users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

const NUL = '\u0000';
const visitor = () => ({ 'x-visitor-token': visitorToken });

type Case = { name: string; send: () => Promise<Response>; field: string };
const cases = (): Case[] => [
  // Anonymous: sign-in, sign-up and address links.
  { name: 'login, address', send: () => request(null, 'POST', '/api/auth/login', { email: `a${NUL}@example.test`, password: 'x' }), field: 'body.email' },
  { name: 'login, password', send: () => request(null, 'POST', '/api/auth/login', { email: customer.email, password: `pass${NUL}` }), field: 'body.password' },
  { name: 'login, a field name', send: () => request(null, 'POST', '/api/auth/login', { [`email${NUL}`]: 'a@example.test', password: 'x' }), field: 'body' },
  {
    name: 'register, name',
    send: () => request(null, 'POST', '/api/auth/register', { name: `Nu${NUL}ll`, email: `new${++n}@example.test`, password: 'correct horse 1' }),
    field: 'body.name',
  },
  {
    name: 'register, address',
    send: () => request(null, 'POST', '/api/auth/register', { name: 'Nell', email: `new${++n}${NUL}@example.test`, password: 'correct horse 1' }),
    field: 'body.email',
  },
  { name: 'password reset', send: () => request(null, 'POST', '/api/auth/password-reset', { email: `${customer.email}${NUL}` }), field: 'body.email' },
  {
    name: 'password reset confirmation',
    send: () => request(null, 'POST', '/api/auth/password-reset/confirm', { token: `t${NUL}`, password: 'correct horse 2' }),
    field: 'body.token',
  },
  { name: 'address confirmation', send: () => request(null, 'POST', '/api/auth/verify-email', { token: `t${NUL}`, password: 'x' }), field: 'body.token' },
  // Anonymous: the contact form and the chat widget.
  ...(['name', 'email', 'subject', 'message'] as const).map((key) => ({
    name: `contact form, ${key}`,
    send: () =>
      request(null, 'POST', '/api/contact', {
        name: 'Dana',
        email: `dana${++n}@example.test`,
        subject: 'Hours',
        message: 'Open Sunday?',
        [key]: `x${NUL}y@example.test`,
      }),
    field: `body.${key}`,
  })),
  { name: 'widget session, name', send: () => request(null, 'POST', '/api/widget/session', { name: `Vi${NUL}` }), field: 'body.name' },
  {
    name: 'widget session, token',
    send: () => request(null, 'POST', '/api/widget/session', { visitorToken: `${visitorToken}${NUL}` }),
    field: 'body.visitorToken',
  },
  {
    name: 'widget session, identity',
    send: () => request(null, 'POST', '/api/widget/session', { identity: { userId: `u${NUL}`, hash: 'h' } }),
    field: 'body.identity.userId',
  },
  { name: 'widget message', send: () => request(null, 'POST', '/api/widget/messages', { body: `hi${NUL}` }, visitor()), field: 'body.body' },
  {
    name: 'widget message, as a form',
    send: () => request(null, 'POST', '/api/widget/messages', form([['body', `hi${NUL}`]], [{ name: 'a.txt', bytes: 10 }]), visitor()),
    field: 'body.body',
  },
  { name: 'widget download, token', send: () => request(null, 'GET', '/api/widget/attachments/1?token=a%00b'), field: 'query.token' },
  // Anonymous: the help center and the knowledge base.
  { name: 'help-center article path', send: () => request(null, 'GET', '/help/articles/a%00b'), field: 'params.slug' },
  { name: 'help-center topic path', send: () => request(null, 'GET', '/help/categories/a%00b'), field: 'params.slug' },
  { name: 'help-center search', send: () => request(null, 'GET', '/help/search?q=a%00b'), field: 'query.q' },
  { name: 'kb search', send: () => request(null, 'GET', '/api/kb/articles?q=a%00b'), field: 'query.q' },
  { name: 'kb list cursor', send: () => request(null, 'GET', '/api/kb/articles?cursor=%00'), field: 'query.cursor' },
  { name: 'kb article by slug', send: () => request(null, 'GET', '/api/kb/articles/a%00b'), field: 'params.id' },
  { name: 'kb search, a parameter name', send: () => request(null, 'GET', '/api/kb/articles?q%00=a'), field: 'query' },
  // Signed in.
  {
    name: 'conversation create, subject',
    send: () => request(customer, 'POST', '/api/conversations', { subject: `S${NUL}`, body: 'b' }),
    field: 'body.subject',
  },
  {
    name: 'conversation create, as a form',
    send: () =>
      request(
        customer,
        'POST',
        '/api/conversations',
        form(
          [
            ['subject', `S${NUL}`],
            ['body', 'b'],
          ],
          [{ name: 'a.txt', bytes: 10 }],
        ),
      ),
    field: 'body.subject',
  },
  {
    name: 'conversation create, a form field name',
    send: () =>
      request(
        customer,
        'POST',
        '/api/conversations',
        form([
          ['subject', 'S'],
          ['body', 'b'],
          [`x${NUL}`, 'y'],
        ]),
      ),
    field: 'body',
  },
  {
    name: 'conversation create, customer address',
    send: () => request(agent, 'POST', '/api/conversations', { subject: 'S', body: 'b', customer: { email: `c${NUL}@example.test` } }),
    field: 'body.customer.email',
  },
  { name: 'reply', send: () => request(customer, 'POST', `/api/conversations/${conversationId}/messages`, { body: `b${NUL}` }), field: 'body.body' },
  {
    name: 'reply, as a form',
    send: () => request(customer, 'POST', `/api/conversations/${conversationId}/messages`, form([['body', `b${NUL}`]])),
    field: 'body.body',
  },
  { name: 'conversation path', send: () => request(customer, 'GET', '/api/conversations/1%00'), field: 'params.id' },
  { name: 'tags', send: () => request(agent, 'PATCH', `/api/conversations/${conversationId}`, { tags: ['ok', `b${NUL}`] }), field: 'body.tags.1' },
  { name: 'conversation list, tag', send: () => request(agent, 'GET', '/api/conversations?tag=a%00'), field: 'query.tag' },
  { name: 'search', send: () => request(customer, 'GET', '/api/search?q=a%00b'), field: 'query.q' },
  {
    name: 'change password',
    send: () => request(customer, 'POST', '/api/auth/password', { currentPassword: 'x', newPassword: `correct horse${NUL}` }),
    field: 'body.newPassword',
  },
  {
    name: 'kb article create',
    send: () => request(agent, 'POST', '/api/kb/articles', { title: `T${NUL}`, body: 'b', status: 'published' }),
    field: 'body.title',
  },
  { name: 'kb category create', send: () => request(agent, 'POST', '/api/kb/categories', { name: `C${NUL}` }), field: 'body.name' },
  {
    name: 'team member create',
    send: () => request(admin, 'POST', '/api/users', { name: `N${NUL}`, email: `m${++n}@example.test`, role: 'agent' }),
    field: 'body.name',
  },
];

describe('a NUL character in request input', () => {
  it('answers 400 naming the field on every endpoint, and writes nothing', async () => {
    const before = await rowCounts();
    const answers: Record<string, unknown> = {};
    for (const c of cases()) {
      const response = await c.send();
      answers[c.name] = { status: response.status, body: await response.json().catch(() => null) };
    }
    for (const c of cases()) {
      const kind = c.field.includes('.') ? 'contains a NUL character' : 'a field name contains a NUL character';
      expect(answers[c.name], c.name).toEqual({
        status: 400,
        body: { error: { code: 'validation_failed', field: c.field, message: expect.stringContaining(kind) } },
      });
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a live-stream upgrade whose query holds one', async () => {
    const ws = base.replace(/^http/, 'ws');
    // Signed in by the header, so only the query's NUL stands between this request and a socket.
    expect(await refusal(`${ws}/api/realtime?token=a%00b`, { authorization: `Bearer ${customer.token}` })).toBe(400);
    expect(await refusal(`${ws}/api/widget/socket?token=a%00b`, { origin: base })).toBe(400);
  });

  it('leaves text without one alone, other control characters included', async () => {
    const response = await request(customer, 'POST', `/api/conversations/${conversationId}/messages`, { body: 'tab\there, and ␀ the symbol' });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { message: { body: string } }).message.body).toBe('tab\there, and ␀ the symbol');
  });
});

describe('a form over the multipart limits', () => {
  const fields = (count: number): [string, string][] => Array.from({ length: count }, (_, i) => [`extra${i}`, 'x']);
  const uploads = [
    { name: 'the signed-in upload route', send: (data: FormData) => request(customer, 'POST', '/api/conversations', data) },
    { name: 'the anonymous widget', send: (data: FormData) => request(null, 'POST', '/api/widget/messages', data, visitor()) },
  ];

  for (const upload of uploads) {
    it(`answers 413 on ${upload.name}: more than 20 text fields before a file, or more files than allowed, writing nothing`, async () => {
      const before = await rowCounts();
      const shapes = [
        { what: '21 fields, then a file', data: () => form(fields(21), [{ name: 'a.txt', bytes: 100 }]) },
        { what: '25 fields, then a large file', data: () => form(fields(25), [{ name: 'a.txt', bytes: 200 * 1024 }]) },
        { what: '21 fields, no file', data: () => form(fields(21)) },
        {
          what: 'one file too many, each streaming',
          data: () =>
            form(
              [['body', 'b']],
              Array.from({ length: LIMITS.maxFiles + 1 }, (_, i) => ({ name: `f${i}.txt`, bytes: 200 * 1024 })),
            ),
        },
      ];
      // The parser cuts a file short on a limit; repeating the request shows the answer does not depend on timing.
      for (let round = 0; round < 5; round++) {
        for (const shape of shapes) {
          const response = await upload.send(shape.data());
          const body = (await response.json()) as { error: { code: string; message: string } };
          expect({ status: response.status, code: body.error?.code }, `${shape.what}: ${JSON.stringify(body)}`).toEqual({ status: 413, code: 'too_large' });
          expect(body.error.message).toMatch(/too many (form fields|files)/);
        }
      }
      expect(await rowCounts()).toEqual(before);
    });
  }
});
