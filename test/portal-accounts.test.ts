import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsContext, createApiToken, createSession, createUser } from '../src/accounts/index.js';
import { type AttachmentStorage, storeAttachment } from '../src/attachments/index.js';
import { SESSION_COOKIE } from '../src/http/auth.js';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import type { Store } from '../src/store/database.js';
import { startTestApp, type TestApp } from './support/app.js';
import { Live, sleep } from './support/live.js';

// The portal's accounts over real HTTP: confirming an address and resetting a password by
// mailed single-use links, and what an unconfirmed customer may see — only what they
// opened signed in, in lists, pages, threads, downloads, search and the live stream alike.
// (Sign-up and sign-in no longer give an unconfirmed account a session; such sessions are
// left from before that, and the rule still holds for them. test/security-accounts.test.ts
// has the takeover attempts.)

const HOUR = 60 * 60 * 1000;
const PUBLIC_URL = 'https://help.example.test';
const PASSWORD = 'correct horse 1';

let server: TestApp;
let store: Store;
let inbox: InboxContext;
let accounts: AccountsContext;
let base: string;
let storage: AttachmentStorage;
/** The accounts' clock: links expire by it. */
let shift = 0;

beforeAll(async () => {
  server = await startTestApp({
    config: {
      publicUrl: PUBLIC_URL,
      // Every sign-up here comes from one client address: its limit is test/security-accounts.test.ts's subject.
      signup: { perIp: 1000, perEmail: 3 },
      attachments: { maxFileBytes: 1024 * 1024, maxFiles: 3 },
    },
    accountsClock: () => Date.now() + shift,
    uploads: true,
  });
  ({ store, inbox, accounts, http: base } = server);
  storage = server.composition.uploads!.storage;
});
afterAll(async () => {
  await server?.close();
});

let n = 0;
const address = (name: string) => `${name}${++n}-${process.pid}@example.test`;

/** A browser: its session cookie and CSRF token, as the portal keeps them. */
type Browser = { cookie: string; csrf: string; userId: number };

async function request(method: string, url: string, body?: unknown, browser?: Browser | null) {
  const response = await fetch(base + url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(browser ? { cookie: browser.cookie, 'x-csrf-token': browser.csrf } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text ? JSON.parse(text) : null) as Record<string, any>,
    cookie: response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
  };
}

/** Signs up (no session comes of it) and returns the new account's id. */
async function register(email = address('signup')): Promise<{ email: string; userId: number }> {
  const response = await request('POST', '/api/auth/register', { name: 'Sam Signup', email, password: PASSWORD });
  expect(response.status, JSON.stringify(response.json)).toBe(202);
  expect(response.cookie).toBe('');
  const row = await store.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { email, userId: Number(row.id) };
}

/** Confirms the address with the mailed link and the password, which signs this browser in. */
async function confirm(email: string, password = PASSWORD): Promise<Browser> {
  const response = await request('POST', '/api/auth/verify-email', { token: await lastToken(email, 'verify'), password });
  expect(response.status, JSON.stringify(response.json)).toBe(200);
  return { cookie: response.cookie, csrf: response.json.csrfToken, userId: response.json.user.id };
}

/** A confirmed customer, signed in. */
async function signUp(email = address('signup')): Promise<Browser & { email: string }> {
  await register(email);
  return { ...(await confirm(email)), email };
}

/** A session of an account whose address is not confirmed, as sessions made before sign-in required confirmation are. */
async function unconfirmedSession(email = address('signup')): Promise<Browser & { email: string }> {
  const { userId } = await register(email);
  const session = await createSession(accounts, userId, HOUR);
  return { cookie: `${SESSION_COOKIE}=${session.token}`, csrf: session.csrfToken, userId, email };
}

async function signIn(email: string, password = PASSWORD): Promise<Browser> {
  const response = await request('POST', '/api/auth/login', { email, password });
  expect(response.status).toBe(200);
  return { cookie: response.cookie, csrf: response.json.csrfToken, userId: response.json.user.id };
}

type LinkJob = { userId: number; email: string; purpose: 'verify' | 'reset'; url: string; reason?: string };

