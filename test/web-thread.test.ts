import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation, recordDelivery } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';
import { freePort, queuedId, swaks, uniqueId, waitFor } from './support/email.js';

// The thread of one conversation in real Chromium: a long thread arrives page by page from
// the newest, quoted history is folded away, an email reply shows how its mail went, and a
// mail's large inline image shows from the attachment store.

type Json = Record<string, any>;

const LONG = 120;
const SUPPORT_ADDRESS = 'support@thread.test';

describe.skipIf(!hasChromium)('web inbox, the thread', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customer: Person;
  let longId: number;
  let quotedId: number;
  const messageIds: Record<string, number> = {};
  let smtpPort: number;

  beforeAll(async () => {
    smtpPort = await freePort();
    app = await startWebApp({ SUPPORT_ADDRESSES: SUPPORT_ADDRESS, SMTP_LISTEN_PORT: String(smtpPort) });
    browser = await launchBrowser();
    customer = await app.person('customer', 'Lena Customer');

    // One message a minute, so the order is the one written here.
    const start = Date.now() - (LONG + 5) * 60_000;
    const long = await createConversation(app.inbox, {
      from: { userId: customer.id },
      channel: 'ticket',
      subject: 'A very long story',
      body: 'Message 1',
      sentAt: start,
    });
    longId = long.conversation.id;
    for (let i = 2; i <= LONG; i++) {
      await addMessage(app.inbox, {
        conversation: longId,
        from: i % 2 ? { userId: customer.id } : { userId: app.admin.id },
        body: `Message ${i}`,
        sentAt: start + i * 60_000,
      });
    }

    const quoted = await createConversation(app.inbox, {
      from: { customerEmail: 'mira@customers.test', name: 'Mira Customer' },
      channel: 'email',
      subject: 'Re: Your refund',
      body: 'Yes, it arrived, thank you!',
      htmlBody:
        '<p id="fresh">Yes, it arrived, thank you!</p>' +
        '<details class="ot-quoted"><summary>Show quoted text</summary><p id="old">On Monday the team wrote: the refund is on its way.</p></details>',
    });
    quotedId = quoted.conversation.id;
    messageIds.html = quoted.message.id;
    const text = await addMessage(app.inbox, {
      conversation: quotedId,
      from: { customerEmail: 'mira@customers.test' },
      body: 'One more thing: the invoice too, please.\n\nOn Tue, 4 Nov 2025, Ana <ana@example.test> wrote:\n> Is there anything else?\n> We are happy to help.',
    });
    messageIds.text = text.message.id;

    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin);
    await page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const bodies = () => page.locator('.conversation .message .message-body').allTextContents();
  const olderButton = () => page.getByRole('button', { name: 'Load older messages' });

  it('the API pages a thread back from its newest message, each page oldest first', async () => {
    const newest = await app.api<Json>(app.admin, 'GET', `/api/conversations/${longId}/messages?direction=backward&limit=50`);
    expect(newest.items.map((m: Json) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `Message ${LONG - 49 + i}`));
    const older = await app.api<Json>(app.admin, 'GET', `/api/conversations/${longId}/messages?direction=backward&limit=50&cursor=${newest.nextCursor}`);
    expect(older.items.map((m: Json) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `Message ${LONG - 99 + i}`));
    const oldest = await app.api<Json>(app.admin, 'GET', `/api/conversations/${longId}/messages?direction=backward&limit=50&cursor=${older.nextCursor}`);
    expect(oldest.items.map((m: Json) => m.body)).toEqual(Array.from({ length: LONG - 100 }, (_, i) => `Message ${i + 1}`));
    expect(oldest.nextCursor).toBeNull();
  });

  it('opens a long thread at its newest page and loads older messages on request', async () => {
    await page.goto(`${app.url}/inbox/all?conversation=${longId}`);
    await page.locator(`.conversation[data-conversation-id="${longId}"]`).waitFor();
    await expect.poll(bodies).toEqual(Array.from({ length: 50 }, (_, i) => `Message ${LONG - 49 + i}`));
    // Where the first loaded message sits in the thread, scrolled to the top where the button is.
    const thread = page.locator('.conversation .thread');
    await thread.evaluate((el) => el.scrollTo(0, 0));
    const place = (body: string) =>
      page
        .locator('.conversation .message')
        .filter({ has: page.getByText(body, { exact: true }) })
        .evaluate((el) => el.getBoundingClientRect().top - el.closest('.thread')!.getBoundingClientRect().top);
    const before = await place(`Message ${LONG - 49}`);
    await olderButton().click();
    await expect.poll(async () => (await bodies()).length).toBe(100);
    expect((await bodies())[0]).toBe(`Message ${LONG - 99}`);
    // The agent's place stays put: the older messages are above it, to scroll up to.
    expect(Math.abs((await place(`Message ${LONG - 49}`)) - before)).toBeLessThan(2);
    await olderButton().click();
    await expect.poll(bodies).toEqual(Array.from({ length: LONG }, (_, i) => `Message ${i + 1}`));
    await olderButton().waitFor({ state: 'detached' });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('still appends live messages to the end of a paged thread', async () => {
    await app.api(customer, 'POST', `/api/conversations/${longId}/messages`, { body: 'Message after the paging' });
    await page.locator('.message-customer').filter({ hasText: 'Message after the paging' }).waitFor({ timeout: 10_000 });
    const all = await bodies();
    expect(all.length).toBe(LONG + 1);
    expect(all.at(-1)).toBe('Message after the paging');
  });

  it('shows a reply once when the live stream confirms it before the send answers', async () => {
    await page.goto(`${app.url}/inbox/all?conversation=${longId}`);
    await page.locator(`.conversation[data-conversation-id="${longId}"]`).waitFor();
    // The server stores the reply and streams it at once; the browser sees the POST's answer only
    // after the streamed copy has arrived, the order CI once met by chance.
    let copiesBeforeAnswer = -1;
    await page.route(`**/api/conversations/${longId}/messages`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      await waitFor(async () => (await page.locator('.message-admin:not([data-pending])').filter({ hasText: 'Echoed only once' }).count()) === 1);
      copiesBeforeAnswer = await page.locator('.message-admin').filter({ hasText: 'Echoed only once' }).count();
      await route.fulfill({ response });
    });
    await page.locator('.composer textarea').fill('Echoed only once');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => copiesBeforeAnswer, { timeout: 20_000 }).toBe(1);
    const copies = page.locator('.message-admin').filter({ hasText: 'Echoed only once' });
    expect(await copies.count()).toBe(1);
    expect(await copies.getAttribute('data-pending')).toBeNull();
    await page.unroute(`**/api/conversations/${longId}/messages`);
  });

  it('folds quoted history away, in HTML mail and in text, until the agent asks', async () => {
    await page.goto(`${app.url}/inbox/all?conversation=${quotedId}`);
    const htmlMessage = page.locator(`.message[data-message-id="${messageIds.html}"]`);
    const frame = page.frameLocator(`.message[data-message-id="${messageIds.html}"] iframe`);
    await frame.locator('#fresh').waitFor();
    expect(await frame.locator('#old').count()).toBe(0);
    const htmlToggle = htmlMessage.getByRole('button', { name: 'Show quoted text' });
    expect(await htmlToggle.getAttribute('aria-expanded')).toBe('false');
    await htmlToggle.click();
    await frame.locator('#old').waitFor();
    expect(await frame.locator('#old').textContent()).toBe('On Monday the team wrote: the refund is on its way.');
    expect(await htmlMessage.getByRole('button', { name: 'Hide quoted text' }).getAttribute('aria-expanded')).toBe('true');

    const textMessage = page.locator(`.message[data-message-id="${messageIds.text}"]`);
    await expect.poll(() => textMessage.textContent()).toContain('One more thing: the invoice too, please.');
    expect(await textMessage.textContent()).not.toContain('Is there anything else?');
    await textMessage.getByRole('button', { name: 'Show quoted text' }).click();
    await textMessage.locator('.quoted-text').filter({ hasText: '> Is there anything else?' }).waitFor();
    expect(await textMessage.locator('.quoted-text').textContent()).toContain('Ana <ana@example.test> wrote:');
    await textMessage.getByRole('button', { name: 'Hide quoted text' }).click();
    await textMessage.locator('.quoted-text').waitFor({ state: 'detached' });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows how an email reply is being mailed, live, and offers a retry when it failed', async () => {
    const reply = await addMessage(app.inbox, { conversation: quotedId, from: { userId: app.admin.id }, body: 'The invoice is attached to your account.' });
    const message = page.locator(`.message[data-message-id="${reply.message.id}"]`);
    await message.waitFor({ timeout: 10_000 });
    const delivery = message.locator('.delivery');

    await recordDelivery(app.inbox, { messageId: reply.message.id, status: 'queued', attempts: 0, by: { system: 'email' } });
    await expect.poll(() => delivery.getAttribute('data-delivery'), { timeout: 10_000 }).toBe('queued');
    expect(await delivery.textContent()).toBe('Queued');

    await recordDelivery(app.inbox, {
      messageId: reply.message.id,
      status: 'failed',
      error: '550 5.1.1 mailbox unavailable',
      attempts: 5,
      by: { system: 'email' },
    });
    await expect.poll(() => delivery.getAttribute('data-delivery'), { timeout: 10_000 }).toBe('failed');
    expect(await delivery.locator('.badge').getAttribute('title')).toBe('550 5.1.1 mailbox unavailable');
    // This server has no SMTP_URL: the retry is refused, and says why.
    await delivery.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('alert').filter({ hasText: 'SMTP_URL is not set' }).first().waitFor();
    expect(await delivery.getAttribute('data-delivery')).toBe('failed');

    await recordDelivery(app.inbox, { messageId: reply.message.id, status: 'sent', attempts: 6, by: { system: 'email' } });
    await expect.poll(() => delivery.getAttribute('data-delivery'), { timeout: 10_000 }).toBe('sent');
    expect(await delivery.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    const stored = await app.api<Json>(app.admin, 'GET', `/api/conversations/${quotedId}/messages`);
    expect(stored.items.find((m: Json) => m.id === reply.message.id).delivery).toMatchObject({ status: 'sent', error: null, attempts: 6 });
  });

  it('shows a pasted screenshot too large to travel inside the HTML from the attachment store', async () => {
    // 1100 × 1100 pixels of noise: a 3.6 MB PNG, over the 2 MB the channel inlines as data: URLs.
    const screenshot = noisePng(1100, 1100);
    expect(screenshot.byteLength).toBeGreaterThan(3_000_000);
    const raw = [
      'From: Noor Customer <noor@customers.test>',
      `To: ${SUPPORT_ADDRESS}`,
      'Subject: The error dialog, pasted',
      `Message-ID: <${uniqueId('screenshot')}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/related; boundary="related"',
      '',
      '--related',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p id="said">This is what I see:</p><p><img id="shot" src="cid:shot@customers.test" alt="screenshot"></p>',
      '--related',
      'Content-Type: image/png; name="image001.png"',
      'Content-ID: <shot@customers.test>',
      'Content-Disposition: inline; filename="image001.png"',
      'Content-Transfer-Encoding: base64',
      '',
      screenshot.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--related--',
      '',
    ].join('\r\n');
    const sent = await swaks(smtpPort, { from: 'noor@customers.test', to: SUPPORT_ADDRESS, data: raw });
    queuedId(sent);
    const { id } = await waitFor(async () => (await app.api<Json>(app.admin, 'GET', '/api/conversations?q=pasted')).items[0], 30_000, 'the mail filed');

    await page.goto(`${app.url}/inbox/all?conversation=${id}`);
    const frame = page.frameLocator('.message iframe');
    await frame.locator('#said').waitFor();
    await expect.poll(() => frame.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(1100);
    // Our own stored image is not a remote image: nothing to unblock.
    expect(await page.getByRole('button', { name: 'Show images' }).count()).toBe(0);
    const [message] = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${id}/messages`)).items;
    expect(message.attachments).toMatchObject([{ name: 'image001.png', contentType: 'image/png', size: screenshot.byteLength }]);
    expect(await frame.locator('img').getAttribute('src')).toBe(message.attachments[0].url);
  });
});

/** A valid PNG of random RGB pixels, which no compression shrinks. */
function noisePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.byteLength, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  // Each row: filter byte 0, then the pixels.
  const rows = randomBytes((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
