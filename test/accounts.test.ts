import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccountsContext,
  authenticate,
  changePassword,
  claimCustomerAccount,
  createApiToken,
  createSession,
  createUser,
  csrfTokenMatches,
  endAllSessions,
  endSession,
  ensureFirstAdmin,
  findSession,
  findUserByApiToken,
  getUser,
  registerCustomer,
  resetPassword,
  revokeApiToken,
  setUserActive,
} from '../src/accounts/index.js';
import { sha256Hex } from '../src/accounts/secrets.js';
import { resolveActor } from '../src/inbox/actors.js';
import type { Role } from '../src/store/schema.js';
import { makeTestStore } from './support/store.js';

const HOUR = 3_600_000;
const clock = { now: Date.UTC(2026, 0, 1) };
const ctx = {} as AccountsContext;

beforeAll(async () => {
  Object.assign(ctx, { store: await makeTestStore(), clock: () => clock.now });
});
afterAll(async () => {
  await ctx.store?.close();
});

let sequence = 0;
const address = (role = 'user') => `${role}-${++sequence}@example.test`;
const PASSWORD = 'correct horse battery';

const makeUser = (role: Role = 'agent', password: string | null = PASSWORD) => createUser(ctx, { name: `Some ${role}`, email: address(role), role, password });

