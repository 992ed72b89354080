import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsContext, createApiToken, createSession, createUser, setUserActive } from '../src/accounts/index.js';
import { SESSION_COOKIE } from '../src/http/auth.js';
import { SlidingWindowLimiter } from '../src/http/rate-limiter.js';
import type { ZodApp } from '../src/http/server.js';
import { createConversation } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import type { OutboxWorker } from '../src/jobs/outbox-worker.js';
import { CLOSE_CREDENTIALS_ENDED } from '../src/realtime/protocol.js';
import type { Store } from '../src/store/database.js';
import { startTestApp, type TestApp } from './support/app.js';
import { MAIL_PEERS, queuedId, rawMail, settled, swaks } from './support/email.js';
import { type Frame, Live } from './support/live.js';
import { useMailApi } from './support/mail-api.js';

// Issue 13's account findings, over real HTTP on real servers:
// - item 4, account pre-hijack: a stranger signs up with the victim's address; whatever the
//   victim does with the mailed link, the stranger never sees the victim's mail threads.
//   Confirming takes the link (the mailbox) and the account's password, and ends every
//   session and API token from before; the reset path ends them too.
// - item 6, sign-up as a spam cannon: limits per client address and per target address
//   (429), and mails to unproven addresses carry none of the requester's words.
// - item 12, which addresses have accounts: sign-up answers an existing address as a new
//   one and mails its owner instead.
// - item 13 (part): API tokens end with a password change or reset.

const PUBLIC_URL = 'https://help.example.test';
const ATTACKER_PASSWORD = 'attacker chose this';

let n = 0;
const address = (name: string) => `${name}${++n}-${process.pid}@example.test`;

type Browser = { cookie: string; csrf: string };
type Answer = { status: number; json: Record<string, any>; cookie: string; body: string };

async function call(base: string, method: string, url: string, body?: unknown, who?: Browser | { bearer: string }): Promise<Answer> {
  const auth: Record<string, string> = !who
    ? {}
    : 'bearer' in who
      ? { authorization: `Bearer ${who.bearer}` }
      : { cookie: who.cookie, 'x-csrf-token': who.csrf };
  const response = await fetch(base + url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    json: text ? JSON.parse(text) : null,
    cookie: response.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
  };
}

/** A frame with this text anywhere in it (a new conversation arrives as conversation.created, with its message). */
const carries = (text: string) => (frame: Frame) => JSON.stringify(frame.data).includes(text);

const browserOf = (answer: Answer): Browser => ({ cookie: answer.cookie, csrf: answer.json.csrfToken });

