import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttachmentStorage, cleanOrphanAttachments, storeAttachment } from '../src/attachments/index.js';
import { SESSION_COOKIE } from '../src/http/auth.js';
import { addMessage } from '../src/inbox/commands.js';
import type { InboxContext } from '../src/inbox/context.js';
import type { Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, PASSWORD, type Person, startTestApp, type TestApp } from './support/app.js';

// Uploads and downloads over real HTTP: a listening server, fetch with the global
// FormData and Blob, files written to a real directory, the database of this run.

const LIMITS = { maxFileBytes: 64 * 1024, maxFiles: 3 };
const HOUR = 60 * 60 * 1000;

let server: TestApp;
let store: Store;
let inbox: InboxContext;
let base: string;
let dataDir: string;
let storage: AttachmentStorage;

beforeAll(async () => {
  server = await startTestApp({ uploads: true, config: { attachments: LIMITS } });
  ({ store, inbox, dataDir } = server);
  base = server.http;
  storage = server.composition.uploads!.storage;
});
afterAll(async () => {
  await server?.close();
});

// Real files, small: a one-page PDF with a correct xref table, and a 1×1 PNG.
function minimalPdf(): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>'];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = minimalPdf();
const HTML = Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n');
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>\n');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let n = 0;
/** Only a person who signs in with the form needs a password; hashing one takes a while. */
async function person(role: Role, options: { canSignIn?: boolean } = {}): Promise<Person & { password: string }> {
  return { ...(await newPerson(server, role, { password: options.canSignIn ? PASSWORD : null })), password: PASSWORD };
}

type FileSpec = { name: string; content: Uint8Array | string; type?: string };
function form(fields: Record<string, string>, files: FileSpec[] = []): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const file of files) {
    const content = typeof file.content === 'string' ? file.content : new Uint8Array(file.content);
    data.append('files', new Blob([content], { type: file.type ?? '' }), file.name);
  }
  return data;
}

function send(who: Person | null, method: string, url: string, body?: FormData | string, headers: Record<string, string> = {}) {
  return fetch(base + url, { method, body, headers: { ...headers, ...(who ? { authorization: `Bearer ${who.token}` } : {}) } });
}
const postForm = (who: Person | null, url: string, data: FormData, headers: Record<string, string> = {}) => send(who, 'POST', url, data, headers);
const postJson = (who: Person, url: string, payload: unknown) => send(who, 'POST', url, JSON.stringify(payload), { 'content-type': 'application/json' });

type AttachmentJson = { id: number; name: string; contentType: string; size: number; url: string };
type MessageJson = { id: number; body: string; isInternal: boolean; attachments: AttachmentJson[] };

async function openTicket(customer: Person, files: FileSpec[], fields: Record<string, string> = {}) {
  const response = await postForm(customer, '/api/conversations', form({ subject: `Broken printer ${++n}`, body: 'See the files.', ...fields }, files));
  const json = (await response.json()) as { conversation: { id: number }; message: MessageJson };
  expect(response.status, JSON.stringify(json)).toBe(201);
  return json;
}

async function download(who: Person | null, url: string, headers: Record<string, string> = {}) {
  const response = await send(who, 'GET', url, undefined, headers);
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function rowCounts() {
  const count = async (table: 'conversations' | 'messages' | 'attachments') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { conversations: await count('conversations'), messages: await count('messages'), attachments: await count('attachments') };
}

/** Every blob file on disk, by hash. */
function blobsOnDisk(): string[] {
  const root = path.join(dataDir, 'attachments');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'tmp') walk(path.join(dir, entry.name));
      else if (entry.isFile() && /^[0-9a-f]{64}$/.test(entry.name)) found.push(entry.name);
    }
  };
  walk(root);
  return found;
}
const blobPath = (hash: string) => path.join(dataDir, 'attachments', hash.slice(0, 2), hash.slice(2, 4), hash);
function age(hash: string, ms: number) {
  const then = new Date(Date.now() - ms);
  utimesSync(blobPath(hash), then, then);
}

