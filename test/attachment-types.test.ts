import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentStorage } from '../src/attachments/index.js';
import { DEFAULT_CHAT_SETTINGS, parseAllowedOrigins } from '../src/channels/chat/index.js';
import { addMessage } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';

// Issue 14, item 18: a file whose content is markup (HTML, XHTML, SVG, XML) comes back as
// bytes to save, never with a type that names markup, whatever its name or declared type,
// through both doors files come in (an agent's multipart reply, the chat widget) and both
// they go out (the API, the widget's download). Real server, real uploads, both databases.

const SITE = 'https://shop.example.test';

const MARKUP: { name: string; content: Buffer; type: string }[] = [
  { name: 'photo.png', content: Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n'), type: 'image/png' },
  { name: 'logo.svg', content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), type: 'image/svg+xml' },
  // Declared as an SVG but named and shaped otherwise: the claim wins nothing either.
  { name: 'drawing.bin', content: Buffer.from('<?xml version="1.0"?>\n<!-- exported -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'), type: 'image/svg+xml' },
  {
    name: 'order.xml',
    content: Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="#"?>\n<order id="1"/>'),
    type: 'application/xml',
  },
  {
    name: 'page.xhtml',
    content: Buffer.from('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script></body></html>'),
    type: 'application/xhtml+xml',
  },
  {
    name: 'notes.txt',
    content: Buffer.from('\uFEFF \r\n\t<!-- saved by an editor -->\n<!-- twice -->\n<div onmouseover="alert(1)">hi</div>'),
    type: 'text/plain',
  },
];

/** A type that would let a browser render the file as a page, an image with script, or XML. */
const MARKUP_TYPE = /^\s*(text\/html|image\/svg\+xml|[\w.+-]+\/([\w.+-]+\+)?xml)\s*(;|$)/i;

let server: TestApp;
let inbox: InboxContext;
let storage: AttachmentStorage;
let agent: Person;

beforeAll(async () => {
  const chat = { ...DEFAULT_CHAT_SETTINGS, origins: parseAllowedOrigins(SITE), bot: { ...DEFAULT_CHAT_SETTINGS.bot, enabled: false } };
  server = await startTestApp({ uploads: true, config: { chat } });
  inbox = server.inbox;
  storage = server.composition.uploads!.storage;
  agent = await person(server, 'agent');
});
afterAll(async () => {
  await server?.close();
});

type AttachmentJson = { id: number; name: string; contentType: string; url: string };

function form(body: string): FormData {
  const data = new FormData();
  data.set('body', body);
  for (const file of MARKUP) data.append('files', new Blob([new Uint8Array(file.content)], { type: file.type }), file.name);
  return data;
}

async function expectServedAsDownload(url: string, headers: Record<string, string>, file: { name: string; content: Buffer }) {
  const response = await fetch(server.http + url, { headers });
  expect(response.status, file.name).toBe(200);
  const type = response.headers.get('content-type') ?? '';
  expect(type, file.name).not.toMatch(MARKUP_TYPE);
  expect(type, file.name).toMatch(/^(application\/octet-stream|text\/plain)(;|$)/);
  expect(response.headers.get('content-disposition'), file.name).toMatch(/^attachment; /);
  expect(response.headers.get('x-content-type-options'), file.name).toBe('nosniff');
  // The bytes themselves are kept as they came: only the type is withheld.
  expect(Buffer.from(await response.arrayBuffer()).equals(file.content), file.name).toBe(true);
}

describe('markup uploads are stored and served as downloads, never with a markup type', () => {
  it('an agent’s multipart reply: HTML named .png, SVG, a declared image/svg+xml, XML, XHTML, HTML after a BOM and comments', async () => {
    const opened = await fetch(`${server.http}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Files', body: 'Called in', customer: { email: `files-${process.pid}@example.test`, name: 'Fay' } }),
    });
    expect(opened.status).toBe(201);
    const { conversation } = (await opened.json()) as { conversation: { id: number } };
    const reply = await fetch(`${server.http}/api/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}` },
      body: form('The files you asked for'),
    });
    expect(reply.status).toBe(201);
    const attachments = ((await reply.json()) as { message: { attachments: AttachmentJson[] } }).message.attachments;
    expect(attachments.map((a) => a.name)).toEqual(MARKUP.map((f) => f.name));
    for (const [i, attachment] of attachments.entries()) {
      expect(attachment.contentType, attachment.name).toBe('application/octet-stream');
      await expectServedAsDownload(attachment.url, { authorization: `Bearer ${agent.token}` }, MARKUP[i]!);
    }
  });

  it('the chat widget: the same files from a visitor, downloaded by the visitor and by the team', async () => {
    const session = await fetch(`${server.http}/api/widget/session`, {
      method: 'POST',
      headers: { origin: SITE, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Vic' }),
    });
    expect(session.status).toBe(200);
    const token = ((await session.json()) as { visitorToken: string }).visitorToken;
    const sent = await fetch(`${server.http}/api/widget/messages`, {
      method: 'POST',
      headers: { origin: SITE, 'x-visitor-token': token },
      body: form('see attached'),
    });
    expect(sent.status).toBe(201);
    const attachments = ((await sent.json()) as { message: { attachments: AttachmentJson[] } }).message.attachments;
    expect(attachments).toHaveLength(MARKUP.length);
    for (const [i, attachment] of attachments.entries()) {
      expect(attachment.contentType, attachment.name).toBe('application/octet-stream');
      await expectServedAsDownload(attachment.url, {}, MARKUP[i]!);
      await expectServedAsDownload(`/api/attachments/${attachment.id}`, { authorization: `Bearer ${agent.token}` }, MARKUP[i]!);
    }
  });

  it('a row stored with a markup type before this rule (text/html, image/svg+xml, XML) is still served as a download', async () => {
    const opened = await fetch(`${server.http}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Old files', body: 'From last year', customer: { email: `old-${process.pid}@example.test` } }),
    });
    expect(opened.status).toBe(201);
    const { conversation } = (await opened.json()) as { conversation: { id: number } };
    const old = [
      { type: 'text/html', file: MARKUP[0]! },
      { type: 'image/svg+xml', file: MARKUP[1]! },
      { type: 'application/xml', file: MARKUP[3]! },
      { type: 'application/xhtml+xml', file: MARKUP[4]! },
    ];
    const rows = [];
    for (const { type, file } of old) {
      const blob = await storage.put([file.content]);
      rows.push({ name: file.name, contentType: type, size: blob.size, sha256: blob.sha256 });
    }
    const added = await addMessage(inbox, { conversation: conversation.id, from: { userId: agent.id }, body: 'as stored before', attachments: rows });
    for (const [i, attachment] of added.message.attachments.entries()) {
      await expectServedAsDownload(`/api/attachments/${attachment.id}`, { authorization: `Bearer ${agent.token}` }, old[i]!.file);
    }
    // Listed as a download too (the API's JSON is what the apps label and preview by).
    const listed = await fetch(`${server.http}/api/conversations/${conversation.id}/messages`, { headers: { authorization: `Bearer ${agent.token}` } });
    const items = ((await listed.json()) as { items: { attachments: AttachmentJson[] }[] }).items;
    const types = items.flatMap((m) => m.attachments.map((a) => a.contentType));
    expect(types).toEqual(old.map(() => 'application/octet-stream'));
  });
});
