import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { requestSurvey } from '../src/inbox/commands/csat.js';
import { addMessage, createConversation, inUnit } from '../src/inbox/commands.js';
import { CSAT_EXPIRY_MS, csatTimerKey } from '../src/inbox/csat.js';
import { openPostgres, openSqlite } from '../src/store/database.js';
import type { CsatSurveyRow } from '../src/store/schema-csat.js';
import { findTimer } from '../src/store/timers.js';
import { ok as apiOk, call, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { MAIL_PEERS, rawMail, type Sink, swaks, testEmailConfig, uniqueId, useSink, waitFor } from './support/email.js';

// Customer satisfaction (issue 19 "CSAT"), through the real app on a fixed clock: the
// resolve's timer, the survey mail to a real SMTP sink (aiosmtpd), the link's page (GET
// records nothing, POST records), the rules that ask nobody, the low-rating notification,
// the wrong-token limit, and the team's and the portal's routes.

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const DELAY = 10 * MINUTE; // CSAT_DELAY_SECONDS' default
const clock = { now: T0 };
const read = () => clock.now;

let server: TestApp;
let admin: Person;
let agent: Person;
let n = 0;

const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: 'admin' | 'agent' | 'customer', name?: string) => newPerson(server, role, { name, password: null });
const customerAddress = () => `csat${++n}-${process.pid}@example.org`;

/** An email conversation from a new customer address, answered by `agent` and assigned to them. */
async function answeredEmailConversation(subject = `Order question ${++n}`, address = customerAddress()) {
  const { conversation } = await createConversation(server.inbox, { channel: 'email', from: { customerEmail: address }, subject, body: 'Where is my order?' });
  await ok(admin, 'PATCH', `/api/conversations/${conversation.id}`, { assignedTo: agent.id });
  await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'It ships today.' });
  return { id: conversation.id, number: conversation.number, subject, address };
}

const resolve = (id: number, who: Person = agent) => ok(who, 'PATCH', `/api/conversations/${id}`, { status: 'resolved' });

/** Runs the worker until nothing is due: a fired timer queues the mail job, which the next round sends. */
async function runDue(): Promise<void> {
  for (let i = 0; i < 20 && (await server.composition.worker.runOnce()) > 0; i++);
}

const surveysOf = (conversationId: number): Promise<CsatSurveyRow[]> =>
  server.store.db.selectFrom('csat_surveys').selectAll().where('conversationId', '=', conversationId).orderBy('id').execute();
const eventsOf = async (conversationId: number, type: string) =>
  (
    await server.store.db.selectFrom('conversation_events').selectAll().where('conversationId', '=', conversationId).where('eventType', '=', type).execute()
  ).map((e) => ({
    ...e,
    newValue: e.newValue === null ? null : JSON.parse(e.newValue),
  }));
/** The survey mails to `address` (the agents' replies go there too). */
const surveyMailsTo = async (sink: Sink, address: string) =>
  (await sink.received()).filter((m) => addressesOf(m).includes(address) && (m.text ?? '').includes('/csat/'));
const addressesOf = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((t) => t.value.map((v) => v.address));
const linksIn = (text: string) =>
  [...text.matchAll(/http:\/\/localhost:3000\/csat\/([A-Za-z0-9_-]+)\?r=(\d)/g)].map((m) => ({ token: m[1]!, rating: Number(m[2]) }));

const page = (token: string, query = '', remoteAddress?: string) => server.app.inject({ method: 'GET', url: `/csat/${token}${query}`, remoteAddress });
const post = (token: string, form: Record<string, string>, remoteAddress?: string) =>
  server.app.inject({
    method: 'POST',
    url: `/csat/${token}`,
    payload: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    remoteAddress,
  });