describe('uploading with a new ticket', () => {
  it('stores a PDF and a PNG, lists them on the message with sniffed types, and serves identical bytes', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const { conversation, message } = await openTicket(customer, [
      { name: 'invoice.pdf', content: PDF, type: 'application/pdf' },
      // The declared type is wrong; the bytes decide.
      { name: 'screenshot.png', content: PNG, type: 'application/octet-stream' },
    ]);
    expect(message.attachments).toEqual([
      { id: expect.any(Number), name: 'invoice.pdf', contentType: 'application/pdf', size: PDF.length, url: `/api/attachments/${message.attachments[0]!.id}` },
      { id: expect.any(Number), name: 'screenshot.png', contentType: 'image/png', size: PNG.length, url: `/api/attachments/${message.attachments[1]!.id}` },
    ]);
    const [pdf, png] = message.attachments as [AttachmentJson, AttachmentJson];

    const pdfDownload = await download(customer, pdf.url);
    expect(pdfDownload.response.status).toBe(200);
    expect(sha256(pdfDownload.bytes)).toBe(sha256(PDF));
    expect(
      Object.fromEntries(
        ['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'content-security-policy', 'etag'].map((h) => [
          h,
          pdfDownload.response.headers.get(h),
        ]),
      ),
    ).toEqual({
      'content-type': 'application/pdf',
      'content-length': String(PDF.length),
      'content-disposition': `attachment; filename="invoice.pdf"; filename*=UTF-8''invoice.pdf`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      etag: `"${sha256(PDF)}"`,
    });
    expect(pdfDownload.response.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);

    // HEAD answers the same headers without the bytes.
    const head = await send(customer, 'HEAD', pdf.url);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(await head.text()).toBe('');

    const pngDownload = await download(agent, png.url);
    expect(pngDownload.response.status).toBe(200);
    expect(sha256(pngDownload.bytes)).toBe(sha256(PNG));
    expect(pngDownload.response.headers.get('content-type')).toBe('image/png');
    expect(pngDownload.response.headers.get('content-disposition')).toMatch(/^inline; /);

    // The same attachments when the thread is read again.
    const listed = (await (await send(agent, 'GET', `/api/conversations/${conversation.id}/messages`)).json()) as { items: MessageJson[] };
    expect(listed.items[0]!.attachments).toEqual(message.attachments);
  });

  it('answers 304 to a current If-None-Match, and only to it', async () => {
    const customer = await person('customer');
    const { message } = await openTicket(customer, [{ name: 'a.png', content: PNG }]);
    const url = message.attachments[0]!.url;
    const notModified = await send(customer, 'GET', url, undefined, { 'if-none-match': `W/"x", "${sha256(PNG)}"` });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(`"${sha256(PNG)}"`);
    expect(await notModified.text()).toBe('');
    expect((await send(customer, 'GET', url, undefined, { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('downloads with a session cookie as well as a bearer token, and never anonymously', async () => {
    const customer = await person('customer', { canSignIn: true });
    const { message } = await openTicket(customer, [{ name: 'a.pdf', content: PDF }]);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: customer.email, password: customer.password }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] ?? '')
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    const withCookie = await fetch(base + message.attachments[0]!.url, { headers: { cookie } });
    expect(withCookie.status).toBe(200);
    expect(sha256(Buffer.from(await withCookie.arrayBuffer()))).toBe(sha256(PDF));
    const anonymous = await download(null, message.attachments[0]!.url);
    expect(anonymous.response.status).toBe(401);
  });

  it('takes the customer of a ticket an agent opens from customerName and customerEmail', async () => {
    const agent = await person('agent');
    const response = await postForm(
      agent,
      '/api/conversations',
      form({ subject: 'Called in', body: 'Phone call notes', priority: 'high', customerName: 'Dana Caller', customerEmail: `dana${n}@example.test` }, [
        { name: 'notes.txt', content: 'line one\nline two\n' },
      ]),
    );
    expect(response.status).toBe(201);
    const json = (await response.json()) as { conversation: { customer: { name: string }; priority: string }; message: MessageJson };
    expect(json.conversation).toMatchObject({ customer: { name: 'Dana Caller' }, priority: 'high' });
    expect(json.message.attachments[0]).toMatchObject({ name: 'notes.txt', contentType: 'text/plain' });
  });
});

describe('what is never served inline', () => {
  it('an HTML page named photo.png is stored as application/octet-stream and served as a download, with nosniff', async () => {
    const customer = await person('customer');
    const { message } = await openTicket(customer, [{ name: 'photo.png', content: HTML, type: 'image/png' }]);
    const [attachment] = message.attachments as [AttachmentJson];
    expect(attachment.contentType).toBe('application/octet-stream');
    const { response, bytes } = await download(customer, attachment.url);
    expect(response.status).toBe(200);
    expect(bytes.equals(HTML)).toBe(true);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="photo.png"/);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
  });

  it('SVG is never inline, whatever it is called', async () => {
    const customer = await person('customer');
    const { message } = await openTicket(customer, [
      { name: 'logo.svg', content: SVG, type: 'image/svg+xml' },
      { name: 'logo.png', content: SVG, type: 'image/png' },
    ]);
    for (const attachment of message.attachments) {
      expect(attachment.contentType).toBe('application/octet-stream');
      const { response } = await download(customer, attachment.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
    }
  });

  it('unrecognised bytes claiming to be a PNG are served as application/octet-stream', async () => {
    const customer = await person('customer');
    const { message } = await openTicket(customer, [{ name: 'fake.png', content: Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]), type: 'image/png' }]);
    expect(message.attachments[0]!.contentType).toBe('application/octet-stream');
    const { response } = await download(customer, message.attachments[0]!.url);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('keeps a safe name: no path, no direction overrides, the extension kept, UTF-8 in filename*', async () => {
    const customer = await person('customer');
    const { message } = await openTicket(customer, [{ name: 'C:\\Users\\me\\Résumé \u202Efdp.exe', content: PDF }]);
    const [attachment] = message.attachments as [AttachmentJson];
    expect(attachment.name).toBe('Résumé fdp.exe');
    const { response } = await download(customer, attachment.url);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="R_sum_ fdp.exe"; filename*=UTF-8''R%C3%A9sum%C3%A9%20fdp.exe`);
  });
});

describe('limits and refusals', () => {
  it('refuses a file over the limit with 413 naming it, and leaves no rows', async () => {
    const customer = await person('customer');
    const before = await rowCounts();
    const response = await postForm(
      customer,
      '/api/conversations',
      form({ subject: 'Too big', body: 'x' }, [
        { name: 'ok.png', content: PNG },
        { name: 'big.bin', content: Buffer.alloc(LIMITS.maxFileBytes + 1, 7) },
      ]),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'too_large', message: 'big.bin exceeds 64 KB', field: 'files' } });
    expect(await rowCounts()).toEqual(before);
    expect(blobsOnDisk()).not.toContain(sha256(Buffer.alloc(LIMITS.maxFileBytes + 1, 7)));
    // Exactly at the limit is fine.
    await openTicket(customer, [{ name: 'edge.bin', content: Buffer.alloc(LIMITS.maxFileBytes, 8) }]);
  });

  it('refuses too many files with 413, and leaves no rows', async () => {
    const customer = await person('customer');
    const before = await rowCounts();
    const files = Array.from({ length: LIMITS.maxFiles + 1 }, (_, i) => ({ name: `f${i}.txt`, content: `file ${i} of a refused upload ${n}` }));
    const response = await postForm(customer, '/api/conversations', form({ subject: 'Many', body: 'x' }, files));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { code: 'too_large', message: `too many files: at most ${LIMITS.maxFiles} per message`, field: 'files' } });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a body that is neither JSON nor a form with 415, on both routes', async () => {
    const customer = await person('customer');
    const { conversation } = await openTicket(customer, []);
    for (const url of ['/api/conversations', `/api/conversations/${conversation.id}/messages`]) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const response = await send(customer, 'POST', url, 'subject=x&body=y', { 'content-type': type });
        expect(response.status, `${type} to ${url}`).toBe(415);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
      }
    }
  });

  it('checks form fields with the JSON rules, naming the field', async () => {
    const customer = await person('customer');
    const before = await rowCounts();
    const cases: [Record<string, string>, string][] = [
      [{ body: 'no subject' }, 'body.subject'],
      [{ subject: 'x', body: 'y', status: 'closed' }, 'body.status'],
      [{ subject: 'x', body: 'y', priority: 'whenever' }, 'body.priority'],
      [{ subject: 'x', body: 'y', customerName: 'No Address' }, 'body.customerEmail'],
    ];
    for (const [fields, field] of cases) {
      const response = await postForm(customer, '/api/conversations', form(fields, [{ name: 'a.png', content: PNG }]));
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(((await response.json()) as { error: { field: string; message: string } }).error).toMatchObject({
        code: 'validation_failed',
        field,
        message: expect.stringContaining(`${field}: `),
      });
    }
    // Files go in `files` only.
    const elsewhere = new FormData();
    elsewhere.append('subject', 'x');
    elsewhere.append('body', 'y');
    elsewhere.append('upload', new Blob([PNG]), 'a.png');
    const misplaced = await postForm(customer, '/api/conversations', elsewhere);
    expect(misplaced.status).toBe(400);
    expect(((await misplaced.json()) as { error: { field: string } }).error.field).toBe('body.upload');
    // A customer may not pick the channel in a form either.
    expect((await postForm(customer, '/api/conversations', form({ subject: 'x', body: 'y', channel: 'email' }))).status).toBe(403);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('storage', () => {
  it('stores the same file once on disk, however often it is sent', async () => {
    const customer = await person('customer');
    const content = Buffer.from(`the same report ${Date.now()}\n`);
    const first = await openTicket(customer, [{ name: 'report.txt', content }]);
    const second = await openTicket(customer, [{ name: 'copy of report.txt', content }]);
    expect(first.message.attachments[0]!.id).not.toBe(second.message.attachments[0]!.id);
    expect(blobsOnDisk().filter((hash) => hash === sha256(content))).toHaveLength(1);
    for (const { message } of [first, second]) {
      const { bytes } = await download(customer, message.attachments[0]!.url);
      expect(bytes.equals(content)).toBe(true);
    }
  });

  it('the orphan cleaner removes old unreferenced blobs and leftovers, and keeps referenced and recent ones', async () => {
    const customer = await person('customer');
    const referenced = Buffer.from(`kept: a message uses me ${Date.now()}`);
    await openTicket(customer, [{ name: 'kept.txt', content: referenced }]);
    const orphan = await storage.put([Buffer.from(`nobody uses me ${Date.now()}`)]);
    const recent = await storage.put([Buffer.from(`nobody uses me yet ${Date.now()}`)]);
    age(orphan.sha256, 2 * HOUR);
    age(sha256(referenced), 2 * HOUR);
    // What a crash in the middle of an upload leaves behind.
    const leftover = path.join(dataDir, 'attachments', 'tmp', 'crashed-upload.part');
    mkdirSync(path.dirname(leftover), { recursive: true });
    writeFileSync(leftover, 'half a file');
    utimesSync(leftover, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));

    const result = await cleanOrphanAttachments({ store, storage });
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(result.leftovers).toBe(1);
    const onDisk = blobsOnDisk();
    expect(onDisk).not.toContain(orphan.sha256);
    expect(onDisk).toContain(sha256(referenced));
    expect(onDisk).toContain(recent.sha256);
    expect(() => statSync(leftover)).toThrow();
  });

  it('an old orphan that is uploaded again is fresh again, and a blob a row claims meanwhile is put back', async () => {
    const content = Buffer.from(`uploaded, refused, uploaded again ${Date.now()}`);
    const first = await storage.put([content]);
    expect(first.created).toBe(true);
    age(first.sha256, 2 * HOUR);
    const again = await storage.put([content]);
    expect(again).toEqual({ sha256: first.sha256, size: content.length, created: false });
    await cleanOrphanAttachments({ store, storage });
    expect(blobsOnDisk()).toContain(first.sha256);

    // The cleaner's last look: a row committed after its batch query keeps the blob.
    age(first.sha256, 2 * HOUR);
    const deleted = await storage.deleteIfUnused(first.sha256, { unusedBefore: Date.now() - HOUR, stillUnused: async () => false });
    expect(deleted).toBe(false);
    expect(blobsOnDisk()).toContain(first.sha256);
    expect(readdirSync(path.join(dataDir, 'attachments', 'tmp')).filter((f) => f.startsWith(first.sha256))).toEqual([]);
  });

  it('the blobs of a refused upload are left to the cleaner, which removes them once old', async () => {
    const customer = await person('customer');
    const content = Buffer.from(`refused with its ticket ${Date.now()}`);
    const refused = await postForm(customer, '/api/conversations', form({ body: 'no subject' }, [{ name: 'r.txt', content }]));
    expect(refused.status).toBe(400);
    expect(blobsOnDisk()).toContain(sha256(content));
    await cleanOrphanAttachments({ store, storage, now: () => Date.now() + 2 * HOUR });
    expect(blobsOnDisk()).not.toContain(sha256(content));
  });

  it('storeAttachment works outside HTTP, from a stream or a buffer, for the commands of any channel', async () => {
    const customer = await person('customer');
    const { conversation } = await openTicket(customer, []);
    const fromStream = await storeAttachment(storage, Readable.from([PDF.subarray(0, 10), PDF.subarray(10)]), {
      name: 'mail/part.pdf',
      declaredType: 'application/octet-stream',
    });
    const fromBuffer = await storeAttachment(storage, Buffer.from('a,b\n1,2\n'), { name: 'table.csv', declaredType: 'application/vnd.ms-excel' });
    expect(fromStream).toEqual({ name: 'part.pdf', contentType: 'application/pdf', size: PDF.length, sha256: sha256(PDF) });
    expect(fromBuffer).toMatchObject({ name: 'table.csv', contentType: 'text/csv', size: 8 });
    await expect(storeAttachment(storage, Buffer.alloc(11), { name: 'x.bin', maxBytes: 10 })).rejects.toMatchObject({
      code: 'too_large',
      message: 'x.bin exceeds 10 bytes',
    });
    const added = await addMessage(inbox, {
      conversation: conversation.id,
      from: { userId: customer.id },
      body: 'by mail',
      attachments: [fromStream, fromBuffer],
    });
    const { bytes } = await download(customer, `/api/attachments/${added.message.attachments[0]!.id}`);
    expect(bytes.equals(PDF)).toBe(true);
  });
});

describe('who may download', () => {
  it("customer B gets 404 for customer A's attachment, and for an internal note's in their own conversation", async () => {
    const alice = await person('customer');
    const bob = await person('customer');
    const agent = await person('agent');
    const { conversation, message } = await openTicket(alice, [{ name: 'alice-private.pdf', content: PDF }]);
    const aliceFile = message.attachments[0]!;
    const stolen = await download(bob, aliceFile.url);
    expect(stolen.response.status).toBe(404);
    expect(stolen.bytes.toString()).not.toContain('alice-private');
    expect(JSON.parse(stolen.bytes.toString())).toEqual({ error: { code: 'not_found', message: 'attachment not found' } });
    // Not a different answer for an id that does not exist at all.
    const missing = await download(bob, '/api/attachments/999999999');
    expect(missing.bytes.toString()).toBe(stolen.bytes.toString());

    // Bob cannot post files into Alice's conversation, and nothing is stored for trying.
    const intruding = Buffer.from(`intruder ${Date.now()}`);
    const intrusion = await postForm(
      bob,
      `/api/conversations/${conversation.id}/messages`,
      form({ body: 'let me in' }, [{ name: 'x.txt', content: intruding }]),
    );
    expect(intrusion.status).toBe(404);
    expect(blobsOnDisk()).not.toContain(sha256(intruding));

    // An internal note with a file, in Bob's own conversation.
    const own = await openTicket(bob, []);
    const note = await postForm(
      agent,
      `/api/conversations/${own.conversation.id}/messages`,
      form({ body: 'customer is on the legacy plan', isInternal: 'true' }, [{ name: 'crm-export.csv', content: 'plan,legacy\n' }]),
    );
    expect(note.status).toBe(201);
    const noteMessage = ((await note.json()) as { message: MessageJson }).message;
    expect(noteMessage.isInternal).toBe(true);
    const noteFile = noteMessage.attachments[0]!;
    expect((await download(bob, noteFile.url)).response.status).toBe(404);
    expect((await download(agent, noteFile.url)).response.status).toBe(200);
    const bobView = (await (await send(bob, 'GET', `/api/conversations/${own.conversation.id}/messages`)).json()) as { items: MessageJson[] };
    expect(JSON.stringify(bobView)).not.toContain('crm-export');
    expect(bobView.items.flatMap((m) => m.attachments)).toEqual([]);
  });

  it('a customer cannot write an internal note with files', async () => {
    const customer = await person('customer');
    const { conversation } = await openTicket(customer, []);
    const response = await postForm(
      customer,
      `/api/conversations/${conversation.id}/messages`,
      form({ body: 'sneaky', isInternal: 'true' }, [{ name: 'a.png', content: PNG }]),
    );
    expect(response.status).toBe(403);
  });
});

describe('replies with files', () => {
  it('an agent replies with an attachment, which the customer can download', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const { conversation } = await openTicket(customer, []);
    const response = await postForm(
      agent,
      `/api/conversations/${conversation.id}/messages`,
      form({ body: 'Here is the manual' }, [{ name: 'manual.pdf', content: PDF }]),
    );
    expect(response.status).toBe(201);
    const { message } = (await response.json()) as { message: MessageJson };
    expect(message).toMatchObject({
      body: 'Here is the manual',
      isInternal: false,
      attachments: [{ name: 'manual.pdf', contentType: 'application/pdf', size: PDF.length }],
    });
    const { response: got, bytes } = await download(customer, message.attachments[0]!.url);
    expect(got.status).toBe(200);
    expect(sha256(bytes)).toBe(sha256(PDF));
    const conversationNow = (await (await send(customer, 'GET', `/api/conversations/${conversation.id}`)).json()) as { conversation: { status: string } };
    expect(conversationNow.conversation.status).toBe('pending');
  });

  it('a reply may be files without words, but not nothing at all', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const { conversation } = await openTicket(customer, []);
    const filesOnly = await postForm(agent, `/api/conversations/${conversation.id}/messages`, form({}, [{ name: 'invoice.pdf', content: PDF }]));
    expect(filesOnly.status).toBe(201);
    expect(((await filesOnly.json()) as { message: MessageJson }).message).toMatchObject({ body: '', attachments: [{ name: 'invoice.pdf' }] });
    const empty = await postJson(agent, `/api/conversations/${conversation.id}/messages`, { body: '  ' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { field?: string } }).error.field).toBe('body');
    expect((await postForm(agent, `/api/conversations/${conversation.id}/messages`, form({ body: '' }, []))).status).toBe(400);
  });

  it('an Idempotency-Key makes a retried upload return the first message, attached once', async () => {
    const customer = await person('customer');
    const { conversation } = await openTicket(customer, []);
    const headers = { 'idempotency-key': `upload-${n}` };
    const upload = () => form({ body: 'photo of the damage' }, [{ name: 'damage.png', content: PNG }]);
    const first = await postForm(customer, `/api/conversations/${conversation.id}/messages`, upload(), headers);
    const again = await postForm(customer, `/api/conversations/${conversation.id}/messages`, upload(), headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const [a, b] = [((await first.json()) as { message: MessageJson }).message, ((await again.json()) as { message: MessageJson }).message];
    expect(b).toEqual(a);
    const messages = (await (await send(customer, 'GET', `/api/conversations/${conversation.id}/messages`)).json()) as { items: MessageJson[] };
    expect(messages.items).toHaveLength(2);
    const rows = await store.db.selectFrom('attachments').select('id').where('messageId', '=', a.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('JSON still works on both routes', async () => {
    const customer = await person('customer');
    const created = await postJson(customer, '/api/conversations', { subject: 'Plain', body: 'no files' });
    expect(created.status).toBe(201);
    const { conversation, message } = (await created.json()) as { conversation: { id: number }; message: MessageJson };
    expect(message.attachments).toEqual([]);
    expect((await postJson(customer, `/api/conversations/${conversation.id}/messages`, { body: 'still no files' })).status).toBe(201);
  });
});

describe('the OpenAPI document', () => {
  it('shows both message routes taking JSON or a form with files, and the download', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as Record<string, any>;
    for (const [url, method] of [
      ['/api/conversations', 'post'],
      ['/api/conversations/{id}/messages', 'post'],
    ] as const) {
      const content = doc.paths[url][method].requestBody.content;
      expect(Object.keys(content).sort(), url).toEqual(['application/json', 'multipart/form-data']);
      expect(content['application/json'].schema).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['body']) });
      expect(content['multipart/form-data'].schema.properties.files).toMatchObject({ type: 'array', items: { type: 'string', format: 'binary' } });
      expect(doc.paths[url][method].responses['413']).toBeDefined();
      expect(doc.paths[url][method].responses['415']).toBeDefined();
    }
    expect(doc.paths['/api/conversations'].post.requestBody.content['multipart/form-data'].schema.properties).toHaveProperty('customerEmail');
    const download = doc.paths['/api/attachments/{id}'].get;
    expect(download.responses['200'].content['application/octet-stream'].schema).toMatchObject({ type: 'string', format: 'binary' });
    expect(download.responses['304']).toBeDefined();
  });
});
