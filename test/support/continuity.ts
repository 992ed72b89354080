import type { ParsedMail } from 'mailparser';
import type { Person, WebApp } from './browser.js';
import { type Sink, waitFor } from './email.js';

// Continuity mail, as the tests of chat read marks watch it: an agent's chat reply is
// mailed to the customer after EMAIL_CONTINUITY_DELAY_SECONDS unless they have read it.

type Json = Record<string, any>;

/** The server with an outbound sink and a short continuity delay. */
export function continuityEnv(sink: Sink, delaySeconds: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SUPPORT_ADDRESSES: 'support@example.test',
    SMTP_LISTEN_PORT: 'off',
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    EMAIL_CONTINUITY_DELAY_SECONDS: String(delaySeconds),
    ...extra,
  };
}

/** Mail the sink received for this address (its envelope recipient). */
export async function mailsTo(sink: Sink, address: string): Promise<ParsedMail[]> {
  return (await sink.received()).filter((mail) =>
    String(mail.headers.get('x-rcptto') ?? '')
      .toLowerCase()
      .includes(address.toLowerCase()),
  );
}

/** The team's view of one message. */
export async function teamMessage(app: WebApp, agent: Person, conversationId: number, messageId: number): Promise<Json> {
  const { items } = await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}/messages?limit=100`);
  const message = items.find((m: Json) => m.id === messageId);
  if (!message) throw new Error(`message ${messageId} is not in conversation ${conversationId}`);
  return message;
}

/**
 * Waits until the continuity job has decided about a reply: `sent` (mailed) or null (not
 * mailed: it had been read). Queued means the job has not run yet.
 */
export async function continuityOutcome(
  app: WebApp,
  agent: Person,
  conversationId: number,
  messageId: number,
  timeoutMs = 20_000,
): Promise<'sent' | 'not mailed'> {
  return waitFor(
    async () => {
      const delivery = (await teamMessage(app, agent, conversationId, messageId)).delivery as Json | null | undefined;
      if (!delivery) return 'not mailed' as const;
      if (delivery.status === 'failed') throw new Error(`the reply's mail failed: ${delivery.error}`);
      return delivery.status === 'sent' ? ('sent' as const) : null;
    },
    timeoutMs,
    `the continuity job for message ${messageId}`,
  );
}
