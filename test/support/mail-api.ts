import { afterAll, beforeAll, expect } from 'vitest';
import { accountsContext } from '../../src/accounts/index.js';
import type { LocalAttachmentStorage } from '../../src/attachments/index.js';
import type { EmailChannelConfig } from '../../src/channels/email/index.js';
import type { ContactLimits } from '../../src/http/routes/contact.js';
import type { SideEffectPlanner } from '../../src/inbox/context.js';
import type { OutboxWorker } from '../../src/jobs/outbox-worker.js';
import type { Role } from '../../src/store/schema.js';
import { person, startTestApp, type TestApp } from './app.js';
import { type EmailHarness, queuedId, type Sink, settled, swaks, testEmailConfig, useSink } from './email.js';

// The whole mail path for the issue-14 mail suites: the app as src/compose.ts builds it,
// with uploads and an email channel that listens on SMTP (swaks sends to it) and sends
// through the outbox to an aiosmtpd sink; `worker.runOnce()` sends what is due by the
// inbox's clock.

export type MailApi = {
  mail: EmailHarness;
  sink: Sink;
  http: string;
  worker: OutboxWorker;
};

export type ApiPerson = { id: number; name: string; email: string; token: string };

export type EmailAppOptions = {
  /** Evaluated when the app starts, after the hooks registered before this call (a sink's port, say). */
  email?: Partial<EmailChannelConfig> | (() => Partial<EmailChannelConfig>);
  floodLimit?: { count: number; windowMs: number };
  /** Planned besides the channel's own (which plans nothing without SMTP_URL). */
  sideEffects?: SideEffectPlanner[];
  reopenClosedOnCustomerReply?: boolean;
  contact?: ContactLimits;
  publicUrl?: string;
  uploads?: boolean;
  /** The worker's clock, given the inbox's test clock; default: that clock. */
  workerClock?: (inboxClock: { now: number }) => () => number;
};

export type EmailApp = { mail: EmailHarness; app: TestApp };

/**
 * The app as src/compose.ts builds it with its email channel listening on SMTP, for the
 * file: `mail` is the channel's harness (its store, inbox with a test clock, port), `app`
 * the server. The worker does not run by itself: `app.composition.worker.runOnce()`.
 */
export function useEmailApp(options: EmailAppOptions = {}): EmailApp {
  const mail = { published: [] } as unknown as EmailHarness;
  const harness = { mail } as EmailApp;
  beforeAll(async () => {
    const clock = {
      now: Date.UTC(2026, 0, 1),
      advance(ms: number) {
        clock.now += ms;
        return clock.now;
      },
    };
    const app = await startTestApp({
      config: {
        email: { ...testEmailConfig(), ...(typeof options.email === 'function' ? options.email() : options.email) },
        ...(options.reopenClosedOnCustomerReply !== undefined ? { reopenClosedOnCustomerReply: options.reopenClosedOnCustomerReply } : {}),
        ...(options.contact ? { contact: options.contact } : {}),
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      },
      // Every call moves time on by 1 ms so orderings by time are never ties by accident.
      clock: () => ++clock.now,
      worker: { clock: options.workerClock?.(clock) ?? (() => clock.now), run: false },
      uploads: options.uploads ?? false,
      sideEffects: options.sideEffects,
      emailFloodLimit: options.floodLimit ?? { count: 1000, windowMs: 10 * 60_000 },
    });
    harness.app = app;
    const { composition } = app;
    composition.bus.subscribe((events) => mail.published.push(...events));
    Object.assign(mail, {
      store: app.store,
      ctx: app.inbox,
      clock,
      channel: composition.email!,
      dataDir: app.dataDir,
      port: composition.email!.smtpPort ?? 0,
      storage: composition.uploads?.storage as LocalAttachmentStorage | undefined,
    });
  });
  afterAll(async () => {
    await harness.app?.close();
  });
  return harness;
}

export type MailApiOptions = Omit<EmailAppOptions, 'email' | 'uploads'> & { acknowledge?: boolean };

/** useEmailApp with uploads, sending to an aiosmtpd sink. */
export function useMailApi(options: MailApiOptions = {}): MailApi {
  const sink = useSink();
  const composed = useEmailApp({
    ...options,
    email: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}`, acknowledge: options.acknowledge ?? false }),
    uploads: true,
  });
  const harness = { mail: composed.mail, sink } as MailApi;
  beforeAll(() => {
    harness.http = composed.app.http;
    harness.worker = composed.app.composition.worker;
  });
  return harness;
}

/** person() of test/support/app.ts, on the mail app's database. */
export function apiPerson(api: MailApi, role: Role, name?: string): Promise<ApiPerson> {
  return person({ accounts: accountsContext(api.mail.store) }, role, name);
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
  const has = (field: unknown) =>
    !!field && typeof field === 'object' && 'value' in field && (field as { value: { address?: string }[] }).value.some((a) => a.address === address);
  return (await api.sink.received()).filter((m) => has(m.to) || has(m.cc));
}
