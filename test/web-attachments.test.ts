import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, signIn, startWebApp, type WebApp } from './support/browser.js';

// Files in the agent's composer, in real Chromium against the real server: picked or
// dropped, shown as chips, sent as a form, listed on the message as download links
// (images with a thumbnail) whose bytes are the ones sent; refusals said next to them.

type Json = Record<string, any>;

// A 1×1 PNG, and a small PDF (its type is sniffed from the content).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!hasChromium)('web inbox, attachments in the composer', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let conversationId: number;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'olga@customers.test', name: 'Olga Customer' },
      channel: 'ticket',
      subject: 'Please send the signed contract',
      body: 'And a picture of the delivery note, if you have one.',
    });
    conversationId = created.conversation.id;
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin, `/inbox/open?conversation=${conversationId}`);
    await page.locator(`.conversation[data-conversation-id="${conversationId}"]`).waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const attach = () => page.getByLabel('Attach files');
  const chips = () => page.locator('.file-chip');

  it('attaches a PNG and a PDF, shows them as they send, and the thread links both', async () => {
    await attach().setInputFiles([
      { name: 'delivery-note.png', mimeType: 'image/png', buffer: PNG },
      { name: 'contract.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'draft.txt', mimeType: 'text/plain', buffer: Buffer.from('not this one') },
    ]);
    await expect.poll(() => chips().allTextContents()).toEqual(['delivery-note.png70 B', `contract.pdf${PDF.length} B`, 'draft.txt12 B']);
    await page.getByRole('button', { name: 'Remove draft.txt' }).click();
    await expect.poll(() => chips().count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);

    // Hold the upload until the optimistic message has been looked at.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let sent: { contentType: string; body: string } | null = null;
    await page.route(`**/api/conversations/${conversationId}/messages`, async (route: Route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sent = { contentType: route.request().headers()['content-type'] ?? '', body: route.request().postDataBuffer()?.toString('latin1') ?? '' };
      await held;
      await route.continue();
    });
    await page.getByRole('textbox', { name: /Reply to/ }).fill('Here are both files.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const pending = page.locator('.message[data-pending]').filter({ hasText: 'Here are both files.' });
    await pending.waitFor();
    expect(await pending.locator('.attachment').allTextContents()).toEqual(['delivery-note.png70 B', `contract.pdf${PDF.length} B`]);
    expect(await chips().count()).toBe(0);
    release();
    await page.unrouteAll({ behavior: 'wait' });

    const message = page.locator('.message-admin:not([data-pending])').filter({ hasText: 'Here are both files.' });
    await message.waitFor();
    expect(sent!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent!.body).toContain('name="files"; filename="delivery-note.png"');
    expect(sent!.body).toContain('name="isInternal"');

    const png = message.getByRole('link', { name: 'delivery-note.png', exact: true });
    const pdf = message.getByRole('link', { name: 'contract.pdf', exact: true });
    expect(await png.getAttribute('href')).toMatch(/^\/api\/attachments\/\d+$/);
    expect(await pdf.getAttribute('href')).toMatch(/^\/api\/attachments\/\d+$/);
    // The image has a thumbnail that loaded; the PDF does not.
    await expect.poll(() => png.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    expect(await pdf.locator('img').count()).toBe(0);
    expect(await message.locator('.attachment').allTextContents()).toEqual(['delivery-note.png70 B', `contract.pdf${PDF.length} B`]);

    // Downloading from the page gives back exactly the bytes sent.
    const download = (href: string) =>
      page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), href).then((bytes) => Uint8Array.from(bytes));
    expect(sha256(await download((await png.getAttribute('href'))!))).toBe(sha256(PNG));
    expect(sha256(await download((await pdf.getAttribute('href'))!))).toBe(sha256(PDF));

    const stored = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}/messages`)).items.at(-1);
    expect(stored.body).toBe('Here are both files.');
    expect(stored.attachments.map((a: Json) => [a.name, a.contentType, a.size])).toEqual([
      ['delivery-note.png', 'image/png', PNG.length],
      ['contract.pdf', 'application/pdf', PDF.length],
    ]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('takes files dropped on the composer', async () => {
    await page.locator('form.composer').evaluate((form) => {
      const files = new DataTransfer();
      files.items.add(new File(['dropped text'], 'dropped.txt', { type: 'text/plain' }));
      form.dispatchEvent(new DragEvent('dragover', { dataTransfer: files, bubbles: true, cancelable: true }));
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => chips().allTextContents()).toEqual(['dropped.txt12 B']);
    expect(await page.locator('form.composer').getAttribute('data-dragging')).toBeNull();
    await page.getByRole('button', { name: 'Remove dropped.txt' }).click();
    await expect.poll(() => chips().count()).toBe(0);
  });

  it('says clearly when the server refuses the files, and keeps the draft', async () => {
    const before = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}/messages`)).items.length;
    // One more than the server takes on a message (ATTACHMENT_MAX_FILES, 10 by default).
    await attach().setInputFiles(
      Array.from({ length: 11 }, (_, i) => ({ name: `page-${i + 1}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`page ${i + 1}`) })),
    );
    await expect.poll(() => chips().count()).toBe(11);
    await page.getByRole('textbox', { name: /Reply to/ }).fill('All eleven pages.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    const refusal = page.locator('.composer-error[role="alert"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe('The files were not sent: too many files: at most 10 per message');
    expect(await chips().count()).toBe(11);
    expect(await page.getByRole('textbox', { name: /Reply to/ }).inputValue()).toBe('All eleven pages.');
    expect(await page.locator('.message[data-pending]').count()).toBe(0);
    expect((await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}/messages`)).items.length).toBe(before);

    // One fewer goes through.
    await page.getByRole('button', { name: 'Remove page-11.txt' }).click();
    await page.getByRole('button', { name: 'Send reply' }).click();
    const sent = page.locator('.message-admin:not([data-pending])').filter({ hasText: 'All eleven pages.' });
    await sent.waitFor();
    expect(await sent.locator('.attachment').count()).toBe(10);
    expect(await refusal.count()).toBe(0);
  });

  it('works at phone width: files, chips and the send button fit the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 800 } });
    try {
      const small = await phone.newPage();
      await signIn(small, app, app.admin, `/inbox/open?conversation=${conversationId}`);
      const links = small.locator('.message .attachment-link');
      await links.first().waitFor();
      await small
        .getByLabel('Attach files')
        .setInputFiles([{ name: 'a-rather-long-file-name-for-a-small-screen.pdf', mimeType: 'application/pdf', buffer: PDF }]);
      await small.locator('.file-chip').waitFor();
      for (const target of [small.locator('.file-chip'), small.locator('.attach-button'), small.getByRole('button', { name: 'Send reply' }), links.first()]) {
        const box = (await target.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(390);
      }
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await axeViolations(small)).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
