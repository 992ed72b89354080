import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsContext, accountsContext, ensureFirstAdmin, requestPasswordReset } from '../src/accounts/index.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../src/http/auth.js';
import type { ZodApp } from '../src/http/server.js';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import type { Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, PASSWORD, type Person, startTestApp, type TestApp } from './support/app.js';
import { makeTestStore } from './support/store.js';

// Item 14 of issue 14 over real HTTP on a real database: everyone's own profile (name,
// signature, password), admins renaming the team, the team's reset links, and the first
// admin's name.

const PUBLIC_URL = 'https://help.example.test';

let server: TestApp;
let store: Store;
let accounts: AccountsContext;
let inbox: InboxContext;
let app: ZodApp;

beforeAll(async () => {
  server = await startTestApp({ config: { publicUrl: PUBLIC_URL } });
  ({ store, accounts, inbox, app } = server);
});
afterAll(async () => {
  await server?.close();
});

const person = (role: Role, name?: string) => newPerson(server, role, name);

type Browser = { cookie: string; csrf: string };

async function signIn(email: string, password = PASSWORD): Promise<Browser> {
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  expect(response.statusCode).toBe(200);
  return { cookie: response.cookies.find((c) => c.name === SESSION_COOKIE)!.value, csrf: response.json().csrfToken };
}

function call(who: Person | Browser | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  const headers: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  if (who && 'token' in who) headers.authorization = `Bearer ${who.token}`;
  else if (who) {
    cookies[SESSION_COOKIE] = who.cookie;
    headers[CSRF_HEADER] = who.csrf;
  }
  return app.inject({ method, url, payload: payload as never, headers, cookies });
}

