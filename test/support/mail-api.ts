import { afterAll, beforeAll, expect } from 'vitest';
import { accountsContext, createApiToken, createUser } from '../../src/accounts/index.js';
import { registerApi } from '../../src/http/api.js';
import type { ContactLimits } from '../../src/http/routes/contact.js';
import { buildServer } from '../../src/http/server.js';
import { createOutboxWorker, type OutboxWorker } from '../../src/jobs/outbox-worker.js';
import type { Role } from '../../src/store/schema.js';
import { queuedId, settled, swaks, testEmailPlanner, useEmailChannel, useSink, type EmailHarness, type Sink } from './email.js';

// The whole mail path for the issue-14 mail suites: the API (with uploads) over an inbox
// whose email channel listens on SMTP (swaks sends to it) and sends through the outbox
// to an aiosmtpd sink; `worker.runOnce()` sends what is due by the inbox's clock.

export type MailApi = {
  mail: EmailHarness;
  sink: Sink;
  http: string;
  worker: OutboxWorker;
};

export type ApiPerson = { id: number; name: string; email: string; token: string };

export function useMailApi(options: { acknowledge?: boolean; contact?: ContactLimits } = {}): MailApi {
  const sink = useSink();
  const mail = useEmailChannel({
    config: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}`, acknowledge: options.acknowledge ?? false }),
    sideEffects: [testEmailPlanner({ acknowledge: options.acknowledge ?? false })],
    attachments: true,
  });
  const harness = { mail, sink } as MailApi;
  let close: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    const app = buildServer({ store: mail.store });
    await registerApi(app, { inbox: mail.ctx, accounts: accountsContext(mail.store), secureCookies: false, attachments: { storage: mail.storage! }, contact: options.contact });
    harness.http = await app.listen({ port: 0, host: '127.0.0.1' });
    harness.worker = createOutboxWorker({ store: mail.store, handlers: mail.channel.handlers, clock: () => mail.clock.now, log: () => {} });
    close = async () => {
      await harness.worker.stop();
      await app.close();
    };
  });
  afterAll(async () => {
    await close?.();
  });
  return harness;
}

let n = 0;
export async function apiPerson(api: MailApi, role: Role, name?: string): Promise<ApiPerson> {
  const email = `${role}${++n}-${process.pid}@example.test`;
  const accounts = accountsContext(api.mail.store);
  const user = await createUser(accounts, { name: name ?? `${role} ${n}`, email, role, password: 'correct horse 1' });
  const token = await createApiToken(accounts, user.id, 'test');
  return { id: user.id, name: user.name, email, token: token.token };
}

export type Answer = { status: number; json: any };

/** A JSON request (or a form, given FormData) with the person's bearer token. */
export async function request(api: MailApi, who: ApiPerson | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const form = body instanceof FormData;
  const response = await fetch(api.http + path, {
    method,
    headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** Sends a raw mail into the listener and waits until it is filed. */
export async function receive(api: MailApi, raw: string, envelope: { from?: string; to?: string | string[] } = {}) {
  const result = await swaks(api.mail.port, { data: raw, ...envelope });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return settled(api.mail, queuedId(result));
}

/** The mails the sink received with this address among their To or Cc. */
export async function mailsTo(api: MailApi, address: string) {
  const has = (field: unknown) => !!field && typeof field === 'object' && 'value' in field && (field as { value: { address?: string }[] }).value.some((a) => a.address === address);
  return (await api.sink.received()).filter((m) => has(m.to) || has(m.cc));
}
