import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignConversation } from '../src/inbox/commands.js';
import { notificationDigestTimerKey, notificationMailTimerKey } from '../src/inbox/notifications/mail-plan.js';
import { listDeliveries } from '../src/store/notification-deliveries.js';
import { writeNotificationSetting, writePreferenceRow } from '../src/store/notification-preferences.js';
import { findTimer } from '../src/store/timers.js';
import { transact } from '../src/store/transaction.js';
import { ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { MAIL_PEERS, type Sink, testEmailConfig, useSink, waitFor } from './support/email.js';

// Notification mail (issue 18 "Email"), through the durable timers and the outbox to a real
// SMTP sink (aiosmtpd), on a fixed clock the test moves: skipped when read within the delay,
// one mail after it otherwise, threaded per user and conversation, digests that list their
// conversations and are never empty, and the admin's switch honoured when the mail is due.

const T0 = Date.UTC(2026, 0, 5, 8, 1); // a Monday, 08:01 UTC
const SECOND = 1000;
const DELAY = 120 * SECOND; // the built-in mailDelaySeconds
const clock = { now: T0 };
const read = () => clock.now;

let server: TestApp;
let admin: Person;
let customer: Person;
let n = 0;

const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: 'admin' | 'agent' | 'customer', name?: string) => newPerson(server, role, { name, password: null });
const newConversation = async () => (await ok(customer, 'POST', '/api/conversations', { subject: `Question ${++n}`, body: 'Hello' })).conversation as Json;
const customerReply = (id: number, body = 'More') => ok(customer, 'POST', `/api/conversations/${id}/messages`, { body });
const assign = (id: number, to: Person) => assignConversation(server.inbox, { conversation: id, assigneeId: to.id, by: { userId: admin.id } });

/** Runs the worker until nothing is due: a fired timer queues its job, which the next round sends. */
async function runDue(): Promise<void> {
  for (let i = 0; i < 20 && (await server.composition.worker.runOnce()) > 0; i++);
}

const mailsTo = async (sink: Sink, who: Person) => (await sink.received()).filter((m) => addresses(m).includes(who.email));
const addresses = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((t) => t.value.map((v) => v.address));
const deliveries = async (who: Person) => (await listDeliveries(server.store.db, who.id, { before: null, limit: 100 })).reverse();
const preferences = (who: Person, matrix: object, options: { digest?: object; mailDisabled?: boolean } = {}) =>
  transact(server.store, (tx) =>
    writePreferenceRow(tx, {
      userId: who.id,
      matrix: JSON.stringify(matrix),
      digest: options.digest ? JSON.stringify(options.digest) : null,
      mailDisabled: options.mailDisabled ?? false,
      updatedAt: clock.now,
    }),
  );