describe('your own profile: PATCH /api/auth/me', () => {
  it('a team member sets their name and signature, cleaned; /me shows the signature to them alone', async () => {
    const agent = await person('agent', 'Agent Placeholder');
    expect((await call(agent, 'GET', '/api/auth/me')).json().user).toMatchObject({ id: agent.id, name: 'Agent Placeholder', signature: null });

    // A right-to-left override and a zero-width space would make the name read as someone else's.
    const named = await call(agent, 'PATCH', '/api/auth/me', { name: '  Noor \u202E Haddad\u200B \n' });
    expect(named.statusCode).toBe(200);
    expect(named.json().user).toMatchObject({ name: 'Noor Haddad', signature: null });

    const signed = await call(agent, 'PATCH', '/api/auth/me', { signature: '\r\nNoor Haddad   \r\nSupport\u200B team\r\n\r\n\r\n\r\nExample Inc.\t\r\n\r\n' });
    expect(signed.statusCode).toBe(200);
    expect(signed.json().user.signature).toBe('Noor Haddad\nSupport team\n\nExample Inc.');
    expect((await call(agent, 'GET', '/api/auth/me')).json().user).toMatchObject({
      name: 'Noor Haddad',
      signature: 'Noor Haddad\nSupport team\n\nExample Inc.',
    });
    const row = await store.db.selectFrom('users').select(['name', 'signature']).where('id', '=', agent.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Noor Haddad', signature: 'Noor Haddad\nSupport team\n\nExample Inc.' });

    // Nobody else is shown it: not the team list, not an admin.
    const admin = await person('admin');
    const listed = (await call(admin, 'GET', '/api/users')).json().items.find((u: { id: number }) => u.id === agent.id);
    expect(listed).toMatchObject({ name: 'Noor Haddad' });
    expect(listed).not.toHaveProperty('signature');

    // Blank removes it.
    expect((await call(agent, 'PATCH', '/api/auth/me', { signature: '  \n ' })).json().user.signature).toBeNull();
    expect((await call(agent, 'PATCH', '/api/auth/me', { signature: 'Noor' })).json().user.signature).toBe('Noor');
    expect((await call(agent, 'PATCH', '/api/auth/me', { signature: null })).json().user.signature).toBeNull();
  });

  it('customers see the new name on the agent’s replies, never the signature field', async () => {
    const agent = await person('agent', 'Admin');
    const customer = await person('customer', 'Cleo Customer');
    const { conversation } = await createConversation(inbox, {
      from: { customerEmail: customer.email },
      channel: 'ticket',
      subject: 'Hello',
      body: 'Hi there',
    });
    await call(agent, 'PATCH', '/api/auth/me', { name: 'Maya Okafor', signature: 'Maya from support' });
    await addMessage(inbox, { conversation: conversation.id, from: { userId: agent.id }, body: 'How can I help?' });
    const seen = (await call(customer, 'GET', `/api/conversations/${conversation.id}/messages`)).json().items;
    expect(seen.map((m: { sender: { name: string } }) => m.sender.name)).toEqual(['Cleo Customer', 'Maya Okafor']);
    expect(JSON.stringify(seen)).not.toContain('Maya from support');
    const me = (await call(customer, 'GET', '/api/auth/me')).json().user;
    expect(me).not.toHaveProperty('signature');
  });

  it('a customer may rename themselves but has no signature', async () => {
    const customer = await person('customer');
    expect((await call(customer, 'PATCH', '/api/auth/me', { name: 'Cleo Q. Customer' })).json().user).toMatchObject({
      name: 'Cleo Q. Customer',
      emailVerified: true,
    });
    const refused = await call(customer, 'PATCH', '/api/auth/me', { signature: 'Buy now at spam.example' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'forbidden', field: 'signature' });
    const row = await store.db.selectFrom('users').select('signature').where('id', '=', customer.id).executeTakeFirstOrThrow();
    expect(row.signature).toBeNull();
  });

  it.each([
    ['an empty name', { name: '' }, 'name'],
    ['a name of invisible characters only', { name: '\u200B\u202E ' }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a signature over 2,000 characters', { signature: 's'.repeat(2001) }, 'signature'],
    ['a new address (it would need a confirmation mailed to it)', { email: 'new@example.test' }, undefined],
    ['nothing to change', {}, undefined],
  ])('refuses %s with 400 and changes nothing', async (_what, body, field) => {
    const agent = await person('agent', 'Steady Name');
    const before = await store.db.selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
    const response = await call(agent, 'PATCH', '/api/auth/me', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    if (field) expect(response.json().error.field).toContain(field);
    expect(await store.db.selectFrom('users').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('is documented in the OpenAPI document, unknown fields refused', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/auth/me'].patch.requestBody.content['application/json'].schema).toMatchObject({
      additionalProperties: false,
      properties: { name: expect.objectContaining({ maxLength: 200 }), signature: expect.anything() },
    });
  });

  it('needs a signed-in user, and the CSRF token from a browser', async () => {
    expect((await call(null, 'PATCH', '/api/auth/me', { name: 'Nobody' })).statusCode).toBe(401);
    const agent = await person('agent', 'Csrf Agent');
    const browser = await signIn(agent.email);
    const forged = await call({ ...browser, csrf: 'not the token' }, 'PATCH', '/api/auth/me', { name: 'Forged' });
    expect(forged.statusCode).toBe(403);
    expect((await call(browser, 'PATCH', '/api/auth/me', { name: 'Real Change' })).json().user.name).toBe('Real Change');
  });
});

describe('changing your password: POST /api/auth/password', () => {
  it('ends every other session and API token, and keeps this browser signed in with a new session', async () => {
    const agent = await person('agent');
    const here = await signIn(agent.email);
    const phone = await signIn(agent.email);

    const wrong = await call(here, 'POST', '/api/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new password' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error).toMatchObject({ code: 'forbidden', field: 'currentPassword' });
    expect((await call(phone, 'GET', '/api/auth/me')).statusCode).toBe(200);

    const changed = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new password' },
      cookies: { [SESSION_COOKIE]: here.cookie },
      headers: { [CSRF_HEADER]: here.csrf },
    });
    expect(changed.statusCode).toBe(200);
    const renewed = { cookie: changed.cookies.find((c) => c.name === SESSION_COOKIE)!.value, csrf: changed.json().csrfToken as string };
    expect(renewed.cookie).not.toBe(here.cookie);

    expect((await call(renewed, 'GET', '/api/auth/me')).json().user.id).toBe(agent.id);
    expect((await call(renewed, 'PATCH', '/api/auth/me', { name: 'Still Here' })).statusCode).toBe(200);
    for (const gone of [here, phone, agent]) expect((await call(gone, 'GET', '/api/auth/me')).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: PASSWORD } })).statusCode).toBe(401);
    await signIn(agent.email, 'a brand new password');
  });
});