/** The account-link mails queued for an address, oldest first. */
async function linkJobs(email: string) {
  const rows = await store.db.selectFrom('outbox').selectAll().where('kind', '=', 'email.account_link').orderBy('id').execute();
  return rows.map((row) => ({ ...row, job: JSON.parse(row.payload) as LinkJob })).filter((row) => row.job.email === email);
}

async function lastToken(email: string, purpose: 'verify' | 'reset'): Promise<string> {
  const job = (await linkJobs(email)).filter((row) => row.job.purpose === purpose).at(-1);
  if (!job) throw new Error(`no ${purpose} link for ${email}`);
  return new URL(job.job.url).searchParams.get('token')!;
}

/** Mail from an address, written as the email channel writes it, with a file. */
async function mailFrom(email: string, subject: string) {
  const file = await storeAttachment(storage, Buffer.from('quarterly numbers\n'), { name: 'numbers.txt' });
  return createConversation(inbox, {
    from: { customerEmail: email, name: 'Mailer' },
    channel: 'email',
    subject,
    body: 'Private: my account number is 1234',
    attachments: [file],
  });
}

async function myNumbers(browser: Browser): Promise<string[]> {
  const response = await request('GET', '/api/conversations', undefined, browser);
  expect(response.status).toBe(200);
  return response.json.items.map((c: { number: string }) => c.number);
}

