import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityHash } from '../src/channels/chat/identity.js';
import { type Person, startWebApp, type WebApp } from './support/browser.js';
import { continuityEnv, continuityOutcome, mailsTo, teamMessage } from './support/continuity.js';
import { useSink } from './support/email.js';

// Issue 14, item 1, over HTTP against the real server (its own process, outbox worker and
// SMTP to an aiosmtpd sink), on both databases: a chat reply the visitor reported seen
// (POST /api/widget/read) is not mailed to them after EMAIL_CONTINUITY_DELAY_SECONDS; one
// they did not see is mailed once; a signed-in user's read on another device counts; and
// nobody marks what is not theirs. test/web-widget-seen.test.ts drives the widget itself.

type Json = Record<string, any>;
const SECRET = 'widget-identity-secret-for-the-seen-tests-0123456789';
const DELAY_SECONDS = 2;

const sink = useSink();
let app: WebApp;
let agent: Person;

beforeAll(async () => {
  app = await startWebApp(continuityEnv(sink, DELAY_SECONDS, { WIDGET_IDENTITY_SECRET: SECRET }));
  agent = await app.person('agent', 'Ben Agent');
});
afterAll(async () => {
  await app?.stop();
});

async function widget(path: string, body: unknown, token?: string): Promise<{ status: number; json: Json | null }> {
  const response = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-visitor-token': token } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: response.status === 204 ? null : ((await response.json()) as Json) };
}

let visitors = 0;
/** A visitor who gave their address and asked a question; the chat is with the team. */
async function visitorWithChat(identity?: { userId: string; email: string }): Promise<{ token: string; email: string; conversationId: number; own: number }> {
  const email = identity?.email ?? `visitor${++visitors}-${process.pid}@customers.test`;
  const session = await widget(
    '/api/widget/session',
    identity ? { identity: { ...identity, hash: identityHash(SECRET, identity.userId) } } : { name: 'Vi Sitor', email },
  );
  expect(session.status).toBe(200);
  const token = session.json!.visitorToken as string;
  const sent = await widget('/api/widget/messages', { body: 'Where is my parcel?' }, token);
  expect(sent.status).toBe(201);
  expect((await widget('/api/widget/escalate', {}, token)).status).toBe(200);
  return { token, email, conversationId: sent.json!.conversation.id, own: sent.json!.message.id };
}

const reply = async (conversationId: number, body: string, isInternal = false) =>
  (await app.api<Json>(agent, 'POST', `/api/conversations/${conversationId}/messages`, { body, isInternal })).message.id as number;

describe('POST /api/widget/read and continuity mail', () => {
  it('a reply the visitor saw is not mailed; its read mark is what the team sees', async () => {
    const visitor = await visitorWithChat();
    const note = await reply(visitor.conversationId, 'Note: parcel stuck in Leeds', true);
    const seen = await reply(visitor.conversationId, 'It left our warehouse this morning.');
    expect((await widget('/api/widget/read', { upTo: seen }, visitor.token)).status).toBe(204);
    expect((await teamMessage(app, agent, visitor.conversationId, seen)).readAt).not.toBeNull();
    // The visitor's own message is the team's to read, and a note is nobody's business of theirs.
    expect((await teamMessage(app, agent, visitor.conversationId, visitor.own)).readAt).toBeNull();
    expect((await teamMessage(app, agent, visitor.conversationId, note)).readAt).toBeNull();

    expect(await continuityOutcome(app, agent, visitor.conversationId, seen)).toBe('not mailed');
    expect(await mailsTo(sink, visitor.email)).toEqual([]);
  });

  it('a reply nobody saw is mailed exactly once, and another visitor cannot mark it read', async () => {
    const visitor = await visitorWithChat();
    const stranger = await visitorWithChat();
    const unseen = await reply(visitor.conversationId, 'Could you confirm your postcode?');
    const refused = await widget('/api/widget/read', { upTo: unseen }, stranger.token);
    expect(refused.status).toBe(404);
    expect(refused.json!.error.code).toBe('not_found');

    expect(await continuityOutcome(app, agent, visitor.conversationId, unseen)).toBe('sent');
    const mails = await mailsTo(sink, visitor.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Could you confirm your postcode?');
    // Nothing more comes later for it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await mailsTo(sink, visitor.email)).toHaveLength(1);
    expect(await mailsTo(sink, stranger.email)).toEqual([]);
  });

  it('marks only up to the message reported: a later reply is still mailed', async () => {
    const visitor = await visitorWithChat();
    const first = await reply(visitor.conversationId, 'First: we found it.');
    expect((await widget('/api/widget/read', { upTo: first }, visitor.token)).status).toBe(204);
    const second = await reply(visitor.conversationId, 'Second: it arrives Tuesday.');
    expect(await continuityOutcome(app, agent, visitor.conversationId, first)).toBe('not mailed');
    expect(await continuityOutcome(app, agent, visitor.conversationId, second)).toBe('sent');
    const mails = await mailsTo(sink, visitor.email);
    expect(mails.map((m) => m.text?.includes('Second: it arrives Tuesday.'))).toEqual([true]);
  });

  it('a signed-in user’s read on a second device counts for the chat they started on the first', async () => {
    const identity = { userId: `shop-user-${process.pid}`, email: `signed-${process.pid}@customers.test` };
    const laptop = await visitorWithChat(identity);
    const phone = await widget('/api/widget/session', { identity: { ...identity, hash: identityHash(SECRET, identity.userId) } });
    expect(phone.json!.visitorToken).not.toBe(laptop.token);
    expect(phone.json!.conversation.id).toBe(laptop.conversationId);
    const answer = await reply(laptop.conversationId, 'Seen on your phone, I hope.');
    expect((await widget('/api/widget/read', { upTo: answer }, phone.json!.visitorToken)).status).toBe(204);
    expect(await continuityOutcome(app, agent, laptop.conversationId, answer)).toBe('not mailed');
    expect(await mailsTo(sink, identity.email)).toEqual([]);
  });

  it('refuses what is not a read report of this visitor’s, and changes nothing', async () => {
    const visitor = await visitorWithChat();
    const answer = await reply(visitor.conversationId, 'One more thing.');
    expect((await widget('/api/widget/read', { upTo: answer })).status).toBe(401);
    for (const body of [{}, { upTo: 'latest' }, { upTo: 0 }, { upTo: 1.5 }, { upTo: answer, conversationId: 1 }]) {
      const refused = await widget('/api/widget/read', body, visitor.token);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.json!.error.code).toBe('validation_failed');
    }
    expect((await widget('/api/widget/read', { upTo: 999_999_999 }, visitor.token)).status).toBe(404);
    expect((await teamMessage(app, agent, visitor.conversationId, answer)).readAt).toBeNull();
  });
});
