import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentDisposition,
  formatBytes,
  LocalAttachmentStorage,
  sanitizeFileName,
  sniffContentType,
  startAttachmentCleaner,
} from '../src/attachments/index.js';
import { isActiveContent, isInlineSafe, servedContentType } from '../src/attachments/sniff.js';
import type { Store } from '../src/store/database.js';
import { makeTestStore } from './support/store.js';

// The decisions about untrusted names and bytes, one rule at a time.

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const ZIP_EMPTY = Buffer.from('504b0506000000000000000000000000000000000000', 'hex');

describe('file names', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\scan 1.jpg', 'scan 1.jpg'],
    ['.bashrc', 'bashrc'],
    ['trailing dots...', 'trailing dots'],
    ['tab\tand\nnewline.txt', 'tab and newline.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['zero\u200Bwidth.txt', 'zerowidth.txt'],
    ['what?<are>*these|.txt', 'what__are__these_.txt'],
    ['', 'attachment'],
    ['/', 'attachment'],
    ['...', 'attachment'],
    ['e\u0301te\u0301.txt', 'été.txt'],
  ])('%j becomes %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('limits the length and keeps the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(300)}.pdf`);
    expect(name).toHaveLength(200);
    expect(name.endsWith('.pdf')).toBe(true);
    // Characters, not UTF-16 units: an emoji is not cut in half.
    const emoji = sanitizeFileName(`${'😀'.repeat(250)}.png`);
    expect(Array.from(emoji)).toHaveLength(200);
    expect(emoji.endsWith('😀.png')).toBe(true);
  });

  it('Content-Disposition carries an ASCII fallback and the RFC 5987 UTF-8 name', () => {
    expect(contentDisposition('attachment', 'plain.txt')).toBe(`attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`);
    expect(contentDisposition('inline', 'naïve "quote" (1)*.png')).toBe(
      `inline; filename="na_ve _quote_ (1)*.png"; filename*=UTF-8''na%C3%AFve%20%22quote%22%20%281%29%2A.png`,
    );
    expect(contentDisposition('attachment', '100%.txt')).toBe(`attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`);
  });
});

describe('content types from the bytes', () => {
  const sniff = (content: string | Buffer, name = 'file', declaredType?: string) =>
    sniffContentType(typeof content === 'string' ? Buffer.from(content) : content, { name, declaredType });

  it('recognises binary formats by their magic bytes, whatever they claim', async () => {
    expect(await sniff(PNG, 'x.pdf', 'application/pdf')).toBe('image/png');
    expect(await sniff(GIF, 'x.txt', 'text/plain')).toBe('image/gif');
    expect(await sniff(ZIP_EMPTY, 'x.bin')).toBe('application/zip');
  });

  it('markup is application/octet-stream however it is named or declared: never an HTML, SVG or XML type', async () => {
    const markup: [string | Buffer, string, string?][] = [
      ['<!doctype html><p>hi', 'photo.png', 'image/png'],
      ['\uFEFF  <html><body>x</body></html>', 'a.txt', 'text/plain'],
      ['\uFEFF \r\n\t<!-- generated --><!-- twice -->\n<html><script>alert(1)</script>', 'notes.png', 'image/png'],
      ['<script>alert(1)</script>', 'notes.txt'],
      ['<!-- comment --><div>x</div>', 'a.csv', 'text/csv'],
      ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'a.png', 'image/png'],
      ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'logo.svg', 'image/svg+xml'],
      ['<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<svg/>', 'a.jpg'],
      ['<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', 'page.xhtml', 'application/xhtml+xml'],
      ['<?xml version="1.0"?><order id="1"/>', 'order.xml', 'application/xml'],
      ['<?xml-stylesheet href="x.xsl" type="text/xsl"?><order/>', 'order.xml', 'text/xml'],
      ['<!DOCTYPE note SYSTEM "note.dtd"><note/>', 'note.txt'],
      // UTF-16 with its BOM, as Windows tools save "Unicode" text.
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<html><script>alert(1)</script></html>', 'utf16le')]), 'a.png', 'image/png'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('<svg/>', 'utf16le').swap16()]), 'a.svg', 'application/vnd.example'],
    ];
    for (const [content, name, declared] of markup)
      expect(await sniff(content, name, declared), `${name}: ${String(content).slice(0, 40)}`).toBe('application/octet-stream');
  });

  it('no step answers a type a browser renders as a document, not even the magic bytes', async () => {
    // file-type knows XML in UTF-16 and Flash by their bytes; neither comes back as such.
    const utf16Xml = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<?xml version="1.0"?><a/>', 'utf16le')]);
    const flash = Buffer.concat([Buffer.from('FWS'), Buffer.from([0x0a, 0x10, 0, 0, 0]), Buffer.alloc(32)]);
    for (const content of [utf16Xml, flash]) expect(await sniff(content, 'x')).toBe('application/octet-stream');
  });

  it('other text is plain text, or the text format its name or claim says', async () => {
    expect(await sniff('hello\r\nworld\t!\n', 'a.png', 'image/png')).toBe('text/plain');
    expect(await sniff('a,b\n1,2\n', 'table.csv', 'application/vnd.ms-excel')).toBe('text/csv');
    expect(await sniff('a,b\n1,2\n', 'export', 'text/csv; charset=utf-8')).toBe('text/csv');
    expect(await sniff('# Title\n', 'README.md')).toBe('text/markdown');
    expect(await sniff('{"a":1}', 'data', 'application/json')).toBe('application/json');
    expect(await sniff('x', 'a.js', 'text/javascript')).toBe('text/plain');
    expect(await sniff('Grüße 😀', 'greeting')).toBe('text/plain');
  });

  it('unknown binary takes the declared type only when harmless and not one the sniffer would have known', async () => {
    const binary = Buffer.from([0x00, 0x9f, 0x92, 0x96, 0x01, 0x02]);
    expect(await sniff(binary, 'a.bin', 'application/vnd.example.thing')).toBe('application/vnd.example.thing');
    expect(await sniff(binary, 'a.png', 'image/png')).toBe('application/octet-stream');
    expect(await sniff(binary, 'a.html', 'text/html')).toBe('application/octet-stream');
    expect(await sniff(binary, 'a.svg', 'image/svg+xml')).toBe('application/octet-stream');
    expect(await sniff(binary, 'a.txt', 'text/plain')).toBe('application/octet-stream');
    expect(await sniff(binary, 'a', 'not a type')).toBe('application/octet-stream');
    expect(await sniff(binary, 'a')).toBe('application/octet-stream');
  });

  it('only raster images are inline; markup and script are active content', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) expect(isInlineSafe(type), type).toBe(true);
    for (const type of ['image/svg+xml', 'text/html', 'application/pdf', 'text/plain', 'image/bmp']) expect(isInlineSafe(type), type).toBe(false);
    for (const type of [
      'text/html',
      'TEXT/HTML; charset=utf-8',
      'application/xhtml+xml',
      'image/svg+xml',
      'application/xml',
      'text/xml',
      'application/xml-dtd',
      'application/rss+xml',
      'text/xsl',
      'text/javascript',
      'multipart/related',
      'message/rfc822',
    ]) {
      expect(isActiveContent(type), type).toBe(true);
    }
    for (const type of ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/csv'])
      expect(isActiveContent(type), type).toBe(false);
  });

  it('serves markup as a download even where a stored row names it (rows from before it was stored so)', () => {
    for (const stored of ['text/html', 'image/svg+xml', 'application/xml', 'text/xml', 'application/xhtml+xml', 'application/x-shockwave-flash']) {
      expect(servedContentType(stored), stored).toBe('application/octet-stream');
    }
    expect(servedContentType('text/plain')).toBe('text/plain; charset=utf-8');
    expect(servedContentType('text/csv')).toBe('text/csv; charset=utf-8');
    expect(servedContentType('image/png')).toBe('image/png');
    expect(servedContentType('application/pdf')).toBe('application/pdf');
  });

  it('states limits as people write them', () => {
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatBytes(512 * 1024)).toBe('512 KB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(formatBytes(10)).toBe('10 bytes');
  });
});

describe('the cleaner on its timer', () => {
  let store: Store;
  let dir: string;
  beforeAll(async () => {
    store = await makeTestStore();
    dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-cleaner-'));
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cleans once at start, again on each run, and not after stop', async () => {
    const storage = new LocalAttachmentStorage(dir);
    const old = async (text: string) => {
      const blob = await storage.put([Buffer.from(text)]);
      const then = new Date(Date.now() - 2 * 60 * 60 * 1000);
      utimesSync(path.join(dir, blob.sha256.slice(0, 2), blob.sha256.slice(2, 4), blob.sha256), then, then);
      return blob.sha256;
    };
    const listed = async () => {
      const hashes: string[] = [];
      for await (const blob of storage.list()) hashes.push(blob.sha256);
      return hashes;
    };
    const first = await old('orphan from before the start');
    const cleaner = startAttachmentCleaner({ store, storage, intervalMs: 60_000 });
    // The start-up round is already running; run() joins it rather than starting another.
    expect(await cleaner.run()).toEqual({ deleted: 1, leftovers: 0 });
    expect(await listed()).not.toContain(first);
    const second = await old('orphan made while running');
    expect(await cleaner.run()).toEqual({ deleted: 1, leftovers: 0 });
    expect(await listed()).not.toContain(second);
    await cleaner.stop();
    const third = await old('orphan after stop');
    expect(await cleaner.run()).toBeNull();
    expect(await listed()).toContain(third);
  });
});