/** A survey sent through the timer for a new answered conversation; its token is taken from the row's mail. */
async function surveyed(sink: Sink) {
  const c = await answeredEmailConversation();
  await resolve(c.id);
  clock.now += DELAY;
  await runDue();
  const [mail] = await waitFor(async () => {
    const got = await surveyMailsTo(sink, c.address);
    return got.length > 0 && got;
  });
  return { ...c, mail: mail!, token: linksIn(mail!.text ?? '')[0]!.token };
}

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('customer satisfaction surveys (timer → command → mail → page)', () => {
  const sink = useSink();

  beforeAll(async () => {
    server = await startTestApp({
      clock: read,
      accountsClock: read,
      worker: { clock: read, run: false },
      config: { email: { ...testEmailConfig(), smtpListenPort: 0, smtpUrl: `smtp://127.0.0.1:${sink.port}` } },
    });
    admin = await person('admin', 'Ada Admin');
    agent = await person('agent', 'Ben Agent');
  });
  afterAll(() => server?.close());

  it('resolving an email conversation mails exactly one survey after the delay: five links, automatic, threaded into the conversation', async () => {
    const address = customerAddress();
    const messageId = uniqueId('csat');
    const sent = await swaks(server.composition.email!.smtpPort!, {
      from: address,
      data: rawMail({ from: `Carla Customer <${address}>`, subject: 'Broken zipper', messageId: `<${messageId}>`, body: 'The zipper broke on day two.' }),
    });
    expect(sent.code).toBe(0);
    const conversation = await waitFor(async () => {
      const { items } = await ok(agent, 'GET', '/api/conversations?channel=email&limit=100');
      return (items as Json[]).find((c) => c.customer.email === address);
    });
    await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'A new one is on its way.' });
    await resolve(conversation.id);
    const timer = await findTimer(server.store.db, csatTimerKey(conversation.id));
    expect(timer?.dueAt).toBe(clock.now + DELAY);

    clock.now += DELAY - 1;
    await runDue();
    expect(await surveysOf(conversation.id)).toEqual([]);
    clock.now += 1;
    await runDue();
    await runDue();
    const mails = await waitFor(async () => {
      const got = await surveyMailsTo(sink, address);
      return got.length === 1 && got;
    });
    // A second firing (a retried timer) asks nothing again.
    await runDue();
    expect(await surveyMailsTo(sink, address)).toHaveLength(1);

    const mail = mails[0]!;
    const links = linksIn(mail.text ?? '');
    expect(links.map((l) => l.rating)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(links.map((l) => l.token)).size).toBe(1);
    expect(links[0]!.token).toHaveLength(43);
    expect(mail.subject).toBe(`Re: Broken zipper [${conversation.number}]`);
    expect(mail.inReplyTo).toBe(`<${messageId}>`);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');

    const [survey] = await surveysOf(conversation.id);
    expect(survey).toMatchObject({ sentVia: 'email', channel: 'email', rating: null, agentId: agent.id, sentAt: clock.now, expiresAt: clock.now + 14 * DAY });
    // Only the token's hash is stored.
    expect(survey!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(survey)).not.toContain(links[0]!.token);
    const [requested] = await eventsOf(conversation.id, 'csat_requested');
    expect(requested).toMatchObject({ origin: 'system', newValue: { surveyId: Number(survey!.id), sentVia: 'email' } });
  });

  it('the link’s page shows the subject and the chosen rating and records nothing; its POST records, a second POST changes it and keeps the first', async () => {
    const s = await surveyed(sink);
    const before = (await surveysOf(s.id))[0]!;
    const shown = await page(s.token, '?r=4');
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain(s.subject);
    expect(shown.body).toMatch(/value="4" required checked/);
    expect(shown.body).not.toMatch(/value="[1235]" required checked/);
    // Scanners open links: GET, again and again, changes nothing.
    await page(s.token, '?r=1');
    expect((await surveysOf(s.id))[0]).toEqual(before);
    expect(await eventsOf(s.id, 'csat_received')).toEqual([]);

    clock.now += MINUTE;
    const first = await post(s.token, { rating: '4', comment: 'Quick and kind.' });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Your rating was recorded');
    expect((await surveysOf(s.id))[0]).toMatchObject({ rating: 4, comment: 'Quick and kind.', respondedAt: clock.now, history: '[]' });
    const firstAt = clock.now;

    clock.now += MINUTE;
    const second = await post(s.token, { rating: '5', comment: '' });
    expect(second.body).toContain('Your rating was changed');
    const changed = (await surveysOf(s.id))[0]!;
    expect(changed).toMatchObject({ rating: 5, comment: null, respondedAt: clock.now });
    expect(JSON.parse(changed.history)).toEqual([{ rating: 4, comment: 'Quick and kind.', at: firstAt }]);
    const received = await eventsOf(s.id, 'csat_received');
    expect(received.map((e) => [e.origin, e.newValue.rating, e.oldValue === null ? null : JSON.parse(e.oldValue)])).toEqual([
      ['customer', 4, null],
      ['customer', 5, 4],
    ]);

    // A rating out of the scale, or a comment too long, records nothing.
    expect((await post(s.token, { rating: '9' })).statusCode).toBe(400);
    expect((await post(s.token, { rating: '3', comment: 'x'.repeat(2001) })).statusCode).toBe(400);
    expect((await surveysOf(s.id))[0]!.rating).toBe(5);
  });

  it('after 14 days the page answers 410 and nothing is recorded', async () => {
    const s = await surveyed(sink);
    clock.now += 14 * DAY;
    expect((await page(s.token, '?r=5')).statusCode).toBe(410);
    const refused = await post(s.token, { rating: '5' });
    expect(refused.statusCode).toBe(410);
    expect(refused.body).toContain('This survey has closed');
    expect((await surveysOf(s.id))[0]!.rating).toBeNull();
  });

  it('the page shows the subject and nothing else of the conversation', async () => {
    const s = await surveyed(sink);
    const shown = (await page(s.token, '?r=3')).body;
    expect(shown).toContain(s.subject);
    for (const secret of ['Where is my order?', 'It ships today.', s.address, s.number, agent.name, 'Ben', 'conversation='])
      expect(shown, `the page shows ${secret}`).not.toContain(secret);
    const after = (await post(s.token, { rating: '3' })).body;
    for (const secret of ['Where is my order?', s.address, s.number, agent.name]) expect(after).not.toContain(secret);
  });

  it('a customer reply within the delay asks nothing; resolving again asks about the new cycle', async () => {
    const c = await answeredEmailConversation();
    await resolve(c.id);
    clock.now += 2 * MINUTE;
    await addMessage(server.inbox, { conversation: c.id, from: { customerEmail: c.address }, body: 'Thanks! One more thing…' });
    clock.now += DELAY;
    await runDue();
    expect(await surveysOf(c.id)).toEqual([]);

    await ok(agent, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Sure, done.' });
    await resolve(c.id);
    clock.now += DELAY;
    await runDue();
    const surveys = await surveysOf(c.id);
    expect(surveys).toHaveLength(1);
    const [, second] = await eventsOf(c.id, 'resolved');
    expect(surveys[0]!.resolvedEventId).toBe(second!.id);
  });

  it('closing within the delay still asks about the resolved cycle; reopening and closing asks nothing', async () => {
    const c = await answeredEmailConversation();
    await resolve(c.id);
    clock.now += 2 * MINUTE;
    await ok(agent, 'PATCH', `/api/conversations/${c.id}`, { status: 'closed' });
    clock.now += DELAY;
    await runDue();
    const [resolved] = await eventsOf(c.id, 'resolved');
    expect((await surveysOf(c.id)).map((s) => s.resolvedEventId)).toEqual([resolved!.id]);

    const other = await answeredEmailConversation();
    await resolve(other.id);
    clock.now += MINUTE;
    await ok(agent, 'PATCH', `/api/conversations/${other.id}`, { status: 'open' });
    await ok(agent, 'PATCH', `/api/conversations/${other.id}`, { status: 'closed' });
    clock.now += DELAY;
    await runDue();
    expect(await surveysOf(other.id)).toEqual([]);
  });

  it('a customer is asked at most once in the cooldown (7 days), whichever conversation', async () => {
    const address = customerAddress();
    const first = await answeredEmailConversation(undefined, address);
    await resolve(first.id);
    clock.now += DELAY;
    await runDue();
    expect(await surveysOf(first.id)).toHaveLength(1);

    clock.now += 6 * DAY;
    const second = await answeredEmailConversation(undefined, address);
    await resolve(second.id);
    clock.now += DELAY;
    await runDue();
    expect(await surveysOf(second.id)).toEqual([]);

    clock.now += DAY;
    const third = await answeredEmailConversation(undefined, address);
    await resolve(third.id);
    clock.now += DELAY;
    await runDue();
    expect(await surveysOf(third.id)).toHaveLength(1);
  });

  it('two instances’ timers due at once for one customer ask once: the cooldown holds between them', async () => {
    // Four customers with two resolved conversations each; each pair's timers fire together, one on each instance.
    const pairs = [];
    for (let i = 0; i < 4; i++) {
      const address = customerAddress();
      const pair = [await answeredEmailConversation(undefined, address), await answeredEmailConversation(undefined, address)];
      for (const c of pair) await resolve(c.id);
      pairs.push(pair);
    }
    clock.now += DELAY;
    const settings = { enabled: true, delayMs: DELAY, cooldownMs: 7 * DAY, expiryMs: CSAT_EXPIRY_MS, mail: true };
    // A second instance: its own connections, so its transactions run beside this one's.
    const { store } = server;
    const other = store.dialect === 'postgres' ? openPostgres(store.connectionString!) : openSqlite(store.location);
    try {
      // Connected before the race, or its first connection alone would put it behind.
      await other.db.selectFrom('csat_surveys').select('id').limit(1).execute();
      const instances = [server.inbox, { ...server.inbox, store: other }];
      const due = await Promise.all(pairs.flat().map(async (c) => ({ conversationId: c.id, resolvedEventId: (await eventsOf(c.id, 'resolved')).at(-1)!.id })));
      const results = await Promise.all(due.map((timer, i) => requestSurvey(instances[i % 2]!, { ...timer, settings })));
      for (let i = 0; i < pairs.length; i++) {
        expect([results[2 * i]!.sent, results[2 * i + 1]!.sent].sort()).toEqual([false, true]);
        const [a, b] = pairs[i]!;
        expect((await surveysOf(a!.id)).length + (await surveysOf(b!.id)).length).toBe(1);
      }
      expect(results.filter((r) => !r.sent).map((r) => !r.sent && r.reason)).toEqual(['cooldown', 'cooldown', 'cooldown', 'cooldown']);
    } finally {
      await other.close();
    }
  });

  it('asks nobody about a bot-only chat, imported history or spam', async () => {
    // The bot answered, nobody of the team wrote: resolved by an agent without a word.
    const chat = await createConversation(server.inbox, {
      channel: 'chatbot',
      from: { customerEmail: customerAddress() },
      subject: 'Opening hours',
      body: 'When are you open?',
      withBot: true,
    });
    await addMessage(server.inbox, { conversation: chat.conversation.id, from: { bot: 'Helper bot' }, body: 'We are open 9 to 5.' });
    await resolve(chat.conversation.id);
    // An internal note is no reply either.
    const noted = await createConversation(server.inbox, { channel: 'email', from: { customerEmail: customerAddress() }, subject: 'Noted', body: 'Hello?' });
    await ok(agent, 'POST', `/api/conversations/${noted.conversation.id}/messages`, { body: 'Looking into it', isInternal: true });
    await resolve(noted.conversation.id);

    const imported = await inUnit(
      server.inbox,
      async (unit) => {
        const created = await createConversation(unit, {
          channel: 'email',
          from: { customerEmail: customerAddress() },
          subject: 'Old',
          body: 'from the old helpdesk',
        });
        await addMessage(unit, { conversation: created.conversation.id, from: { userId: agent.id }, body: 'our old answer' });
        return created.conversation;
      },
      { origin: 'import' },
    );
    await resolve(imported.id);

    const spam = await answeredEmailConversation();
    await resolve(spam.id);
    await ok(agent, 'POST', `/api/conversations/${spam.id}/spam`, {});

    clock.now += DELAY;
    await runDue();
    expect(await surveysOf(chat.conversation.id)).toEqual([]);
    expect(await surveysOf(noted.conversation.id)).toEqual([]);
    expect(await surveysOf(imported.id)).toEqual([]);
    expect(await surveysOf(spam.id)).toEqual([]);
  });

  it('a rating of 1 notifies the assignee and the admins, nobody else', async () => {
    const bystander = await person('agent', 'Cleo Bystander');
    const s = await surveyed(sink);
    clock.now += MINUTE;
    expect((await post(s.token, { rating: '1', comment: 'Took a week.' })).statusCode).toBe(200);
    const bell = async (who: Person) => ((await ok(who, 'GET', '/api/notifications')).items as Json[]).filter((x) => x.conversation.id === s.id);
    expect((await bell(agent)).map((x) => x.kind)).toContain('csat_low_rating');
    expect((await bell(admin)).map((x) => x.kind)).toContain('csat_low_rating');
    expect((await bell(bystander)).map((x) => x.kind)).not.toContain('csat_low_rating');
    // Its mail (immediate by default, after the team's 2 minutes) says what happened.
    clock.now += 3 * MINUTE;
    await runDue();
    const [alert] = await waitFor(async () => {
      const got = (await sink.received()).filter((m) => addressesOf(m).includes(agent.email) && (m.text ?? '').includes('out of 5'));
      return got.length > 0 && got;
    });
    expect(alert!.text).toContain(`rated their conversation ${s.number} “${s.subject}” 1 or 2 out of 5`);

    // A good rating tells nobody.
    const good = await surveyed(sink);
    await post(good.token, { rating: '5' });
    expect((await bell(admin)).filter((x) => x.kind === 'csat_low_rating')).toHaveLength(1);
  });

  it('100 wrong tokens from one address: the next request is refused with 429, other addresses are not', async () => {
    const s = await surveyed(sink);
    const guesser = '10.9.8.7';
    for (let i = 0; i < 100; i++) {
      const wrong = Buffer.alloc(32, i).toString('base64url');
      expect((await page(wrong, '?r=5', guesser)).statusCode).toBe(404);
    }
    expect((await page(s.token, '', guesser)).statusCode).toBe(429);
    expect((await post(s.token, { rating: '5' }, guesser)).statusCode).toBe(429);
    expect((await surveysOf(s.id))[0]!.rating).toBeNull();
    expect((await page(s.token, '', '10.9.8.6')).statusCode).toBe(200);
  });

  it('the team lists the surveys and sends one by hand, once per resolve; customers may do neither', async () => {
    const c = await answeredEmailConversation();
    const customer = await person('customer');
    expect((await call(server, customer, 'POST', `/api/conversations/${c.id}/csat`)).status).toBe(404);
    // Not resolved yet: nothing to ask about.
    expect((await call(server, agent, 'POST', `/api/conversations/${c.id}/csat`)).status).toBe(409);
    await resolve(c.id);
    const sent = await ok(agent, 'POST', `/api/conversations/${c.id}/csat`);
    expect((await call(server, agent, 'POST', `/api/conversations/${c.id}/csat`)).status).toBe(409);
    // The timer that follows finds the cycle asked.
    clock.now += DELAY;
    await runDue();
    const surveys = await surveysOf(c.id);
    expect(surveys.map((s) => [Number(s.id), s.sentVia])).toEqual([[sent.surveyId, 'manual']]);

    const { surveys: listed } = await ok(admin, 'GET', '/api/csat?limit=100');
    expect((listed as Json[]).find((s) => s.id === sent.surveyId)).toMatchObject({
      conversation: { id: c.id, number: c.number, subject: c.subject, url: `/inbox/all?conversation=${c.id}` },
      sentVia: 'manual',
      rating: null,
      agent: { id: agent.id, name: agent.name },
    });
    expect((await call(server, customer, 'GET', '/api/csat')).status).toBe(403);
  });

  it('the portal shows a ticket’s survey to its customer, who rates it there', async () => {
    const customer = await newPerson(server, 'customer', { password: null });
    const { conversation } = await ok(customer, 'POST', '/api/conversations', { subject: 'Invoice copy', body: 'Please send a copy.' });
    await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Attached.' });
    await resolve(conversation.id);
    expect((await ok(customer, 'GET', `/api/conversations/${conversation.id}/csat`)).survey).toBeNull();
    clock.now += DELAY;
    await runDue();
    expect((await ok(customer, 'GET', `/api/conversations/${conversation.id}/csat`)).survey).toMatchObject({ rating: null, open: true });
    const other = await person('customer');
    expect((await call(server, other, 'PUT', `/api/conversations/${conversation.id}/csat`, { rating: 5 })).status).toBe(404);
    const { survey } = await ok(customer, 'PUT', `/api/conversations/${conversation.id}/csat`, { rating: 4, comment: 'Fine' });
    expect(survey).toMatchObject({ rating: 4, comment: 'Fine', open: true });
    expect((await surveysOf(conversation.id))[0]).toMatchObject({ sentVia: 'portal', rating: 4 });
  });
});