describe('signing up', () => {
  it('creates an unconfirmed customer, signs nobody in, and queues one confirmation mail with a link to the portal', async () => {
    const { email, userId } = await register();
    expect((await request('POST', '/api/auth/login', { email, password: PASSWORD })).status).toBe(401);
    const [row, ...more] = await linkJobs(email);
    expect(more).toEqual([]);
    expect(row!.job).toEqual({ userId, email, purpose: 'verify', url: expect.any(String) });
    expect(row!.job.url).toMatch(/^https:\/\/help\.example\.test\/portal\/verify\?token=[A-Za-z0-9_-]{43}$/);
    expect(row!.idempotencyKey).toMatch(/^account_link:\d+$/);
    // The link signs whoever holds it in: the outbox drops it once the job has run.
    expect(row!.secret).toBe(1);
    // Only the token's hash is kept with the account.
    const token = await lastToken(email, 'verify');
    const stored = await store.db.selectFrom('account_tokens').selectAll().where('userId', '=', userId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);

    // The link with the password confirms the address and signs this browser in.
    const browser = await confirm(email);
    const me = await request('GET', '/api/auth/me', undefined, browser);
    expect(me.json.user).toMatchObject({ id: userId, role: 'customer', emailVerified: true });
    expect((await request('POST', '/api/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('leaves the account of a customer who wrote in as it is, and mails them a link to set a password instead', async () => {
    const email = address('wrote-in');
    const mailed = await mailFrom(email, 'Before I had an account');
    const response = await request('POST', '/api/auth/register', { name: 'Intruder', email, password: PASSWORD });
    expect(response.status).toBe(202);
    expect((await request('POST', '/api/auth/login', { email, password: PASSWORD })).status).toBe(401);
    const [row, ...more] = await linkJobs(email);
    expect(more).toEqual([]);
    expect(row!.job).toMatchObject({ purpose: 'reset', reason: 'signup_attempt' });
    const done = await request('POST', '/api/auth/password-reset/confirm', { token: await lastToken(email, 'reset'), password: 'my own password' });
    expect(done.status).toBe(200);
    expect(done.json.user).toMatchObject({ name: 'Mailer', emailVerified: true });
    expect(await myNumbers({ cookie: done.cookie, csrf: done.json.csrfToken, userId: done.json.user.id })).toEqual([mailed.conversation.number]);
  });
});

describe('an unconfirmed customer', () => {
  it('sees only what they opened signed in: not mail from the address, not the contact form, not what an agent opened', async () => {
    // Someone signs up with an address that is not theirs, before its owner ever writes.
    const squatter = await unconfirmedSession(address('victim'));
    const own = await request('POST', '/api/conversations', { subject: 'Mine', body: 'opened signed in' }, squatter);
    expect(own.status).toBe(201);
    // Then the address's owner writes: by mail, through the contact form; an agent writes to them too.
    const mailed = await mailFrom(squatter.email, 'My bank details');
    const contact = await request('POST', '/api/contact', { name: 'Victim', email: squatter.email, subject: 'Contact form', message: 'Please call me' });
    expect(contact.status).toBe(201);
    const agent = await createUser(accounts, { name: 'Agent', email: address('agent'), role: 'agent', password: null });
    const outreach = await createConversation(inbox, {
      from: { userId: agent.id },
      customer: { email: squatter.email },
      channel: 'email',
      subject: 'Your invoice',
      body: 'Attached',
    });
    const hidden = [mailed.conversation, outreach.conversation];
    const hiddenNumbers = [...hidden.map((c) => c.number), contact.json.number];

    expect(await myNumbers(squatter)).toEqual([own.json.conversation.number]);
    const search = await request('GET', '/api/search?q=account', undefined, squatter);
    expect(search.json.items).toEqual([]);
    for (const ref of hiddenNumbers) {
      expect((await request('GET', `/api/conversations/${ref}`, undefined, squatter)).status, ref).toBe(404);
      expect((await request('GET', `/api/conversations/${ref}/messages`, undefined, squatter)).status, ref).toBe(404);
      expect((await request('POST', `/api/conversations/${ref}/messages`, { body: 'hello' }, squatter)).status, ref).toBe(404);
      expect((await request('PATCH', `/api/conversations/${ref}`, { status: 'resolved' }, squatter)).status, ref).toBe(404);
      expect((await request('POST', `/api/conversations/${ref}/read`, undefined, squatter)).status, ref).toBe(404);
    }
    const file = mailed.message.attachments[0]!;
    expect((await request('GET', `/api/attachments/${file.id}`, undefined, squatter)).status).toBe(404);

    // Confirming takes the link and the account's password; it ends that session, and the
    // fresh one of whoever confirmed sees all of it.
    const confirmed = await confirm(squatter.email);
    expect((await request('GET', '/api/auth/me', undefined, squatter)).status).toBe(401);
    expect((await myNumbers(confirmed)).sort()).toEqual([own.json.conversation.number, ...hiddenNumbers].sort());
    const download = await fetch(`${base}/api/attachments/${file.id}`, { headers: { cookie: confirmed.cookie } });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('quarterly numbers\n');
  });

  it('gets live events of their own conversations only, until confirmed', async () => {
    const browser = await unconfirmedSession();
    const own = await request('POST', '/api/conversations', { subject: 'Live mine', body: 'hi' }, browser);
    const mailed = await mailFrom(browser.email, 'Live mailed');
    const live = await Live.open(`${base.replace('http', 'ws')}/api/realtime`, { cookie: browser.cookie, origin: base });
    try {
      const agent = await createUser(accounts, { name: 'Agent', email: address('agent'), role: 'agent', password: null });
      await addMessage(inbox, { conversation: mailed.conversation.id, from: { userId: agent.id }, body: 'reply to the mail' });
      await addMessage(inbox, { conversation: own.json.conversation.id, from: { userId: agent.id }, body: 'reply to the ticket' });
      await live.waitFor((f) => f.type === 'message.created' && f.data.message.body === 'reply to the ticket');
      await sleep(300);
      expect(live.events().map((f) => f.data.conversation?.id)).not.toContain(mailed.conversation.id);

      // Confirming the address ends the session the socket was opened with; a new session sees more.
      const confirmed = await confirm(browser.email);
      expect((await live.closedWithin(3000)).code).toBe(4401);
      const again = await Live.open(`${base.replace('http', 'ws')}/api/realtime`, { cookie: confirmed.cookie, origin: base });
      try {
        await addMessage(inbox, { conversation: mailed.conversation.id, from: { userId: agent.id }, body: 'now you see it' });
        await again.waitFor((f) => f.type === 'message.created' && f.data.message.body === 'now you see it');
      } finally {
        await again.close();
      }
    } finally {
      await live.close();
    }
  });
});

describe('confirmation links', () => {
  const verify = (token: string, password = PASSWORD) => request('POST', '/api/auth/verify-email', { token, password });

  it('work once, and not after 48 hours', async () => {
    const once = await register();
    const token = await lastToken(once.email, 'verify');
    expect((await verify(token)).status).toBe(200);
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.json.error).toMatchObject({ code: 'validation_failed', field: 'token' });

    const late = await register();
    shift = 49 * HOUR;
    try {
      expect((await verify(await lastToken(late.email, 'verify'))).status).toBe(400);
    } finally {
      shift = 0;
    }
    expect((await verify('made-up')).status).toBe(400);
  });

  it('need the account’s password, and stay usable after a wrong one', async () => {
    const { email } = await register();
    const token = await lastToken(email, 'verify');
    const wrong = await verify(token, 'not the password');
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toMatchObject({ code: 'forbidden', field: 'password' });
    expect(wrong.json.error.message).toContain('Forgot your password?');
    expect((await request('POST', '/api/auth/verify-email', { token })).status).toBe(400);
    expect((await verify(token)).status).toBe(200);
  });

  it('can be asked for again while signed in, and not once confirmed', async () => {
    const browser = await unconfirmedSession();
    expect((await request('POST', '/api/auth/verify-email/resend', undefined, browser)).status).toBe(202);
    expect((await linkJobs(browser.email)).filter((r) => r.job.purpose === 'verify')).toHaveLength(2);
    const confirmed = await confirm(browser.email);
    expect((await request('POST', '/api/auth/verify-email/resend', undefined, confirmed)).status).toBe(202);
    expect((await linkJobs(browser.email)).filter((r) => r.job.purpose === 'verify')).toHaveLength(2);
    expect((await request('POST', '/api/auth/verify-email/resend')).status).toBe(401);
  });
});

describe('password reset', () => {
  it('always answers 202, and mails a link only to an existing account', async () => {
    const unknown = address('nobody');
    const response = await request('POST', '/api/auth/password-reset', { email: unknown });
    expect(response.status).toBe(202);
    expect(await linkJobs(unknown)).toEqual([]);
    expect((await request('POST', '/api/auth/password-reset', { email: 'not an address' })).status).toBe(202);

    const user = await signUp();
    expect((await request('POST', '/api/auth/password-reset', { email: user.email.toUpperCase() })).status).toBe(202);
    const [job] = (await linkJobs(user.email)).filter((r) => r.job.purpose === 'reset');
    expect(job!.job.url).toMatch(/^https:\/\/help\.example\.test\/portal\/reset\?token=/);
  });

  it('sets the password once, ends every other session, confirms the address and signs this browser in', async () => {
    const user = await signUp();
    const phone = await signIn(user.email);
    await request('POST', '/api/auth/password-reset', { email: user.email });
    const token = await lastToken(user.email, 'reset');

    const short = await request('POST', '/api/auth/password-reset/confirm', { token, password: 'short' });
    expect(short.status).toBe(400);
    const done = await request('POST', '/api/auth/password-reset/confirm', { token, password: 'a brand new one' });
    expect(done.status).toBe(200);
    expect(done.json.user).toMatchObject({ id: user.userId, emailVerified: true });
    const fresh = { cookie: done.cookie, csrf: done.json.csrfToken, userId: user.userId };
    expect((await request('GET', '/api/auth/me', undefined, fresh)).status).toBe(200);
    for (const old of [user, phone]) expect((await request('GET', '/api/auth/me', undefined, old)).status).toBe(401);
    expect((await request('POST', '/api/auth/login', { email: user.email, password: PASSWORD })).status).toBe(401);
    expect((await request('POST', '/api/auth/login', { email: user.email, password: 'a brand new one' })).status).toBe(200);

    const reused = await request('POST', '/api/auth/password-reset/confirm', { token, password: 'yet another one' });
    expect(reused.status).toBe(400);
    expect(reused.json.error.message).toContain('not valid any more');
  });

  it('expires after an hour, and a used link ends the older ones', async () => {
    const user = await signUp();
    await request('POST', '/api/auth/password-reset', { email: user.email });
    const first = await lastToken(user.email, 'reset');
    shift = HOUR + 1000;
    try {
      expect((await request('POST', '/api/auth/password-reset/confirm', { token: first, password: 'too late now' })).status).toBe(400);
    } finally {
      shift = 0;
    }
    await request('POST', '/api/auth/password-reset', { email: user.email });
    const older = await lastToken(user.email, 'reset');
    await request('POST', '/api/auth/password-reset', { email: user.email });
    const newer = await lastToken(user.email, 'reset');
    expect((await request('POST', '/api/auth/password-reset/confirm', { token: newer, password: 'the newer one' })).status).toBe(200);
    expect((await request('POST', '/api/auth/password-reset/confirm', { token: older, password: 'the older one' })).status).toBe(400);
  });

  it('gives a customer who only wrote in a first password, and with it their conversations', async () => {
    const email = address('contact-first');
    const contact = await request('POST', '/api/contact', { name: 'Carla Contact', email, subject: 'Hello', message: 'First contact' });
    expect(contact.status).toBe(201);
    await request('POST', '/api/auth/password-reset', { email });
    const done = await request('POST', '/api/auth/password-reset/confirm', { token: await lastToken(email, 'reset'), password: 'my first password' });
    expect(done.status).toBe(200);
    expect(done.json.user).toMatchObject({ name: 'Carla Contact', role: 'customer', emailVerified: true });
    expect(await myNumbers({ cookie: done.cookie, csrf: done.json.csrfToken, userId: done.json.user.id })).toEqual([contact.json.number]);
  });

  it('limits how many mails one address can be sent', async () => {
    const user = await signUp();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await request('POST', '/api/auth/password-reset', { email: user.email })).status);
    expect(answers).toEqual([202, 202, 202, 429]);
    expect((await linkJobs(user.email)).filter((r) => r.job.purpose === 'reset')).toHaveLength(3);
  });
});