describe('createUser', () => {
  it('creates a user with a normalised address and a hashed password', async () => {
    const user = await createUser(ctx, { name: '  Ana   Agent ', email: ' Ana.Agent@Example.TEST ', role: 'agent', password: PASSWORD });
    expect(user).toMatchObject({ name: 'Ana Agent', email: 'ana.agent@example.test', role: 'agent', hasPassword: true, deactivatedAt: null });
    const row = await ctx.store.db.selectFrom('users').select('passwordHash').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('creates a user switched off from the start when asked (an importer’s agent): no sign-in', async () => {
    const email = address();
    const user = await createUser(ctx, { name: 'Imported Agent', email, role: 'agent', password: PASSWORD, active: false });
    expect(user.deactivatedAt).toBe(clock.now);
    expect(await authenticate(ctx, email, PASSWORD)).toBeNull();
  });

  it.each([
    [{ name: ' ' }, 'name'],
    [{ email: 'not-an-address' }, 'email'],
    [{ password: 'seven77' }, 'password'],
    [{ role: 'owner' as Role }, 'role'],
  ])('refuses %o, naming the field', async (override, field) => {
    const input = { name: 'Valid Name', email: address(), role: 'agent' as Role, password: PASSWORD, ...override };
    await expect(createUser(ctx, input)).rejects.toMatchObject({ code: 'validation_failed', field });
  });

  it('an existing address is a conflict, whatever its case', async () => {
    const user = await makeUser('agent');
    await expect(createUser(ctx, { name: 'Again', email: user.email.toUpperCase(), role: 'customer' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('of two racing creations of one address, exactly one wins', async () => {
    const email = address();
    const results = await Promise.allSettled([1, 2].map((n) => createUser(ctx, { name: `Racer ${n}`, email, role: 'agent', password: PASSWORD })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
  });
});

describe('registerCustomer', () => {
  const linkJobs = async (email: string) =>
    (await ctx.store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').orderBy('id').execute())
      .map((row) => JSON.parse(row.payload) as { email: string; purpose: string; reason?: string })
      .filter((job) => job.email === email);

  it('creates an unconfirmed customer, who cannot sign in until the address is confirmed', async () => {
    const email = address('new');
    await registerCustomer(ctx, { name: 'New Customer', email, password: PASSWORD });
    const row = await ctx.store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'customer', emailVerifiedAt: null });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(await authenticate(ctx, email, PASSWORD)).toBeNull();
    expect(await linkJobs(email)).toEqual([expect.objectContaining({ purpose: 'verify' })]);
  });

  it('does not hand over the password-less account of a customer who wrote in: its owner is mailed a reset link', async () => {
    const email = address('mailer');
    await resolveActor(ctx.store.db, { customerEmail: email }, clock.now);
    const before = await ctx.store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    await registerCustomer(ctx, { name: 'Someone Else', email, password: PASSWORD });
    expect(await authenticate(ctx, email, PASSWORD)).toBeNull();
    expect(await ctx.store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow()).toEqual(before);
    expect(await linkJobs(email)).toEqual([expect.objectContaining({ purpose: 'reset', reason: 'signup_attempt' })]);
  });

  it('changes no account that exists, whatever its role', async () => {
    for (const existing of [await makeUser('agent', null), await makeUser('admin', null), await makeUser('customer')]) {
      await registerCustomer(ctx, { name: 'Intruder', email: existing.email, password: 'the intruder password' });
      expect(await authenticate(ctx, existing.email, 'the intruder password')).toBeNull();
      expect(await getUser(ctx, existing.id)).toEqual(existing);
    }
  });
});

describe('claimCustomerAccount', () => {
  it('gives the password-less account of a customer who wrote in a name and password, keeping its id', async () => {
    const email = address('claimer');
    const known = await resolveActor(ctx.store.db, { customerEmail: email }, clock.now);
    const user = await claimCustomerAccount(ctx, { name: 'Mia Mailer', email, password: PASSWORD });
    expect(user).toMatchObject({ id: known.id, name: 'Mia Mailer', role: 'customer', hasPassword: true });
    await expect(claimCustomerAccount(ctx, { name: 'Someone Else', email, password: 'another password' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await authenticate(ctx, email, 'another password')).toBeNull();
  });

  it('never claims an agent, an admin or a customer who has a password', async () => {
    for (const existing of [await makeUser('agent', null), await makeUser('admin', null), await makeUser('customer')]) {
      await expect(claimCustomerAccount(ctx, { name: 'Intruder', email: existing.email, password: PASSWORD })).rejects.toMatchObject({ code: 'conflict' });
    }
  });
});

describe('authenticate', () => {
  it('returns the user for the right password only', async () => {
    const user = await makeUser('agent');
    expect(await authenticate(ctx, user.email.toUpperCase(), PASSWORD)).toEqual(user);
    expect(await authenticate(ctx, user.email, 'wrong password')).toBeNull();
  });

  it('fails for unknown, malformed and password-less addresses', async () => {
    const passwordless = await makeUser('customer', null);
    expect(await authenticate(ctx, 'nobody@example.test', PASSWORD)).toBeNull();
    expect(await authenticate(ctx, 'not an address', PASSWORD)).toBeNull();
    expect(await authenticate(ctx, passwordless.email, '')).toBeNull();
  });

  it('fails for a deactivated user, and works again once reactivated', async () => {
    const user = await makeUser('agent');
    await setUserActive(ctx, user.id, false);
    expect(await authenticate(ctx, user.email, PASSWORD)).toBeNull();
    await setUserActive(ctx, user.id, true);
    expect(await authenticate(ctx, user.email, PASSWORD)).toMatchObject({ id: user.id });
  });
});

describe('sessions', () => {
  it('a new session finds its user; only the token hash is stored', async () => {
    const user = await makeUser('agent');
    const created = await createSession(ctx, user.id, HOUR);
    expect(created.expiresAt).toBe(clock.now + HOUR);
    const found = await findSession(ctx, created.token);
    expect(found?.user).toEqual(user);
    expect(found?.session).toMatchObject({ id: sha256Hex(created.token), userId: user.id, csrfToken: created.csrfToken });
    expect(csrfTokenMatches(found!.session, created.csrfToken)).toBe(true);
    expect(csrfTokenMatches(found!.session, 'forged')).toBe(false);
    const stored = await ctx.store.db.selectFrom('sessions').selectAll().where('userId', '=', user.id).execute();
    expect(JSON.stringify(stored)).not.toContain(created.token);
  });

  it('an unknown token or an expired session finds nothing', async () => {
    const user = await makeUser('agent');
    const { token } = await createSession(ctx, user.id, HOUR);
    expect(await findSession(ctx, 'made-up')).toBeNull();
    clock.now += HOUR;
    expect(await findSession(ctx, token)).toBeNull();
  });

  it('lastSeenAt moves at most once a minute', async () => {
    const user = await makeUser('agent');
    const { token } = await createSession(ctx, user.id, HOUR);
    const start = clock.now;
    clock.now += 30_000;
    expect((await findSession(ctx, token))?.session.lastSeenAt).toBe(start);
    clock.now += 30_000;
    expect((await findSession(ctx, token))?.session.lastSeenAt).toBe(start + 60_000);
    clock.now += 1_000;
    expect((await findSession(ctx, token))?.session.lastSeenAt).toBe(start + 60_000);
  });

  it('endSession signs one browser out, endAllSessions every one', async () => {
    const user = await makeUser('agent');
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => createSession(ctx, user.id, HOUR)));
    await endSession(ctx, a!.token);
    await endSession(ctx, a!.token);
    expect(await findSession(ctx, a!.token)).toBeNull();
    expect(await findSession(ctx, b!.token)).not.toBeNull();
    await endAllSessions(ctx, user.id);
    expect(await findSession(ctx, b!.token)).toBeNull();
    expect(await findSession(ctx, c!.token)).toBeNull();
  });

  it('deactivating a user ends their sessions and refuses new ones', async () => {
    const user = await makeUser('agent');
    const { token } = await createSession(ctx, user.id, HOUR);
    await setUserActive(ctx, user.id, false);
    expect(await findSession(ctx, token)).toBeNull();
    await expect(createSession(ctx, user.id, HOUR)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(createSession(ctx, 987_654, HOUR)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('passwords', () => {
  it('changing the password needs the old one and ends every session and API token', async () => {
    const user = await makeUser('agent');
    const { token } = await createSession(ctx, user.id, HOUR);
    const apiToken = (await createApiToken(ctx, user.id, 'ci')).token;
    await expect(changePassword(ctx, user.id, 'not the password', 'brand new password')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(changePassword(ctx, user.id, PASSWORD, 'short')).rejects.toMatchObject({ code: 'validation_failed', field: 'newPassword' });
    expect(await findSession(ctx, token)).not.toBeNull();
    expect(await findUserByApiToken(ctx, apiToken)).not.toBeNull();
    await changePassword(ctx, user.id, PASSWORD, 'brand new password');
    expect(await findSession(ctx, token)).toBeNull();
    expect(await findUserByApiToken(ctx, apiToken)).toBeNull();
    expect(await authenticate(ctx, user.email, PASSWORD)).toBeNull();
    expect(await authenticate(ctx, user.email, 'brand new password')).toMatchObject({ id: user.id });
  });

  it('an admin reset sets a password without the old one and ends sessions and API tokens', async () => {
    const user = await makeUser('agent', null);
    const { token } = await createSession(ctx, user.id, HOUR);
    const apiToken = (await createApiToken(ctx, user.id, 'ci')).token;
    await resetPassword(ctx, user.id, 'reset password');
    expect(await findSession(ctx, token)).toBeNull();
    expect(await findUserByApiToken(ctx, apiToken)).toBeNull();
    expect(await authenticate(ctx, user.email, 'reset password')).toMatchObject({ id: user.id });
  });
});

describe('API tokens', () => {
  it('a token is shown once, stored hashed, and resolves to its user', async () => {
    const user = await makeUser('agent');
    const created = await createApiToken(ctx, user.id, 'Zapier');
    expect(created.token).toMatch(/^ot_[\w-]{43}$/);
    expect(created).toMatchObject({ userId: user.id, name: 'Zapier', lastUsedAt: null });
    const stored = await ctx.store.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(stored.tokenHash).toBe(sha256Hex(created.token));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(await findUserByApiToken(ctx, created.token)).toEqual(user);
  });

  it('unknown, malformed, revoked and deactivated users’ tokens find nobody', async () => {
    const user = await makeUser('agent');
    const { token, id } = await createApiToken(ctx, user.id, 'ci');
    expect(await findUserByApiToken(ctx, `ot_${'A'.repeat(43)}`)).toBeNull();
    expect(await findUserByApiToken(ctx, 'Bearer nonsense')).toBeNull();
    await setUserActive(ctx, user.id, false);
    expect(await findUserByApiToken(ctx, token)).toBeNull();
    await setUserActive(ctx, user.id, true);
    expect(await findUserByApiToken(ctx, token)).not.toBeNull();
    await revokeApiToken(ctx, user.id, id);
    expect(await findUserByApiToken(ctx, token)).toBeNull();
    await expect(createApiToken(ctx, user.id, '  ')).rejects.toMatchObject({ code: 'validation_failed', field: 'name' });
  });

  it('lastUsedAt moves at most once a minute', async () => {
    const user = await makeUser('agent');
    const { token, id } = await createApiToken(ctx, user.id, 'ci');
    const lastUsed = async () =>
      Number((await ctx.store.db.selectFrom('api_tokens').select('lastUsedAt').where('id', '=', id).executeTakeFirstOrThrow()).lastUsedAt);
    const start = clock.now;
    await findUserByApiToken(ctx, token);
    expect(await lastUsed()).toBe(start);
    clock.now += 59_000;
    await findUserByApiToken(ctx, token);
    expect(await lastUsed()).toBe(start);
    clock.now += 1_000;
    await findUserByApiToken(ctx, token);
    expect(await lastUsed()).toBe(start + 60_000);
  });
});

describe('ensureFirstAdmin', () => {
  // Its own database: the tests above created admins.
  const fresh = {} as AccountsContext;
  beforeAll(async () => Object.assign(fresh, { store: await makeTestStore(), clock: () => clock.now }));
  afterAll(async () => fresh.store?.close());

  const admins = () => fresh.store.db.selectFrom('users').select(['id', 'email']).where('role', '=', 'admin').execute();

  it('creates admin@localhost with a random password printed once, and only once even when started twice at once', async () => {
    const logs: string[] = [];
    const results = await Promise.all([1, 2].map(() => ensureFirstAdmin(fresh, { log: (m) => logs.push(m) })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await admins()).toEqual([{ id: expect.any(Number), email: 'admin@localhost' }]);
    expect(logs).toHaveLength(1);
    const password = /password:\s+(\S+)/.exec(logs[0]!)?.[1];
    expect(password).toBeDefined();
    expect(await authenticate(fresh, 'admin@localhost', password!)).toMatchObject({ role: 'admin' });

    const again = await ensureFirstAdmin(fresh, { email: 'other@example.test', password: PASSWORD, log: (m) => logs.push(m) });
    expect(again).toMatchObject({ created: false, user: { email: 'admin@localhost' } });
    expect(logs).toHaveLength(1);
  });

  it('uses the configured address and password when there is no admin', async () => {
    const store = await makeTestStore();
    const own = { store, clock: () => clock.now };
    try {
      const logs: string[] = [];
      const result = await ensureFirstAdmin(own, { email: 'Boss@Example.test', password: PASSWORD, log: (m) => logs.push(m) });
      expect(result).toMatchObject({ created: true, user: { email: 'boss@example.test', role: 'admin' } });
      expect(logs.join('\n')).not.toContain(PASSWORD);
      expect(await authenticate(own, 'boss@example.test', PASSWORD)).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  it('an address already held by a non-admin is reported, not taken over', async () => {
    const store = await makeTestStore();
    const own = { store, clock: () => clock.now };
    try {
      const agent = await createUser(own, { name: 'Agent', email: 'boss@example.test', role: 'agent', password: PASSWORD });
      const logs: string[] = [];
      expect(await ensureFirstAdmin(own, { email: 'boss@example.test', password: 'x'.repeat(12), log: (m) => logs.push(m) })).toEqual({
        created: false,
        user: null,
      });
      expect(logs.join('\n')).toContain('already belongs to a non-admin account');
      expect(await getUser(own, agent.id)).toMatchObject({ role: 'agent' });
    } finally {
      await store.close();
    }
  });
});
