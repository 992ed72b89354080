import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsContext, accountsContext, createApiToken, createUser } from '../src/accounts/index.js';
import { authentication, CSRF_HEADER, requireUser, SESSION_COOKIE } from '../src/http/auth.js';
import { SlidingWindowLimiter } from '../src/http/rate-limiter.js';
import { authRoutes } from '../src/http/routes/auth.js';
import { buildServer, type ZodApp } from '../src/http/server.js';
import type { Store } from '../src/store/database.js';
import { makeTestStore } from './support/store.js';

let store: Store;
let accounts: AccountsContext;
let app: ZodApp;

beforeAll(async () => {
  store = await makeTestStore();
  accounts = accountsContext(store);
  app = buildServer({ store });
  await app.register(authentication, { accounts, secureCookies: false });
  await app.register(authRoutes, {
    accounts,
    secureCookies: false,
    limits: { perAccount: new SlidingWindowLimiter(3, 60_000), perAddress: new SlidingWindowLimiter(100, 60_000) },
  });
  // A write that only needs a signed-in user, to exercise the CSRF check.
  app.post('/api/test/write', async (request) => ({ userId: requireUser(request).id }));
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
});

let n = 0;
async function agent(password = 'correct horse 1') {
  const email = `agent${++n}@example.test`;
  const user = await createUser(accounts, { name: `Agent ${n}`, email, role: 'agent', password });
  return { user, email, password };
}

async function login(email: string, password: string) {
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
  return { response, cookie, csrf: response.json().csrfToken as string };
}

describe('sessions', () => {
  it('login sets an httpOnly SameSite=Lax session cookie and returns the user and a CSRF token', async () => {
    const { email, password, user } = await agent();
    const { response, cookie, csrf } = await login(email, password);
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toEqual({
      id: user.id,
      name: user.name,
      email,
      role: 'agent',
      signature: null,
      availability: 'offline',
      availabilityChoice: 'auto',
    });
    expect(csrf).toEqual(expect.any(String));
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: cookie!.value } });
    expect(me.json()).toEqual({ user: response.json().user, csrfToken: csrf });
  });

  it('a wrong password or unknown address is 401 with one message for both', async () => {
    const { email } = await agent();
    const wrong = await login(email, 'nope nope nope');
    const unknown = await login('nobody@example.test', 'whatever1');
    expect(wrong.response.statusCode).toBe(401);
    expect(unknown.response.json()).toEqual(wrong.response.json());
  });

  it('a cookie-authenticated write needs the CSRF header; a bearer token does not', async () => {
    const { email, password, user } = await agent();
    const { cookie, csrf } = await login(email, password);
    const cookies = { [SESSION_COOKIE]: cookie!.value };
    const without = await app.inject({ method: 'POST', url: '/api/test/write', cookies });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.message).toContain(CSRF_HEADER);
    const wrong = await app.inject({ method: 'POST', url: '/api/test/write', cookies, headers: { [CSRF_HEADER]: 'x'.repeat(csrf.length) } });
    expect(wrong.statusCode).toBe(403);
    const right = await app.inject({ method: 'POST', url: '/api/test/write', cookies, headers: { [CSRF_HEADER]: csrf } });
    expect(right.json()).toEqual({ userId: user.id });
    const { token } = await createApiToken(accounts, user.id, 'ci');
    const bearer = await app.inject({ method: 'POST', url: '/api/test/write', headers: { authorization: `Bearer ${token}` } });
    expect(bearer.json()).toEqual({ userId: user.id });
  });

  it('a bad bearer token is 401, not anonymous', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer ot_nope' } });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
  });

  it('logout ends the session', async () => {
    const { email, password } = await agent();
    const { cookie, csrf } = await login(email, password);
    const cookies = { [SESSION_COOKIE]: cookie!.value };
    expect((await app.inject({ method: 'POST', url: '/api/auth/logout', cookies, headers: { [CSRF_HEADER]: csrf } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', cookies })).statusCode).toBe(401);
  });

  it('a password change ends every other session and starts a new one here', async () => {
    const { email, password } = await agent();
    const laptop = await login(email, password);
    const phone = await login(email, password);
    const changed = await app.inject({
      method: 'POST',
      url: '/api/auth/password',
      cookies: { [SESSION_COOKIE]: laptop.cookie!.value },
      headers: { [CSRF_HEADER]: laptop.csrf },
      payload: { currentPassword: password, newPassword: 'a much better one' },
    });
    expect(changed.statusCode).toBe(200);
    const fresh = changed.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: phone.cookie!.value } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: laptop.cookie!.value } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', cookies: { [SESSION_COOKIE]: fresh.value } })).statusCode).toBe(200);
    expect((await login(email, 'a much better one')).response.statusCode).toBe(200);
  });

  it('register signs nobody in and answers an existing address exactly as a new one', async () => {
    const payload = { name: 'Casey', email: `casey${++n}@example.test`, password: 'long enough' };
    const first = await app.inject({ method: 'POST', url: '/api/auth/register', payload });
    expect(first.statusCode).toBe(202);
    expect(first.cookies).toEqual([]);
    const again = await app.inject({ method: 'POST', url: '/api/auth/register', payload });
    expect([again.statusCode, again.body, again.cookies]).toEqual([first.statusCode, first.body, first.cookies]);
  });

  it('refuses unknown fields and short passwords, naming the field', async () => {
    const extra = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { name: 'A', email: 'a@example.test', password: 'long enough', role: 'admin' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.field).toContain('role');
    const short = await app.inject({ method: 'POST', url: '/api/auth/register', payload: { name: 'A', email: 'a@example.test', password: 'short' } });
    expect(short.json().error.field).toContain('password');
  });
});

describe('login rate limit', () => {
  it('refuses an account after repeated failures with 429, even with the right password', async () => {
    const { email, password } = await agent();
    for (let i = 0; i < 3; i++) expect((await login(email, 'wrong password')).response.statusCode).toBe(401);
    const blocked = await login(email, password);
    expect(blocked.response.statusCode).toBe(429);
    expect(blocked.response.json().error.code).toBe('rate_limited');
  });
});