describe('customer satisfaction switched off (CSAT_ENABLED=false)', () => {
  let off: TestApp;
  beforeAll(async () => {
    off = await startTestApp({ clock: read, worker: { clock: read, run: false }, config: { csat: loadConfig({ CSAT_ENABLED: 'false' }, '').csat } });
  });
  afterAll(() => off?.close());

  it('reads the CSAT variables, and refuses nonsense', () => {
    expect(loadConfig({}, '').csat).toEqual({ enabled: true, delaySeconds: 600, cooldownDays: 7 });
    expect(loadConfig({ CSAT_ENABLED: 'false', CSAT_DELAY_SECONDS: '30', CSAT_COOLDOWN_DAYS: '0' }, '').csat).toEqual({
      enabled: false,
      delaySeconds: 30,
      cooldownDays: 0,
    });
    expect(() => loadConfig({ CSAT_DELAY_SECONDS: '-1' }, '')).toThrow(/CSAT_DELAY_SECONDS/);
  });

  it('a resolve arms no survey, and none can be sent by hand', async () => {
    const who = await newPerson(off, 'agent', { password: null });
    const { conversation } = await createConversation(off.inbox, { channel: 'email', from: { customerEmail: customerAddress() }, subject: 'Off', body: 'Hi' });
    await apiOk(off, who, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Hello' });
    await apiOk(off, who, 'PATCH', `/api/conversations/${conversation.id}`, { status: 'resolved' });
    expect(await findTimer(off.store.db, csatTimerKey(conversation.id))).toBeUndefined();
    expect((await call(off, who, 'POST', `/api/conversations/${conversation.id}/csat`)).status).toBe(403);
  });
});