describe('a customer’s own ticket', () => {
  it('may be marked resolved by them, and nothing else', async () => {
    const browser = await signUp();
    const { json } = await request('POST', '/api/conversations', { subject: 'Done soon', body: 'hi' }, browser);
    const id = json.conversation.id;
    for (const status of ['closed', 'pending', 'open']) {
      const refused = await request('PATCH', `/api/conversations/${id}`, { status }, browser);
      expect(refused.status, status).toBe(403);
      expect(refused.json.error.message).toBe('customers may only mark their conversation resolved');
    }
    const resolved = await request('PATCH', `/api/conversations/${id}`, { status: 'resolved' }, browser);
    expect(resolved.status).toBe(200);
    expect(resolved.json.conversation.status).toBe('resolved');
  });
});

describe("another customer's ticket", () => {
  it('is neither listed, opened, downloaded, answered nor resolved by customer B, whatever ids B guesses', async () => {
    const a = await createUser(accounts, { name: 'Ann', email: address('ann'), role: 'customer', password: PASSWORD });
    const b = await signIn((await createUser(accounts, { name: 'Bob', email: address('bob'), role: 'customer', password: PASSWORD })).email);
    const { token } = await createApiToken(accounts, a.id, 'test');
    const form = new FormData();
    form.append('subject', 'Ann only');
    form.append('body', 'secret');
    form.append('files', new Blob(['%PDF-1.4 ann']), 'ann.pdf');
    const created = await fetch(`${base}/api/conversations`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    expect(created.status).toBe(201);
    const { conversation, message } = (await created.json()) as { conversation: { id: number; number: string }; message: { attachments: { id: number }[] } };

    expect(await myNumbers(b)).not.toContain(conversation.number);
    for (const ref of [String(conversation.id), conversation.number]) {
      expect((await request('GET', `/api/conversations/${ref}`, undefined, b)).status).toBe(404);
      expect((await request('POST', `/api/conversations/${ref}/messages`, { body: 'me too' }, b)).status).toBe(404);
      expect((await request('PATCH', `/api/conversations/${ref}`, { status: 'resolved' }, b)).status).toBe(404);
    }
    const fileId = message.attachments[0]!.id;
    for (let id = Math.max(1, fileId - 3); id <= fileId + 3; id++) {
      const response = await fetch(`${base}/api/attachments/${id}`, { headers: { cookie: b.cookie } });
      expect(response.status, `attachment ${id}`).toBe(404);
    }
  });
});
