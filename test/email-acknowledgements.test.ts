import { describe, expect, it } from 'vitest';
import { ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY, createEmailSender, EMAIL_ACKNOWLEDGEMENT_JOB } from '../src/channels/email/index.js';
import { createOutboxWorker } from '../src/jobs/outbox-worker.js';
import { findNotification } from '../src/store/email.js';
import { findJob } from '../src/store/outbox.js';
import { MAIL_PEERS, rawMail } from './support/email.js';
import { type MailApi, mailsTo, receive, request, useMailApi } from './support/mail-api.js';

// Issue 14, item 5: the contact form must not relay mail to whatever address is typed into
// it. Its confirmation (fixed words, issue 13) goes out only with EMAIL_ACKNOWLEDGE on, and
// one address gets at most ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY acknowledgements and
// confirmations in 24 hours — counted in the database, so a restart or a second instance
// does not start the count again.

const contact = (api: MailApi, email: string, n: number) =>
  request(api, null, 'POST', '/api/contact', { name: 'Victim?', email, subject: `Subject ${n}`, message: `Message ${n}` });

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('with EMAIL_ACKNOWLEDGE off', () => {
  const api = useMailApi({ acknowledge: false });

  it('the contact form mails nothing to the address typed into it', async () => {
    const sent = await contact(api, 'typed@example.org', 1);
    expect(sent.status).toBe(201);
    // Nothing is even planned.
    expect(await api.worker.runOnce()).toBe(0);
    expect(await mailsTo(api, 'typed@example.org')).toEqual([]);
  });
});

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('with EMAIL_ACKNOWLEDGE on', () => {
  const api = useMailApi({ acknowledge: true, contact: { perIp: 100, perEmail: 100 } });

  it(`confirms at most ${ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY} times a day per address, across restarts, inbound email acknowledgements included`, async () => {
    const victim = 'victim@example.org';
    // An acknowledgement of the address's own mail counts too.
    await receive(api, rawMail({ from: victim, subject: 'Real question' }));
    for (let n = 1; n <= 2; n++) expect((await contact(api, victim, n)).status).toBe(201);
    expect(await api.worker.runOnce()).toBe(3);
    expect(await mailsTo(api, victim)).toHaveLength(3);

    // A "restarted" sender (a new one over the same database) still counts them.
    let now = Date.now();
    const restarted = createEmailSender({
      store: api.mail.store,
      inbox: api.mail.ctx,
      support: api.mail.channel.support,
      tokens: api.mail.channel.tokens,
      smtpUrl: `smtp://127.0.0.1:${api.sink.port}`,
      clock: () => now,
    });
    const worker = createOutboxWorker({ store: api.mail.store, handlers: restarted.handlers, clock: () => Math.max(api.mail.clock.now, now), log: () => {} });
    try {
      const fourth = await contact(api, victim, 4);
      expect(fourth.status).toBe(201);
      // Another address is not held back by it.
      expect((await contact(api, 'other@example.org', 5)).status).toBe(201);
      expect(await worker.runOnce()).toBe(2);
      expect(await mailsTo(api, victim)).toHaveLength(3);
      expect(await mailsTo(api, 'other@example.org')).toHaveLength(1);
      const number = Number(/\d+$/.exec(fourth.json.number)![0]);
      const job = await api.mail.store.db.selectFrom('conversations').select('id').where('number', '=', number).executeTakeFirstOrThrow();
      const key = `${EMAIL_ACKNOWLEDGEMENT_JOB}:${job.id}`;
      expect(await findJob(api.mail.store.db, key)).toMatchObject({ doneAt: expect.any(Number) });
      expect(await findNotification(api.mail.store.db, key)).toMatchObject({
        kind: 'contact_confirmation.limited',
        status: 'failed',
        error: expect.stringContaining('within a day'),
      });
      // Run again (a lost lease): still nothing.
      await restarted.handlers[EMAIL_ACKNOWLEDGEMENT_JOB]!(
        { conversationId: Number(job.id), messageId: 1, confirm: true },
        { id: 0, kind: EMAIL_ACKNOWLEDGEMENT_JOB, idempotencyKey: key, attempts: 2, createdAt: 0, lastAttempt: false },
      );
      expect(await mailsTo(api, victim)).toHaveLength(3);

      // A day later the address may hear from us again.
      now += 24 * 60 * 60 * 1000 + 1000;
      expect((await contact(api, victim, 6)).status).toBe(201);
      expect(await worker.runOnce()).toBe(1);
      const all = await mailsTo(api, victim);
      expect(all).toHaveLength(4);
      // The three contact-form confirmations (the sink's order is arrival order, not
      // sending order): fixed words only, whatever was typed.
      const confirmations = all.filter((mail) => !/Real question/.test(mail.subject ?? ''));
      expect(confirmations).toHaveLength(3);
      for (const confirmation of confirmations) {
        expect(confirmation.subject).toMatch(/^We received your message \[CONV-\d{6}\]$/);
        expect(`${confirmation.text}${confirmation.html}`).not.toMatch(/Subject \d|Message \d|Victim/);
      }
    } finally {
      await worker.stop();
      restarted.close();
    }
  });
});
