import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_REPLY_JOB } from '../src/channels/email/index.js';
import { addMessage } from '../src/inbox/commands.js';
import { getConversation } from '../src/inbox/queries.js';
import { createOutboxWorker, type OutboxWorker } from '../src/jobs/outbox-worker.js';
import { widgetMessage } from '../src/present/widget-frames.js';
import { findJob } from '../src/store/outbox.js';
import { messageHtml } from '../src/text/markdown.js';
import { applyChange, type Format, formatChange, previewHtml } from '../web/src/conversation/markdown-edit.js';
import { call, type Json, ok, type Person, person, startTestApp, type TestApp } from './support/app.js';
import { MAIL_PEERS, queuedId, rawMail, settled, swaks, testEmailPlanner, uniqueId, useEmailChannel, useSink } from './support/email.js';
import { makeAgent } from './support/inbox.js';

// A team member's message is Markdown: the body keeps the source (the mail's text part),
// htmlBody the rendered, sanitised HTML, which the portal, the widget and the mail's HTML
// part show. Customers' text is never read as Markdown.

const FORMATTED = [
  'Hi **Walt**, here is what to do:',
  '',
  '1. Open _Settings_',
  '2. Press `Reset`',
  '',
  '> Your old password stops working.',
  '',
  'See [the guide](https://example.com/guide).',
].join('\n');

/** Any element (not escaped text) with an event handler attribute. */
const HANDLER_ATTRIBUTE = /<[a-z][^>]*\son[a-z]+\s*=/i;