describe('admins rename the team: PATCH /api/users/:id', () => {
  it('cleans the name as the profile does; an agent may not rename anyone', async () => {
    const admin = await person('admin');
    const agent = await person('agent', 'Old Name');
    const renamed = await call(admin, 'PATCH', `/api/users/${agent.id}`, { name: ' Priya\u200B  Raman\u202E ' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().user).toMatchObject({ id: agent.id, name: 'Priya Raman' });
    const other = await person('agent');
    expect((await call(other, 'PATCH', `/api/users/${agent.id}`, { name: 'Hijacked' })).statusCode).toBe(403);
    expect((await call(agent, 'GET', '/api/auth/me')).json().user.name).toBe('Priya Raman');
  });
});

describe('forgot password, for the team too', () => {
  type LinkJob = { email: string; purpose: string; url: string };
  const linkFor = async (email: string) => {
    const rows = await store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').orderBy('id').execute();
    return rows
      .map((row) => JSON.parse(row.payload) as LinkJob)
      .filter((job) => job.email === email)
      .at(-1);
  };

  it('mails a team member a link to the inbox app’s reset page, and a customer one to the portal’s', async () => {
    const agent = await person('agent');
    const customer = await person('customer');
    for (const who of [agent, customer]) {
      const answer = await app.inject({ method: 'POST', url: '/api/auth/password-reset', payload: { email: who.email } });
      expect(answer.statusCode).toBe(202);
    }
    expect((await linkFor(agent.email))!.url).toMatch(/^https:\/\/help\.example\.test\/reset-password\?token=[\w-]{43}$/);
    expect((await linkFor(customer.email))!.url).toMatch(/^https:\/\/help\.example\.test\/portal\/reset\?token=[\w-]{43}$/);

    // The team's link works like any other: it sets the password and signs that browser in.
    await requestPasswordReset(accounts, agent.email);
    const token = new URL((await linkFor(agent.email))!.url).searchParams.get('token')!;
    const done = await app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: 'chosen after a reset' } });
    expect(done.statusCode).toBe(200);
    expect(done.json().user).toMatchObject({ id: agent.id, role: 'agent' });
    await signIn(agent.email, 'chosen after a reset');
  });
});

describe('the first admin', () => {
  it('is named from ONETHREAD_ADMIN_NAME, else "Admin" with a message saying where to set a real name', async () => {
    for (const [name, expected] of [
      [' Ana  Admin ', 'Ana Admin'],
      [null, 'Admin'],
    ] as const) {
      const own = await makeTestStore();
      try {
        const logs: string[] = [];
        const result = await ensureFirstAdmin(accountsContext(own), { name, url: PUBLIC_URL, log: (m) => logs.push(m) });
        expect(result).toMatchObject({ created: true, user: { name: expected, role: 'admin' } });
        expect(logs).toHaveLength(1);
        expect(logs[0]).toContain(`Sign in at ${PUBLIC_URL}, then open your`);
        expect(logs[0]).toContain('profile (your name at the bottom of the sidebar) to change the password');
        if (name) expect(logs[0]).not.toContain('customers see it on your replies');
        else expect(logs[0]).toContain('to set your name: customers see it on your replies (it is "Admin" now).');
      } finally {
        await own.close();
      }
    }
  });
});