describe('accounts over HTTP (links read from the outbox)', () => {
  let server: TestApp;
  let store: Store;
  let inbox: InboxContext;
  let accounts: AccountsContext;
  let base: string;
  const request = (method: string, url: string, body?: unknown, who?: Browser | { bearer: string }) => call(base, method, url, body, who);

  beforeAll(async () => {
    // Every request here comes from one client address; the limits have their own server below.
    server = await startTestApp({ config: { publicUrl: PUBLIC_URL, signup: { perIp: 1000, perEmail: 3 } } });
    ({ store, inbox, accounts, http: base } = server);
  });
  afterAll(async () => {
    await server?.close();
  });

  type LinkJob = { userId: number; email: string; purpose: 'verify' | 'reset'; url: string; reason?: string };
  const linkJobs = async (email?: string) =>
    (await store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').orderBy('id').execute())
      .map((row) => JSON.parse(row.payload) as LinkJob)
      .filter((job) => email === undefined || job.email === email);
  const lastToken = async (email: string, purpose: 'verify' | 'reset') => {
    const job = (await linkJobs(email)).filter((j) => j.purpose === purpose).at(-1);
    if (!job) throw new Error(`no ${purpose} link for ${email}`);
    return new URL(job.url).searchParams.get('token')!;
  };
  const userRow = (email: string) => store.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  /** Mail from the address, filed as the email channel files it. */
  const mailFrom = (email: string, subject: string) =>
    createConversation(inbox, { from: { customerEmail: email, name: 'The Victim' }, channel: 'email', subject, body: 'My account number is 1234' });
  /** A session of an account, made directly: sign-up and sign-in give an unconfirmed account none, but older releases did. */
  const sessionOf = async (userId: number): Promise<Browser> => {
    const session = await createSession(accounts, userId, 60 * 60_000);
    return { cookie: `${SESSION_COOKIE}=${session.token}`, csrf: session.csrfToken };
  };
  const ws = () => `${base.replace('http', 'ws')}/api/realtime`;

  /** Everything `who` can find of a conversation: the list, search, the page, its messages. */
  async function seesAnyOf(who: Browser | { bearer: string }, conversation: { id: number; number: string }): Promise<boolean> {
    const list = await request('GET', '/api/conversations', undefined, who);
    const search = await request('GET', '/api/search?q=account', undefined, who);
    const page = await request('GET', `/api/conversations/${conversation.number}`, undefined, who);
    const messages = await request('GET', `/api/conversations/${conversation.id}/messages`, undefined, who);
    const listed = (list.json?.items ?? []).some((c: { id: number }) => c.id === conversation.id);
    const found = (search.json?.items ?? []).some((item: Record<string, any>) => JSON.stringify(item).includes(conversation.number));
    return listed || found || page.status === 200 || messages.status === 200;
  }

  describe('account pre-hijack (item 4)', () => {
    it("a stranger who signs up with the victim's address never sees the victim's mail, whatever the victim does with the link", async () => {
      const victim = address('victim');
      // The attacker signs up with the victim's address before the victim ever writes: no
      // session comes of it, and signing in is refused like a wrong password.
      const signedUp = await request('POST', '/api/auth/register', { name: 'Attacker', email: victim, password: ATTACKER_PASSWORD });
      expect(signedUp.status).toBe(202);
      expect(signedUp.cookie).toBe('');
      const mailed = await mailFrom(victim, 'My bank details');
      const login = await request('POST', '/api/auth/login', { email: victim, password: ATTACKER_PASSWORD });
      const unknown = await request('POST', '/api/auth/login', { email: address('nobody'), password: ATTACKER_PASSWORD });
      expect(login.status).toBe(401);
      expect(login.json).toEqual(unknown.json);

      // Sessions and tokens an unconfirmed account may still hold (made before this release) are what the rest is about.
      const attackerId = Number((await userRow(victim)).id);
      const attacker = await sessionOf(attackerId);
      const attackerToken = { bearer: (await createApiToken(accounts, attackerId, 'kept')).token };
      const agent = await createUser(accounts, { name: 'Agent', email: address('agent'), role: 'agent', password: null });
      const agentToken = { bearer: (await createApiToken(accounts, agent.id, 'witness')).token };
      const attackerSocket = await Live.open(ws(), { cookie: attacker.cookie, origin: base });
      const witness = await Live.open(ws(), { authorization: `Bearer ${agentToken.bearer}` });

      // The attacker cannot confirm without the mailbox: every link goes to the victim's address.
      expect((await request('POST', '/api/auth/verify-email', { token: 'A'.repeat(43), password: ATTACKER_PASSWORD })).status).toBe(400);
      expect((await request('POST', '/api/auth/verify-email/resend', undefined, attacker)).status).toBe(202);
      expect((await linkJobs()).filter((job) => job.userId === attackerId).map((job) => job.email)).toEqual([victim, victim]);
      expect(await seesAnyOf(attacker, mailed.conversation)).toBe(false);

      // The victim opens the link: without a password nothing happens, with a guess neither, and the link stays usable.
      const token = await lastToken(victim, 'verify');
      const bare = await request('POST', '/api/auth/verify-email', { token });
      expect(bare.status).toBe(400);
      const guess = await request('POST', '/api/auth/verify-email', { token, password: 'the victim guesses' });
      expect(guess.status).toBe(403);
      expect(guess.json.error).toMatchObject({ code: 'forbidden', field: 'password' });
      expect((await userRow(victim)).emailVerifiedAt).toBeNull();
      for (const who of [attacker, attackerToken]) expect(await seesAnyOf(who, mailed.conversation)).toBe(false);

      // More mail arrives from the victim: the team sees it live, the attacker's socket does not.
      await createConversation(inbox, { from: { customerEmail: victim }, channel: 'email', subject: 'Another private matter', body: 'live secret' });
      await witness.waitFor(carries('live secret'));
      expect(attackerSocket.frames.some(carries('live secret'))).toBe(false);

      // The victim takes the way the page points to: a reset link, which sets their own password and confirms the address.
      expect((await request('POST', '/api/auth/password-reset', { email: victim })).status).toBe(202);
      const reset = await request('POST', '/api/auth/password-reset/confirm', { token: await lastToken(victim, 'reset'), password: 'the victim’s own' });
      expect(reset.status).toBe(200);
      expect(reset.json.user).toMatchObject({ id: attackerId, emailVerified: true });
      // Everything the attacker held ends at once, and their password is gone.
      expect((await attackerSocket.closedWithin(3000)).code).toBe(CLOSE_CREDENTIALS_ENDED);
      for (const who of [attacker, attackerToken]) expect((await request('GET', '/api/auth/me', undefined, who)).status).toBe(401);
      expect((await request('POST', '/api/auth/login', { email: victim, password: ATTACKER_PASSWORD })).status).toBe(401);
      // The confirmation link is spent with the reset: the address is proven.
      expect((await request('POST', '/api/auth/verify-email', { token, password: 'the victim’s own' })).status).toBe(400);
      // The victim sees their mail.
      expect(await seesAnyOf(browserOf(reset), mailed.conversation)).toBe(true);
      await witness.close();
    });

    it('confirming with the link and the password ends every session, API token and socket from before, and signs this browser in', async () => {
      const email = address('owner');
      expect((await request('POST', '/api/auth/register', { name: 'Owner', email, password: ATTACKER_PASSWORD })).status).toBe(202);
      const userId = Number((await userRow(email)).id);
      const mailed = await mailFrom(email, 'Older mail');
      const earlier = await sessionOf(userId);
      const earlierToken = { bearer: (await createApiToken(accounts, userId, 'earlier')).token };
      const socket = await Live.open(ws(), { cookie: earlier.cookie, origin: base });
      expect(await seesAnyOf(earlier, mailed.conversation)).toBe(false);

      const confirmed = await request('POST', '/api/auth/verify-email', { token: await lastToken(email, 'verify'), password: ATTACKER_PASSWORD });
      expect(confirmed.status).toBe(200);
      expect(confirmed.json.user).toMatchObject({ id: userId, emailVerified: true });
      expect((await socket.closedWithin(3000)).code).toBe(CLOSE_CREDENTIALS_ENDED);
      for (const who of [earlier, earlierToken]) {
        expect((await request('GET', '/api/auth/me', undefined, who)).status).toBe(401);
        expect(await seesAnyOf(who, mailed.conversation)).toBe(false);
      }
      expect(await seesAnyOf(browserOf(confirmed), mailed.conversation)).toBe(true);
      expect((await request('POST', '/api/auth/login', { email, password: ATTACKER_PASSWORD })).status).toBe(200);
    });
  });

  describe('sign-up tells nobody which addresses have accounts (item 12)', () => {
    it('answers an existing address exactly as a new one, changes nothing, and mails the owner a reset link', async () => {
      const asNew = await request('POST', '/api/auth/register', { name: 'Fresh', email: address('fresh'), password: ATTACKER_PASSWORD });
      const customerEmail = address('customer');
      await request('POST', '/api/auth/register', { name: 'Customer', email: customerEmail, password: 'the owner’s password' });
      await request('POST', '/api/auth/verify-email', { token: await lastToken(customerEmail, 'verify'), password: 'the owner’s password' });
      const wroteIn = address('wrote-in');
      await mailFrom(wroteIn, 'Hello');
      const agent = await createUser(accounts, { name: 'Agent', email: address('agent'), role: 'agent', password: 'the agent’s password' });
      const gone = await createUser(accounts, { name: 'Gone', email: address('gone'), role: 'customer', password: 'the owner’s password' });
      await setUserActive(accounts, gone.id, false);

      for (const email of [customerEmail, wroteIn, agent.email, gone.email]) {
        const before = await userRow(email);
        const jobsBefore = (await linkJobs(email)).length;
        const answer = await request('POST', '/api/auth/register', { name: 'Attacker <b>spam</b>', email: email.toUpperCase(), password: ATTACKER_PASSWORD });
        expect({ status: answer.status, body: answer.body, cookie: answer.cookie }, email).toEqual({
          status: asNew.status,
          body: asNew.body,
          cookie: asNew.cookie,
        });
        expect(await userRow(email), email).toEqual(before);
        expect((await request('POST', '/api/auth/login', { email, password: ATTACKER_PASSWORD })).status).toBe(401);
        const mailed = (await linkJobs(email)).slice(jobsBefore);
        if (email === gone.email) expect(mailed).toEqual([]);
        // A team member's link opens the inbox app's reset page, a customer's the portal's.
        else
          expect(mailed, email).toEqual([
            {
              userId: Number(before.id),
              email,
              purpose: 'reset',
              reason: 'signup_attempt',
              url: expect.stringMatching(
                email === agent.email ? /^https:\/\/help\.example\.test\/reset-password\?token=/ : /^https:\/\/help\.example\.test\/portal\/reset\?token=/,
              ),
            },
          ]);
      }
      // The owners still sign in as before.
      expect((await request('POST', '/api/auth/login', { email: agent.email, password: 'the agent’s password' })).status).toBe(200);
      expect((await request('POST', '/api/auth/login', { email: customerEmail, password: 'the owner’s password' })).status).toBe(200);
    });

    it('takes about as long for an existing address as for a new one', async () => {
      const existing = await createUser(accounts, { name: 'Timed', email: address('timed'), role: 'customer', password: 'the owner’s password' });
      const time = async (email: string) => {
        const started = performance.now();
        expect((await request('POST', '/api/auth/register', { name: 'Timer', email, password: ATTACKER_PASSWORD })).status).toBe(202);
        return performance.now() - started;
      };
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const fresh: number[] = [];
      const known: number[] = [];
      for (let i = 0; i < 3; i++) {
        fresh.push(await time(address('timed-new')));
        known.push(await time(existing.email));
      }
      // Both hash the password (tens of milliseconds); skipping that for one would show as a factor of ten.
      const ratio = median(known) / median(fresh);
      expect(ratio, `existing ${known.join(', ')} ms; new ${fresh.join(', ')} ms`).toBeGreaterThan(0.3);
      expect(ratio, `existing ${known.join(', ')} ms; new ${fresh.join(', ')} ms`).toBeLessThan(3);
    });
  });

  describe('API tokens end with the password (item 13)', () => {
    it('a password change ends every API token and other session of the user', async () => {
      const agent = await createUser(accounts, { name: 'Agent', email: address('agent'), role: 'agent', password: 'correct horse 1' });
      const token = { bearer: (await createApiToken(accounts, agent.id, 'integration')).token };
      const laptop = browserOf(await request('POST', '/api/auth/login', { email: agent.email, password: 'correct horse 1' }));
      const phone = browserOf(await request('POST', '/api/auth/login', { email: agent.email, password: 'correct horse 1' }));
      const socket = await Live.open(ws(), { authorization: `Bearer ${token.bearer}` });
      expect((await request('GET', '/api/auth/me', undefined, token)).status).toBe(200);
      const changed = await request('POST', '/api/auth/password', { currentPassword: 'correct horse 1', newPassword: 'a much better one' }, laptop);
      expect(changed.status).toBe(200);
      expect((await socket.closedWithin(3000)).code).toBe(CLOSE_CREDENTIALS_ENDED);
      for (const who of [token, phone, laptop]) expect((await request('GET', '/api/auth/me', undefined, who)).status).toBe(401);
      expect((await request('GET', '/api/auth/me', undefined, browserOf(changed))).status).toBe(200);
      expect(await store.db.selectFrom('api_tokens').select('id').where('userId', '=', agent.id).execute()).toEqual([]);
    });

    it('a reset by mailed link ends every API token of the user', async () => {
      const customer = await createUser(accounts, { name: 'Customer', email: address('customer'), role: 'customer', password: 'correct horse 1' });
      const token = { bearer: (await createApiToken(accounts, customer.id, 'integration')).token };
      expect((await request('POST', '/api/auth/password-reset', { email: customer.email })).status).toBe(202);
      const done = await request('POST', '/api/auth/password-reset/confirm', { token: await lastToken(customer.email, 'reset'), password: 'a brand new one' });
      expect(done.status).toBe(200);
      expect((await request('GET', '/api/auth/me', undefined, token)).status).toBe(401);
    });
  });
});

describe('sign-up limits (item 6)', () => {
  let server: TestApp;
  let store: Store;
  let app: ZodApp;
  let accounts: AccountsContext;
  const inject = async (ip: string, url: string, payload: Record<string, string>) => {
    // Injected to give each request its own client address; it passes the same hooks and routes as a socket's request.
    const response = await app.inject({ method: 'POST', url, payload, remoteAddress: ip });
    return { status: response.statusCode, json: response.body ? (response.json() as Record<string, any>) : null };
  };
  const verifyJobs = async (email?: string) =>
    (await store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').execute())
      .map((row) => JSON.parse(row.payload) as { email: string })
      .filter((job) => email === undefined || job.email === email);

  beforeAll(async () => {
    // The default sign-up limits (10 per client address, 3 per email address, an hour each).
    server = await startTestApp({
      config: { publicUrl: PUBLIC_URL },
      loginLimits: { perAccount: new SlidingWindowLimiter(10, 60_000), perAddress: new SlidingWindowLimiter(3, 60_000) },
    });
    ({ store, accounts, app } = server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('40 sign-ups in a burst from one client address: 10 go through, the rest get 429 and mail nobody', async () => {
    const emails = Array.from({ length: 40 }, () => address('burst'));
    const answers = await Promise.all(
      emails.map((email) => inject('192.0.2.1', '/api/auth/register', { name: 'Hello from spam.example', email, password: ATTACKER_PASSWORD })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(answers.find((a) => a.status === 429)!.json).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('Too many sign-ups') } });
    expect(await verifyJobs()).toHaveLength(10);
    expect(await store.db.selectFrom('users').select('id').where('email', 'like', 'burst%').execute()).toHaveLength(10);
    // Another client address is not held up by that one.
    expect((await inject('192.0.2.2', '/api/auth/register', { name: 'Neighbour', email: address('neighbour'), password: ATTACKER_PASSWORD })).status).toBe(202);
  });

  it('one target address gets at most 3 sign-up mails an hour, from however many client addresses, new or not', async () => {
    const target = address('target');
    const existing = await createUser(accounts, { name: 'Existing', email: address('existing'), role: 'customer', password: 'the owner’s password' });
    for (const email of [target, existing.email]) {
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (
            await inject(`198.51.100.${i + 1}`, '/api/auth/register', {
              name: 'Spammer',
              email: i % 2 ? email.toUpperCase() : email,
              password: ATTACKER_PASSWORD,
            })
          ).status,
        );
      expect(statuses, email).toEqual([202, 202, 202, 429]);
      expect(await verifyJobs(email), email).toHaveLength(3);
    }
  });

  it('wrong passwords on a confirmation link count as failed sign-ins of the client address', async () => {
    const email = address('guessed');
    expect((await inject('203.0.113.9', '/api/auth/register', { name: 'Owner', email, password: ATTACKER_PASSWORD })).status).toBe(202);
    const job = (await verifyJobs(email)) as unknown as { url: string }[];
    const token = new URL(job[0]!.url).searchParams.get('token')!;
    for (let i = 0; i < 3; i++) expect((await inject('203.0.113.9', '/api/auth/verify-email', { token, password: `guess number ${i}` })).status).toBe(403);
    expect((await inject('203.0.113.9', '/api/auth/verify-email', { token, password: ATTACKER_PASSWORD })).status).toBe(429);
    expect((await inject('203.0.113.10', '/api/auth/verify-email', { token, password: ATTACKER_PASSWORD })).status).toBe(200);
  });
});

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('the mails themselves (outbox → aiosmtpd sink)', () => {
  // Acknowledgements on: the contact form's confirmation is sent only then (issue 14).
  // Jobs are due by the later of the inbox's test clock and the wall clock the accounts use.
  const api = useMailApi({ acknowledge: true, publicUrl: PUBLIC_URL, workerClock: (clock) => () => Math.max(Date.now(), clock.now) });
  const { mail, sink } = api;
  let base: string;
  let worker: OutboxWorker;
  const request = (method: string, url: string, body?: unknown) => call(base, method, url, body);
  const SPAM = ['spam.example', 'Buy', 'cheap', 'pills', 'Attacker'];

  beforeAll(() => {
    ({ http: base, worker } = api);
  });

  const mailsTo = async (to: string) => (await sink.received()).filter((m) => m.to && 'value' in m.to && m.to.value.some((a) => a.address === to));
  const linkIn = (text: string | undefined) => /https:\/\/help\.example\.test\/portal\/\w+\?token=[\w-]+/.exec(text ?? '')![0];
  function expectOnlyOurWords(message: Awaited<ReturnType<typeof mailsTo>>[number]) {
    expect(message.text!.startsWith('Hello,\n')).toBe(true);
    for (const typed of SPAM) {
      for (const part of [message.subject, message.text, message.html, JSON.stringify(message.to)]) expect(part ?? '', typed).not.toContain(typed);
    }
  }

  it("a stranger's sign-up mails the victim fixed words only, and the victim gets in by the owner's way", async () => {
    const victim = `victim-${process.pid}@example.org`;
    const attacker = { name: 'Attacker: Buy cheap pills at spam.example', email: victim, password: ATTACKER_PASSWORD };
    expect((await request('POST', '/api/auth/register', attacker)).status).toBe(202);
    // Then the victim writes in: a mail thread received over SMTP.
    const filed = await settled(
      mail,
      queuedId(await swaks(mail.port, { from: victim, data: rawMail({ from: `Vic <${victim}>`, subject: 'My bank details', body: 'account 1234' }) })),
    );
    await worker.runOnce();
    // The acknowledgement of the victim's mail goes too (fixed words, tested elsewhere).
    const confirmation = (await mailsTo(victim)).find((m) => m.subject === 'Confirm your email address');
    expectOnlyOurWords(confirmation!);

    // The victim follows the link from the mail, but has no password for that account.
    const token = new URL(linkIn(confirmation!.text)).searchParams.get('token')!;
    expect((await request('POST', '/api/auth/verify-email', { token, password: 'whatever I try' })).status).toBe(403);

    // Signing up themselves, they are mailed a reset link instead, again in our words only.
    expect((await request('POST', '/api/auth/register', { name: 'Vic', email: victim, password: 'the victim’s own' })).status).toBe(202);
    await worker.runOnce();
    const notice = (await mailsTo(victim)).at(-1)!;
    expect(notice.subject).toBe('Someone tried to sign up with your address');
    expect(notice.text).toContain('If it was you, set a password with this link');
    expectOnlyOurWords(notice);
    const reset = await request('POST', '/api/auth/password-reset/confirm', {
      token: new URL(linkIn(notice.text)).searchParams.get('token')!,
      password: 'the victim’s own',
    });
    expect(reset.status).toBe(200);
    const mine = await call(base, 'GET', '/api/conversations', undefined, browserOf(reset));
    expect(mine.json.items.map((c: { id: number }) => c.id)).toEqual([filed.conversationId]);
  });

  it('confirms the contact form with a fixed subject and text: none of the name, subject or message typed into it', async () => {
    const to = `contact-${process.pid}@example.org`;
    const sent = await request('POST', '/api/contact', {
      name: 'Attacker',
      email: to,
      subject: 'Buy cheap pills',
      message: 'Visit spam.example for cheap pills',
    });
    expect(sent.status).toBe(201);
    await worker.runOnce();
    const [confirmation, ...more] = await mailsTo(to);
    expect(more).toEqual([]);
    expect(confirmation!.subject).toBe(`We received your message [${sent.json.number}]`);
    expect(confirmation!.text).toContain(`Your reference is ${sent.json.number}`);
    expectOnlyOurWords(confirmation!);
  });
});
