import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxWorker } from '../src/jobs/outbox-worker.js';
import { startTestApp, type TestApp } from './support/app.js';
import { MAIL_PEERS, testEmailConfig, useSink } from './support/email.js';
import { Live, type Person, person, sleep } from './support/live.js';

// The delivery of agents' replies as the team sees it: `delivery` on messages over REST,
// `message.updated` frames on the live stream, and the retry action — with the mail
// really sent to (and refused by) an aiosmtpd sink. Customers never see any of it.

describe.skipIf(!MAIL_PEERS.aiosmtpd)('mail delivery in the inbox API', () => {
  const sink = useSink();
  let on: TestApp;
  let worker: OutboxWorker;

  beforeAll(async () => {
    on = await startTestApp({
      // The email channel without a listener: replies go out through the sink.
      config: { email: { ...testEmailConfig(), smtpListenPort: null, smtpUrl: `smtp://127.0.0.1:${sink.port}` } },
      realtime: { pollMs: 50 },
      // Past the continuity delay: the ticket reply below is due at once.
      worker: { clock: () => Date.now() + 120_000, run: false },
    });
    worker = on.composition.worker;
  });
  afterAll(async () => {
    await on?.close();
  });

  const request = (who: Person, method: string, path: string, body?: unknown) =>
    fetch(on.http + path, {
      method,
      headers: { authorization: `Bearer ${who.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it('shows the team queued → failed → (retry) queued → sent, live, and the customer nothing of it', async () => {
    const agent = await person(on, 'agent');
    const customer = await person(on, 'customer');
    const team = await Live.as(agent, on);
    const own = await Live.as(customer, on);
    try {
      const opened = await request(customer, 'POST', '/api/conversations', { subject: 'Login broken', body: 'The portal says my password is wrong.' });
      expect(opened.status).toBe(201);
      const { conversation } = (await opened.json()) as { conversation: { id: number } };
      const replied = await request(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Try the reset link.' });
      const { message } = (await replied.json()) as { message: { id: number; delivery: unknown } };
      expect(message.delivery).toMatchObject({ status: 'queued', error: null, attempts: 0, updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

      sink.refuse([customer.email]);
      expect(await worker.runOnce()).toBe(1);
      const failed = await team.waitFor((f) => f.type === 'message.updated' && f.data.message.delivery?.status === 'failed');
      expect(failed.data.message).toMatchObject({ id: message.id, delivery: { status: 'failed', error: expect.stringContaining('550'), attempts: 1 } });
      expect(failed.data.conversation).toMatchObject({ id: conversation.id });

      const path = `/api/conversations/${conversation.id}/messages`;
      const teamView = (await (await request(agent, 'GET', path)).json()) as { items: { id: number; delivery?: unknown }[] };
      expect(teamView.items.find((m) => m.id === message.id)!.delivery).toMatchObject({ status: 'failed' });
      // The customer's own message is not mailed: null for the team.
      expect(teamView.items[0]!.delivery).toBeNull();
      const customerView = (await (await request(customer, 'GET', path)).json()) as { items: Record<string, unknown>[] };
      expect(customerView.items.length).toBe(2);
      for (const item of customerView.items) expect(item).not.toHaveProperty('delivery');

      expect((await request(customer, 'POST', `${path}/${message.id}/retry`)).status).toBe(403);
      expect((await request(agent, 'POST', `${path}/999999/retry`)).status).toBe(404);
      const notMailed = await request(agent, 'POST', `${path}/${teamView.items[0]!.id}/retry`);
      expect(notMailed.status).toBe(409);
      expect(await notMailed.json()).toEqual({ error: { code: 'conflict', message: 'this message is not mailed', field: 'messageId' } });

      sink.refuse([]);
      const retried = await request(agent, 'POST', `${path}/${message.id}/retry`);
      expect(retried.status).toBe(202);
      expect(((await retried.json()) as { message: { delivery: unknown } }).message.delivery).toMatchObject({ status: 'queued', error: null, attempts: 1 });
      const again = await request(agent, 'POST', `${path}/${message.id}/retry`);
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { message: string } }).error.message).toBe('only a failed delivery can be retried; this one is queued');

      expect(await worker.runOnce()).toBe(1);
      await team.waitFor((f) => f.type === 'message.updated' && f.data.message.delivery?.status === 'sent');
      expect((await sink.received()).filter((m) => m.text?.includes('Try the reset link.'))).toHaveLength(1);

      // The customer's socket heard the reply itself, and nothing about its mailing.
      await own.waitFor((f) => f.type === 'message.created' && f.data.message.id === message.id);
      await sleep(300);
      expect(own.events().filter((f) => f.type === 'message.updated')).toEqual([]);
      expect(JSON.stringify(own.frames)).not.toContain('"delivery"');
    } finally {
      await team.close();
      await own.close();
    }
  });

  it('documents the retry route and the delivery field in OpenAPI', async () => {
    const document = (await (await fetch(`${on.http}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    expect(Object.keys(document.paths['/api/conversations/{id}/messages/{messageId}/retry']!.post!.responses)).toEqual(expect.arrayContaining(['202', '409']));
    expect(document.components.schemas.Message!.properties).toHaveProperty('delivery');
  });
});