function expectInert(html: string | null) {
  if (html === null) return;
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).not.toMatch(/<(iframe|object|embed|form|style|svg)/i);
  expect(html).not.toMatch(HANDLER_ATTRIBUTE);
  expect(html).not.toMatch(/href\s*=\s*["']?\s*(javascript|data|vbscript):/i);
}

describe('the Markdown of a team member’s message', () => {
  it('renders formatting and leaves plain text as text', () => {
    const html = messageHtml(FORMATTED)!;
    expect(html).toContain('<strong>Walt</strong>');
    expect(html).toContain('<em>Settings</em>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<code>Reset</code>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<a href="https://example.com/guide" target="_blank" rel="noopener noreferrer">the guide</a>');
    // Plain text, line breaks and bare addresses are plain already: shown and mailed as text.
    expect(messageHtml('Thanks!\nWe will call you at 5.\n\nhttps://example.com/status or help@example.com')).toBeNull();
  });

  it.each([
    ['a script tag', '<script>alert(1)</script> **hi**'],
    ['a javascript: link', '[click me](javascript:alert(1))'],
    ['a javascript: link with entities', '[click me](jav&#x61;script:alert(1))'],
    ['an image with onerror', '<img src=x onerror="alert(1)"> and **bold**'],
    ['a Markdown image', '![pixel](https://tracker.example/p.gif) **x**'],
    ['raw HTML blocks', '<div onmouseover="alert(1)">hover</div>\n\n<iframe src="https://evil.example"></iframe>'],
    ['an autolink with a script scheme', '<javascript:alert(1)>'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['an svg', '<svg onload=alert(1)><circle/></svg> _x_'],
  ])('makes %s inert, keeping what the agent wrote readable', (_what, source) => {
    const html = messageHtml(source);
    expectInert(html);
    // Only what Markdown makes: the raw HTML's own elements are text.
    expect(html ?? '').not.toMatch(/<(div|b|span)\b/i);
  });

  it('shows raw HTML as the characters the agent typed', () => {
    expect(messageHtml('Use the **<form>** tag')).toBe('<p>Use the <strong>&lt;form&gt;</strong> tag</p>');
  });
});

describe("the composer's formatting edits", () => {
  /** `[` and `]` mark the selection, in and out. */
  function edit(format: Format, marked: string): string {
    const start = marked.indexOf('[');
    const end = marked.indexOf(']') - 1;
    const text = marked.replace('[', '').replace(']', '');
    const { text: after, selection } = applyChange(text, formatChange(format, text, { start, end }));
    return `${after.slice(0, selection.start)}[${after.slice(selection.start, selection.end)}]${after.slice(selection.end)}`;
  }

  it('wraps the selection and unwraps it again', () => {
    expect(edit('bold', 'say [hello] there')).toBe('say **[hello]** there');
    expect(edit('bold', 'say **[hello]** there')).toBe('say [hello] there');
    expect(edit('bold', 'say [**hello**] there')).toBe('say [hello] there');
    // Spaces the selection caught stay outside the marks.
    expect(edit('italic', 'say[ hello ]there')).toBe('say _[hello]_ there');
    expect(edit('bold', 'x []')).toBe('x **[bold text]**');
    expect(edit('code', 'run [npm test] now')).toBe('run `[npm test]` now');
  });

  it('makes a link with the address to type, or the words when an address was selected', () => {
    expect(edit('link', 'see [the guide]')).toBe('see [the guide]([https://])');
    expect(edit('link', 'see [https://example.com]')).toBe('see [[link text]](https://example.com)');
  });

  it('prefixes the lines a selection touches, and takes the prefix off again', () => {
    expect(edit('bullets', 'a\nfi[rst\nsec]ond\nz')).toBe('a\n[- first\n- second]\nz');
    expect(edit('bullets', '[- first\n- second]')).toBe('[first\nsecond]');
    expect(edit('numbers', '[- first\n- second]')).toBe('[1. first\n2. second]');
    expect(edit('quote', '[one\ntwo]')).toBe('[> one\n> two]');
    expect(edit('bullets', 'text\n[]')).toBe('text\n- []');
  });

  it('previews as the server renders: raw HTML is text', () => {
    expect(previewHtml('**a** <b onclick="x">b</b>')).toBe('<p><strong>a</strong> &lt;b onclick=&quot;x&quot;&gt;b&lt;/b&gt;</p>\n');
  });
});

describe('formatted replies over the API', () => {
  let server: TestApp;
  let agent: Person;
  let customer: Person;
  let conversationId: number;

  beforeAll(async () => {
    server = await startTestApp();
    agent = await person(server, 'agent', 'Ana Agent');
    customer = await person(server, 'customer', 'Walt Customer');
    const created = await ok(server, customer, 'POST', '/api/conversations', { subject: 'Password', body: 'I cannot sign in **at all**' });
    conversationId = created.conversation.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = async (who: Person, body: string, isInternal = false) =>
    (await ok(server, who, 'POST', `/api/conversations/${conversationId}/messages`, { body, isInternal })).message as Json;

  it("stores an agent's reply as its Markdown source with the sanitised HTML beside it", async () => {
    const message = await post(agent, FORMATTED);
    expect(message.body).toBe(FORMATTED);
    expect(message.htmlBody).toContain('<strong>Walt</strong>');
    expect(message.htmlBody).toContain('<li>Open <em>Settings</em></li>');
    const row = await server.store.db.selectFrom('messages').select(['body', 'htmlBody']).where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ body: FORMATTED, htmlBody: message.htmlBody });
  });

  it('renders a note the same way, and a plain reply has no HTML', async () => {
    const note = await post(agent, 'Check **billing** first', true);
    expect(note.htmlBody).toBe('<p>Check <strong>billing</strong> first</p>');
    const plain = await post(agent, 'On it.\nBack in five minutes.');
    expect(plain.htmlBody).toBeNull();
  });

  it('makes every XSS attempt in a reply inert', async () => {
    for (const body of [
      '<script>alert(1)</script>**a**',
      '[x](javascript:alert(1))',
      '<img src=x onerror=alert(1)> _b_',
      '<b onclick="alert(1)">raw</b> **c**',
    ]) {
      const message = await post(agent, body);
      expect(message.body).toBe(body);
      expectInert(message.htmlBody);
    }
  });

  it("keeps a customer's **x** literal: their text is theirs, not Markdown", async () => {
    const message = await post(customer, 'Still **broken** _sadly_');
    expect(message).toMatchObject({ body: 'Still **broken** _sadly_', htmlBody: null });
    const first = (await ok(server, agent, 'GET', `/api/conversations/${conversationId}/messages`)).items[0];
    expect(first).toMatchObject({ body: 'I cannot sign in **at all**', htmlBody: null });
  });

  it("shows the customer the agent's formatting, but never the note", async () => {
    const items = (await ok(server, customer, 'GET', `/api/conversations/${conversationId}/messages`)).items as Json[];
    expect(items.find((m) => m.body === FORMATTED)?.htmlBody).toContain('<strong>Walt</strong>');
    expect(items.some((m) => m.body.includes('billing'))).toBe(false);
  });

  it("neither the bot's answers nor a note nobody verified are rendered", async () => {
    const bot = await addMessage(server.inbox, { conversation: conversationId, from: { bot: 'Helper' }, body: 'Try **this**' });
    expect(bot.message.htmlBody).toBeNull();
    // Mail claiming a team address is kept as a note under that address: not the team member's words.
    const claimed = await addMessage(server.inbox, {
      conversation: conversationId,
      from: { unverifiedEmail: agent.email },
      body: 'Forwarded: **x**',
      isInternal: true,
    });
    expect(claimed.message.htmlBody).toBeNull();
  });

  it("gives the chat widget a team member's formatting as html, and a visitor's text as text", async () => {
    const session = await call(server, null, 'POST', '/api/widget/session', { name: 'Vic' });
    expect(session.status).toBe(200);
    const token = session.body!.visitorToken as string;
    const sent = await server.app.inject({
      method: 'POST',
      url: '/api/widget/messages',
      headers: { 'x-visitor-token': token },
      payload: { body: 'I need **help**' },
    });
    expect(sent.statusCode).toBe(201);
    const chat = sent.json().conversation.id as number;
    expect(sent.json().message).toMatchObject({ body: 'I need **help**' });
    expect(sent.json().message.html).toBeUndefined();
    const reply = await addMessage(server.inbox, { conversation: chat, from: { userId: agent.id }, body: 'Sure, **right away**' });
    expect(widgetMessage(reply.message, token, 'Vic')).toMatchObject({ body: 'Sure, **right away**', html: '<p>Sure, <strong>right away</strong></p>' });
    // The history a reopened widget loads carries it too.
    const again = await call(server, null, 'POST', '/api/widget/session', { visitorToken: token });
    const messages = again.body!.messages as Json[];
    expect(messages.find((m) => m.body === 'Sure, **right away**')?.html).toBe('<p>Sure, <strong>right away</strong></p>');
    expect(messages.find((m) => m.body === 'I need **help**')?.html).toBeUndefined();
  });
});

describe.skipIf(!MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('a formatted reply by mail (outbox → aiosmtpd sink)', () => {
  const sink = useSink();
  const mail = useEmailChannel({ config: () => ({ smtpUrl: `smtp://127.0.0.1:${sink.port}` }), sideEffects: [testEmailPlanner()] });
  let worker: OutboxWorker;
  beforeAll(() => {
    worker = createOutboxWorker({ store: mail.store, handlers: mail.channel.handlers, log: () => {} });
  });
  afterAll(() => worker.stop());

  it('has the Markdown as its text part and the sanitised HTML as its HTML part', async () => {
    const agent = await makeAgent(mail, 'Ana Agent');
    const result = await swaks(mail.port, {
      data: rawMail({ messageId: uniqueId('fmt'), from: 'Walt Customer <walt@example.org>', subject: 'Reset', body: 'Please help <b>now</b>' }),
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const row = await settled(mail, queuedId(result));
    const conversation = await getConversation(mail.ctx, row.conversationId!);

    const body = `${FORMATTED}\n\n<script>alert(1)</script> [bad](javascript:alert(1))`;
    const reply = await addMessage(mail.ctx, { conversation: conversation.id, from: { userId: agent.id }, body });
    expect(await findJob(mail.store.db, `${EMAIL_REPLY_JOB}:${reply.message.id}`)).toMatchObject({ kind: EMAIL_REPLY_JOB });
    expect(await worker.runOnce()).toBe(1);

    const sent = (await sink.received()).at(-1)!;
    // The text part is the source, readable as it is.
    expect(sent.text).toContain('Hi **Walt**, here is what to do:');
    expect(sent.text).toContain('1. Open _Settings_');
    expect(sent.text).toContain('[the guide](https://example.com/guide)');
    const html = sent.html as string;
    expect(html).toContain('<strong>Walt</strong>');
    expect(html).toContain('<em>Settings</em>');
    expect(html).toContain('<code>Reset</code>');
    expect(html).toContain('<a href="https://example.com/guide" target="_blank" rel="noopener noreferrer">the guide</a>');
    expect(html).toContain('&lt;script&gt;');
    expectInert(html);
    // The threading marker still rides in the HTML part.
    expect(html).toContain(`data-ot-ref="${mail.channel.tokens.token(conversation.id)}"`);
  });
});