describe.skipIf(!MAIL_PEERS.aiosmtpd)('notification mail (timers → outbox → aiosmtpd sink)', () => {
  const sink = useSink();

  beforeAll(async () => {
    server = await startTestApp({
      clock: read,
      accountsClock: read,
      worker: { clock: read, run: false },
      config: { email: { ...testEmailConfig(), smtpListenPort: null, smtpUrl: `smtp://127.0.0.1:${sink.port}` } },
    });
    admin = await person('admin');
    customer = await person('customer', 'Ann Lee');
  });
  afterAll(() => server?.close());

  it('opened within the delay: no mail, and the delivery says skipped because read', async () => {
    const ann = await person('agent');
    const c = await newConversation();
    await assign(c.id, ann);
    clock.now += 30 * SECOND;
    await customerReply(c.id);
    // Ann opens the conversation: that marks its notifications read.
    clock.now += 30 * SECOND;
    await ok(ann, 'POST', `/api/conversations/${c.id}/read`);
    clock.now += DELAY;
    await runDue();
    expect(await mailsTo(sink, ann)).toEqual([]);
    const mine = (await deliveries(ann)).filter((d) => d.conversationId === c.id);
    expect(mine.map((d) => [d.channel, d.status, d.reason])).toEqual([
      // The new conversation in the unassigned queue: that kind mails nobody by default.
      ['email', 'skipped', 'preference'],
      ['email', 'skipped', 'read'],
      ['email', 'skipped', 'read'],
    ]);
  });

  it('not opened: exactly one mail after the delay, threaded with the earlier mail of that conversation, with the automatic headers', async () => {
    const bob = await person('agent', 'Bob Stone');
    const c = await newConversation();
    await assign(c.id, bob);
    clock.now += DELAY;
    await runDue();
    const [first] = await waitFor(async () => {
      const got = await mailsTo(sink, bob);
      return got.length === 1 && got;
    });
    expect(first!.text).toContain(`assigned ${c.number}`);

    // Three replies over a minute: one notification, one timer, not pushed back by the later ones.
    const start = clock.now;
    for (let i = 0; i < 3; i++) {
      await customerReply(c.id, `Reply number ${i}`);
      clock.now += 30 * SECOND;
    }
    expect((await findTimer(server.store.db, notificationMailTimerKey((await deliveries(bob)).at(-1)!.notificationId!)))?.dueAt).toBe(start + DELAY);
    clock.now = start + DELAY - 1;
    await runDue();
    expect(await mailsTo(sink, bob)).toHaveLength(1);
    clock.now = start + DELAY;
    await runDue();
    const mails = await waitFor(async () => {
      const got = await mailsTo(sink, bob);
      return got.length === 2 && got;
    });
    await runDue();
    expect(await mailsTo(sink, bob)).toHaveLength(2);

    const second = mails[1]!;
    expect(second.text).toContain(`3 new replies from Ann Lee on ${c.number}`);
    // An excerpt of the latest one: a customer's message, which the agent sees in the app.
    expect(second.text).toContain('> Reply number 2');
    expect(second.subject).toBe(first!.subject);
    expect(second.inReplyTo).toBe(first!.messageId);
    expect([second.references].flat()).toEqual([first!.messageId]);
    for (const mail of [first!, second]) {
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
      expect(mail.headers.get('precedence')).toBe('bulk');
      expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line).toBe('List-Unsubscribe: <http://localhost:3000/profile>');
      expect(mail.text).toContain(`http://localhost:3000/inbox/all?conversation=${c.id}`);
    }
    const mine = (await deliveries(bob)).filter((d) => d.conversationId === c.id && d.channel === 'email');
    expect(mine.map((d) => [d.status, d.target])).toEqual([
      ['skipped', null], // the unassigned queue's notice: mail off for that kind
      ['sent', bob.email],
      ['sent', bob.email],
    ]);
  });

  it('a mention in an internal note mails the mentioned agent without the note’s text', async () => {
    const cleo = await person('agent', 'Cleo Park');
    const writer = await person('agent', 'Dan Roe');
    const c = await newConversation();
    await ok(writer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Have a look: secret pricing detail', isInternal: true, mentions: [cleo.id] });
    clock.now += DELAY;
    await runDue();
    const [mail] = await waitFor(async () => {
      const got = await mailsTo(sink, cleo);
      return got.length === 1 && got;
    });
    expect(mail!.text).toContain(`Dan Roe mentioned you on ${c.number}`);
    expect(mail!.text).not.toContain('secret pricing');
    expect(mail!.html).not.toContain('secret pricing');
  });

  it('a digest of 30 customer replies over 7 conversations is one mail listing the 7, leaves out what was read and is never sent empty', async () => {
    const dana = await person('agent');
    await preferences(dana, { assigned: { email: 'off' }, customer_replied: { email: 'digest' } }, { digest: { every: '15m', at: '09:00', timeZone: 'UTC' } });
    const conversations = [];
    for (let i = 0; i < 8; i++) {
      const c = await newConversation();
      await assign(c.id, dana);
      conversations.push(c);
    }
    for (let i = 0; i < 30; i++) {
      clock.now += 10 * SECOND;
      await customerReply(conversations[i % 7]!.id, `Reply ${i}`);
    }
    // The eighth gets a reply Dana reads before the digest goes.
    await customerReply(conversations[7]!.id);
    await ok(dana, 'POST', `/api/conversations/${conversations[7]!.id}/read`);
    const timer = await findTimer(server.store.db, notificationDigestTimerKey(dana.id));
    expect(timer!.dueAt % (15 * 60 * SECOND)).toBe(0);
    clock.now = timer!.dueAt;
    await runDue();
    const [digest] = await waitFor(async () => {
      const got = await mailsTo(sink, dana);
      return got.length === 1 && got;
    });
    expect(digest!.subject).toBe('Notification digest: 7 conversations with news');
    for (const c of conversations.slice(0, 7)) expect(digest!.text).toContain(`${c.number} “${c.subject}”`);
    expect(digest!.text).not.toContain(conversations[7]!.number);
    expect(digest!.text).toContain('5 updates, latest from Ann Lee');
    expect(digest!.headers.get('auto-submitted')).toBe('auto-generated');
    const mine = (await deliveries(dana)).filter((d) => d.channel === 'digest');
    expect(mine.filter((d) => d.status === 'sent')).toHaveLength(7);
    expect(mine.filter((d) => d.status === 'skipped').map((d) => [d.conversationId, d.reason])).toEqual([[conversations[7]!.id, 'read']]);
    // Assignments, mail switched off for that kind: said so once each.
    expect((await deliveries(dana)).filter((d) => d.channel === 'email').every((d) => d.status === 'skipped' && d.reason === 'preference')).toBe(true);

    // Only a read one queued: the next slot sends nothing.
    await customerReply(conversations[7]!.id);
    await ok(dana, 'POST', `/api/conversations/${conversations[7]!.id}/read`);
    clock.now = (await findTimer(server.store.db, notificationDigestTimerKey(dana.id)))!.dueAt;
    await runDue();
    expect(await mailsTo(sink, dana)).toHaveLength(1);
    expect((await deliveries(dana)).at(-1)).toMatchObject({ channel: 'digest', status: 'skipped', reason: 'read' });
  });

  it('an admin switching mail off during the delay, for the person or for everyone: skipped because of the preference', async () => {
    const eve = await person('agent');
    const c = await newConversation();
    await assign(c.id, eve);
    await preferences(eve, {}, { mailDisabled: true });
    clock.now += DELAY;
    await runDue();

    const fay = await person('agent');
    const d = await newConversation();
    await assign(d.id, fay);
    await transact(server.store, (tx) => writeNotificationSetting(tx, 'team', JSON.stringify({ mailEnabled: false })));
    clock.now += DELAY;
    try {
      await runDue();
    } finally {
      await transact(server.store, (tx) => writeNotificationSetting(tx, 'team', JSON.stringify({ mailEnabled: true })));
    }
    for (const [who, id] of [
      [eve, c.id],
      [fay, d.id],
    ] as const) {
      expect(await mailsTo(sink, who)).toEqual([]);
      // The assignment's mail was queued, then settled when its timer found mail switched off.
      const assigned = (await deliveries(who)).filter((x) => x.conversationId === id && x.channel === 'email').at(-1)!;
      expect(assigned).toMatchObject({ status: 'skipped', reason: 'preference' });
      expect(assigned.updatedAt).toBeGreaterThan(assigned.createdAt);
    }
  });
});

describe('notification mail without SMTP', () => {
  it('settles the delivery failed with a clear error, and nothing crashes', async () => {
    const app = await startTestApp({ clock: read, accountsClock: read, worker: { clock: read, run: false } });
    try {
      const boss = await newPerson(app, 'admin', { password: null });
      const gil = await newPerson(app, 'agent', { password: null });
      const client = await newPerson(app, 'customer', { password: null });
      const c = (await apiOk(app, client, 'POST', '/api/conversations', { subject: 'No SMTP', body: 'Hello' })).conversation as Json;
      await assignConversation(app.inbox, { conversation: c.id, assigneeId: gil.id, by: { userId: boss.id } });
      clock.now += DELAY;
      for (let i = 0; i < 10 && (await app.composition.worker.runOnce()) > 0; i++);
      const [delivery] = (await listDeliveries(app.store.db, gil.id, { before: null, limit: 10 })).filter((d) => d.channel === 'email');
      expect(delivery).toMatchObject({ status: 'failed', error: expect.stringContaining('SMTP_URL') });
    } finally {
      await app.close();
    }
  });
});
