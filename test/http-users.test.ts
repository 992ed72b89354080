import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/accounts/index.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../src/http/auth.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, PASSWORD, type Person, startTestApp, type TestApp } from './support/app.js';

type Api = TestApp;

/** A server with the whole API on its own database: the last-admin rule depends on who else is an admin. */
function useApi(): Api {
  const api = {} as Api;
  beforeAll(async () => {
    Object.assign(api, await startTestApp());
  });
  afterAll(async () => {
    await api.close?.();
  });
  return api;
}

let n = 0;
const person = (api: Api, role: Role, name?: string) => newPerson(api, role, name);

function call(api: Api, who: Person | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  return api.app.inject({ method, url, payload: payload as never, headers: who ? { authorization: `Bearer ${who.token}` } : {} });
}

describe('team administration over HTTP', () => {
  const api = useApi();

  it('an admin adds an agent, who can sign in at once; the list shows them to the team', async () => {
    const admin = await person(api, 'admin');
    const created = await call(api, admin, 'POST', '/api/users', {
      name: '  Noor  Haddad ',
      email: 'Noor@Example.test',
      password: 'a good password',
      role: 'agent',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json().user;
    expect(user).toEqual({ id: expect.any(Number), name: 'Noor Haddad', email: 'noor@example.test', role: 'agent', active: true, deactivatedAt: null });

    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'noor@example.test', password: 'a good password' } });
    expect(login.statusCode).toBe(200);

    const agent = await person(api, 'agent');
    const seenByAgent = (await call(api, agent, 'GET', '/api/users')).json().items;
    // Whether an account is switched off is the admins' business.
    // Availability (issue 16): nobody has the inbox open.
    const offline = { availability: 'offline', availabilityChoice: 'auto' };
    expect(seenByAgent).toContainEqual({ id: user.id, name: 'Noor Haddad', email: 'noor@example.test', role: 'agent', ...offline });
    const seenByAdmin = (await call(api, admin, 'GET', '/api/users?role=agent')).json().items;
    expect(seenByAdmin).toContainEqual({ ...user, ...offline });
  });

  it('an admin renames a team member and makes them an admin', async () => {
    const admin = await person(api, 'admin');
    const agent = await person(api, 'agent');
    const changed = await call(api, admin, 'PATCH', `/api/users/${agent.id}`, { name: 'Ines Duarte', role: 'admin' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user).toMatchObject({ id: agent.id, name: 'Ines Duarte', role: 'admin', active: true });
    // The new admin's existing token now carries admin rights.
    expect((await call(api, agent, 'GET', '/api/users?includeInactive=true')).statusCode).toBe(200);
    const admins = (await call(api, admin, 'GET', '/api/users?role=admin')).json().items;
    expect(admins.map((u: { id: number }) => u.id)).toContain(agent.id);
  });

  it.each([
    [{ name: 'A', email: 'a1@example.test', password: 'long enough', role: 'agent', extra: 1 }, 'body.extra'],
    [{ name: 'A', email: 'a2@example.test', password: 'short', role: 'agent' }, 'body.password'],
    [{ name: 'A', email: 'a3@example.test', password: 'long enough', role: 'customer' }, 'body.role'],
    [{ name: 'A', email: 'a4@example.test', role: 'agent' }, 'body.password'],
    [{ name: 'A', email: 'not an address', password: 'long enough', role: 'agent' }, 'email'],
    [{ name: '   ', email: 'a5@example.test', password: 'long enough', role: 'agent' }, 'name'],
  ])('POST %j is refused with 400 naming %s', async (payload, field) => {
    const admin = await person(api, 'admin');
    const response = await call(api, admin, 'POST', '/api/users', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it.each([
    [{}, 'body'],
    [{ role: 'customer' }, 'body.role'],
    [{ active: 'no' }, 'body.active'],
    [{ email: 'new@example.test' }, 'body.email'],
  ])('PATCH %j is refused with 400 naming %s', async (payload, field) => {
    const admin = await person(api, 'admin');
    const agent = await person(api, 'agent');
    const response = await call(api, admin, 'PATCH', `/api/users/${agent.id}`, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field });
  });

  it('PATCH of an unknown user or of a customer is 404', async () => {
    const admin = await person(api, 'admin');
    const customer = await person(api, 'customer');
    for (const id of [987_654, customer.id]) {
      const response = await call(api, admin, 'PATCH', `/api/users/${id}`, { active: false });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
    expect((await call(api, admin, 'PATCH', '/api/users/abc', { active: false })).statusCode).toBe(400);
  });

  it('needs someone signed in: 401', async () => {
    const agent = await person(api, 'agent');
    for (const [method, url, payload] of [
      ['GET', '/api/users', undefined],
      ['POST', '/api/users', { name: 'A', email: 'anon@example.test', password: 'long enough', role: 'agent' }],
      ['PATCH', `/api/users/${agent.id}`, { active: false }],
    ] as const) {
      const response = await call(api, null, method, url, payload);
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
    }
  });

  it('agents and customers cannot manage the team: 403', async () => {
    const agent = await person(api, 'agent');
    const customer = await person(api, 'customer');
    const other = await person(api, 'agent');
    for (const who of [agent, customer]) {
      const create = await call(api, who, 'POST', '/api/users', { name: 'Sneaky', email: `sneaky${++n}@example.test`, password: 'long enough', role: 'admin' });
      expect(create.statusCode).toBe(403);
      expect((await call(api, who, 'PATCH', `/api/users/${other.id}`, { role: 'admin' })).statusCode).toBe(403);
      expect((await call(api, who, 'PATCH', `/api/users/${who.id}`, { role: 'admin' })).statusCode).toBe(403);
    }
    expect((await call(api, agent, 'GET', '/api/users?includeInactive=true')).statusCode).toBe(403);
    expect((await call(api, customer, 'GET', '/api/users')).statusCode).toBe(403);
    const admin = await person(api, 'admin');
    expect((await call(api, admin, 'GET', `/api/users`)).json().items.map((u: { id: number }) => u.id)).not.toContain(customer.id);
  });

  it('an address that already has an account is a conflict, whatever its case', async () => {
    const admin = await person(api, 'admin');
    const existing = await person(api, 'customer');
    const response = await call(api, admin, 'POST', '/api/users', {
      name: 'Twin',
      email: existing.email.toUpperCase(),
      password: 'long enough',
      role: 'agent',
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'conflict', message: `an account for ${existing.email} already exists` });
  });

  it('a deactivated member can no longer sign in nor use their token, and is listed only on request', async () => {
    const admin = await person(api, 'admin');
    const agent = await person(api, 'agent');
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: PASSWORD } });
    const cookies = { [SESSION_COOKIE]: login.cookies.find((c) => c.name === SESSION_COOKIE)!.value };
    expect((await api.app.inject({ method: 'GET', url: '/api/auth/me', cookies })).statusCode).toBe(200);

    const off = await call(api, admin, 'PATCH', `/api/users/${agent.id}`, { active: false });
    expect(off.statusCode).toBe(200);
    expect(off.json().user).toMatchObject({ id: agent.id, active: false, deactivatedAt: expect.any(Number) });

    expect((await api.app.inject({ method: 'GET', url: '/api/auth/me', cookies })).statusCode).toBe(401);
    const again = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: agent.email, password: PASSWORD } });
    expect(again.statusCode).toBe(401);
    const withToken = await call(api, agent, 'GET', '/api/users');
    expect(withToken.statusCode).toBe(401);
    expect(withToken.json().error.code).toBe('unauthorized');

    const ids = async (url: string) => (await call(api, admin, 'GET', url)).json().items.map((u: { id: number }) => u.id);
    expect(await ids('/api/users')).not.toContain(agent.id);
    expect(await ids('/api/users?includeInactive=true')).toContain(agent.id);

    // Switching them back on restores the same account, token included.
    expect((await call(api, admin, 'PATCH', `/api/users/${agent.id}`, { active: true })).json().user).toMatchObject({ active: true, deactivatedAt: null });
    expect((await call(api, agent, 'GET', '/api/users')).statusCode).toBe(200);
  });

  it('creating and changing members is documented in the OpenAPI document', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/users'].post.requestBody.content['application/json'].schema).toMatchObject({ additionalProperties: false });
    expect(doc.paths['/api/users/{id}'].patch.requestBody.content['application/json'].schema).toMatchObject({ additionalProperties: false });
  });
});

describe('the last active admin', () => {
  const api = useApi();

  it('cannot demote or deactivate themself; with a second admin they can', async () => {
    const first = await person(api, 'admin', 'Ada Admin');
    for (const change of [{ role: 'agent' }, { active: false }, { role: 'agent', active: false }]) {
      const refused = await call(api, first, 'PATCH', `/api/users/${first.id}`, change);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({ code: 'conflict', message: 'Ada Admin is the last active admin; make another team member an admin first' });
    }
    // A deactivated admin does not count.
    const dormant = await person(api, 'admin');
    expect((await call(api, first, 'PATCH', `/api/users/${dormant.id}`, { active: false })).statusCode).toBe(200);
    expect((await call(api, first, 'PATCH', `/api/users/${first.id}`, { role: 'agent' })).statusCode).toBe(409);

    const second = (await call(api, first, 'POST', '/api/users', { name: 'Bo Admin', email: 'bo@example.test', password: 'long enough', role: 'admin' })).json()
      .user;
    const demoted = await call(api, first, 'PATCH', `/api/users/${first.id}`, { role: 'agent' });
    expect(demoted.statusCode).toBe(200);
    // Now an agent: the same token no longer manages the team.
    expect((await call(api, first, 'PATCH', `/api/users/${first.id}`, { role: 'admin' })).statusCode).toBe(403);

    const bo = { ...second, token: (await createApiToken(api.accounts, second.id, 'test')).token } as Person;
    expect((await call(api, bo, 'PATCH', `/api/users/${bo.id}`, { active: false })).statusCode).toBe(409);
    expect((await call(api, bo, 'GET', '/api/users?role=admin')).json().items.map((u: { id: number }) => u.id)).toEqual([bo.id]);
  });

  it('of two admins demoting each other at once, exactly one succeeds', async () => {
    // Make these two the only active admins.
    const a = await person(api, 'admin');
    const b = await person(api, 'admin');
    for (const other of (await call(api, a, 'GET', '/api/users?role=admin')).json().items as { id: number }[]) {
      if (other.id !== a.id && other.id !== b.id) expect((await call(api, a, 'PATCH', `/api/users/${other.id}`, { active: false })).statusCode).toBe(200);
    }
    const results = await Promise.all([
      call(api, a, 'PATCH', `/api/users/${b.id}`, { role: 'agent' }),
      call(api, b, 'PATCH', `/api/users/${a.id}`, { role: 'agent' }),
    ]);
    // The loser is refused by the last-admin rule (409) or, if the winner committed before
    // its request was authenticated, as the agent it has just become (403).
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((code) => code === 200)).toHaveLength(1);
    expect([403, 409]).toContain(codes.find((code) => code !== 200));
    const admins = (await call(api, codes[0] === 200 ? a : b, 'GET', '/api/users?role=admin')).json().items;
    expect(admins).toHaveLength(1);
  });

  it('a session signed in with a cookie needs the CSRF header to change the team', async () => {
    const admin = await person(api, 'admin');
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: admin.email, password: PASSWORD } });
    const cookies = { [SESSION_COOKIE]: login.cookies.find((c) => c.name === SESSION_COOKIE)!.value };
    const payload = { name: 'Cam', email: `cam${++n}@example.test`, password: 'long enough', role: 'agent' };
    expect((await api.app.inject({ method: 'POST', url: '/api/users', cookies, payload })).statusCode).toBe(403);
    const created = await api.app.inject({ method: 'POST', url: '/api/users', cookies, payload, headers: { [CSRF_HEADER]: login.json().csrfToken } });
    expect(created.statusCode).toBe(201);
  });
});
