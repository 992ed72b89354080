import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, type Person, startWebApp, type WebApp } from './support/browser.js';

// The customer portal and the contact form in real Chromium against the real server: sign
// up, a ticket with files, the agent's answer arriving live, downloads, a reply with a
// file, "Mark as resolved"; and the contact form as a page and as an embed.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('customer portal', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agent: Person;
  let number = '';
  let conversationId = 0;
  const email = `paula-${process.pid}@customers.test`;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Ben Agent');
    context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const status = () => page.locator('.conversation .heading .status').textContent();
  /** The newest link mailed to the customer, as the email channel would send it. */
  const mailedLink = async (purpose: 'verify' | 'reset') => {
    const rows = await app.store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').orderBy('id', 'desc').execute();
    const link = rows
      .map((row) => JSON.parse(row.payload) as { email: string; purpose: string; url: string })
      .find((job) => job.email === email && job.purpose === purpose);
    if (!link) throw new Error(`no ${purpose} link was queued for ${email}`);
    return link.url;
  };
  const attachmentLink = (name: string) => page.locator('.thread a', { hasText: name });

  it('signs up, and asks to confirm the address', async () => {
    await page.goto(app.url + '/portal');
    await page.getByRole('link', { name: 'Create an account' }).click();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('Paula Portal');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long password');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Nobody is signed in before the address is confirmed.
    await page
      .getByRole('status')
      .filter({ hasText: `We have sent a link to ${email}` })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
  });

  it('confirms the address from the mailed link with the password, which signs in', async () => {
    const link = await mailedLink('verify');
    expect(link.startsWith(`${app.url}/portal/verify?token=`)).toBe(true);
    await page.goto(link);
    expect(await axeViolations(page)).toEqual([]);
    // Someone who has the link but not the password (whose address was signed up by a stranger) cannot confirm.
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Confirm address' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the password of the account' }).waitFor();
    await page.getByLabel('Password').fill('a long password');
    await page.getByRole('button', { name: 'Confirm address' }).click();
    await page.getByRole('status').filter({ hasText: 'your address is confirmed' }).waitFor();
    await page.getByRole('link', { name: 'See all your conversations' }).click();
    await page.getByRole('heading', { name: 'My conversations' }).waitFor();
    // The list loads after the heading: wait for its empty state rather than look once.
    await page.getByText('No conversations yet').waitFor();
    expect(await page.getByText('Please confirm that').count()).toBe(0);
  });

  it('opens a ticket with a PDF and a PNG and shows its number', async () => {
    await page.getByRole('link', { name: 'New ticket' }).click();
    await page.getByLabel('Subject').fill('The printer prints blank pages');
    await page.getByLabel('Description').fill('Since Monday every page comes out blank. Scan and photo attached.');
    await page.getByLabel('Type').selectOption('support');
    await page.getByLabel('Attach files').setInputFiles([
      { name: 'scan.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'photo.png', mimeType: 'image/png', buffer: PNG },
    ]);
    expect(await page.getByRole('list', { name: 'Files to send' }).getByRole('listitem').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Send ticket' }).click();
    const created = page.getByRole('status').filter({ hasText: 'Your ticket number is' });
    await created.waitFor();
    number = (await created.locator('strong').textContent())!;
    expect(number).toMatch(/^CONV-\d{6}$/);

    const server = await app.api<Json>(app.admin, 'GET', `/api/conversations/${number}`);
    conversationId = server.conversation.id;
    expect(server.conversation).toMatchObject({ channel: 'ticket', type: 'support', status: 'open', customer: { email } });
  });

  it('lists it under My conversations in plain words', async () => {
    await page.getByRole('link', { name: 'Support' }).click();
    const item = page.locator('.conversations li', { hasText: 'The printer prints blank pages' });
    await item.waitFor();
    expect(await item.textContent()).toContain('We’re on it');
    expect(await item.textContent()).toContain(number);
  });

  it('shows the thread with both files, and the agent’s reply with a file arrives live', async () => {
    await page.locator('.conversations a', { hasText: number }).click();
    await page.getByRole('heading', { name: 'The printer prints blank pages' }).waitFor();
    expect(await status()).toBe('We’re on it');
    for (const name of ['scan.pdf', 'photo.png']) expect(await attachmentLink(name).getAttribute('href')).toMatch(/^\/api\/attachments\/\d+$/);
    await page.locator('.conversation[data-live="live"]').waitFor();

    const form = new FormData();
    form.append('body', 'Please try the new driver attached, then print a test page.');
    form.append('files', new Blob([new Uint8Array(DRIVER_NOTES)], { type: 'text/plain' }), 'driver-notes.txt');
    const reply = await fetch(`${app.url}/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${agent.token}` },
    });
    expect(reply.status).toBe(201);

    const answer = page.locator('.thread li.theirs', { hasText: 'Please try the new driver' });
    await answer.waitFor({ timeout: 10_000 });
    expect(await answer.locator('.who strong').textContent()).toBe('Ben Agent');
    await expect.poll(status).toBe('Waiting for you');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('downloads the files byte for byte', async () => {
    for (const [name, bytes] of [
      ['photo.png', PNG],
      ['scan.pdf', PDF],
      ['driver-notes.txt', DRIVER_NOTES],
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), attachmentLink(name).click()]);
      expect(download.suggestedFilename()).toBe(name);
      expect((await bytesOf(download)).equals(bytes), name).toBe(true);
    }
  });

  it('replies with a file, which opens the conversation again for the team', async () => {
    await page.getByLabel('Your reply').fill('The driver worked, here is the test page.');
    await page.getByLabel('Attach files').setInputFiles([{ name: 'test-page.png', mimeType: 'image/png', buffer: PNG }]);
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.thread li.mine', { hasText: 'The driver worked' }).waitFor();
    await attachmentLink('test-page.png').waitFor();
    await expect.poll(status).toBe('We’re on it');
    const messages = await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}/messages`);
    expect(messages.items.at(-1)).toMatchObject({
      body: 'The driver worked, here is the test page.',
      attachments: [{ name: 'test-page.png', contentType: 'image/png' }],
    });
  });

  it('marks the conversation resolved', async () => {
    await page.getByRole('button', { name: 'Mark as resolved' }).click();
    await expect.poll(status).toBe('Resolved');
    expect(await page.getByRole('button', { name: 'Mark as resolved' }).count()).toBe(0);
    expect((await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}`)).conversation.status).toBe('resolved');
  });

  it('logs out and back in', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.conversations li', { hasText: number }).waitFor();
  });

  it('sets a new password from a mailed reset link, and the old one stops working', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'we have sent it a link' }).waitFor();
    await page.goto(await mailedLink('reset'));
    await page.getByLabel('New password').fill('an even longer password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.locator('.conversations li', { hasText: number }).waitFor();
    const old = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long password' }),
    });
    expect(old.status).toBe(401);
    // The link worked once.
    await page.goto(await mailedLink('reset'));
    await page.getByLabel('New password').fill('yet another password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByRole('alert').filter({ hasText: 'not valid any more' }).waitFor();
  });

  it('takes a message through the contact form, also framed compactly, with the honeypot out of sight', async () => {
    const visitor = await browser.newContext();
    try {
      const contact = await visitor.newPage();
      await contact.goto(app.url + '/contact?embed=1');
      expect(await contact.locator('.portal.embed').count()).toBe(1);
      expect(await contact.locator('header').count()).toBe(0);
      expect(await axeViolations(contact)).toEqual([]);
      // A person neither sees nor tabs into the honeypot.
      const honeypot = contact.locator('input[name="website"]');
      expect(await honeypot.getAttribute('tabindex')).toBe('-1');
      expect(await honeypot.evaluate((input) => input.getBoundingClientRect().right <= 0)).toBe(true);
      await contact.getByLabel('Name').fill('Vera Visitor');
      await contact.getByLabel('Email').fill(`vera-${process.pid}@visitors.test`);
      await contact.getByLabel('Subject').fill('Do you ship to Norway?');
      await contact.getByLabel('Message').fill('And how long does it take?');
      await contact.getByRole('button', { name: 'Send message' }).click();
      const thanks = contact.getByRole('status').filter({ hasText: 'We have your message as' });
      await thanks.waitFor();
      const contactNumber = (await thanks.locator('strong').textContent())!;
      const server = await app.api<Json>(app.admin, 'GET', `/api/conversations/${contactNumber}`);
      expect(server.conversation).toMatchObject({ channel: 'ticket', subject: 'Do you ship to Norway?', customer: { name: 'Vera Visitor' } });
    } finally {
      await visitor.close();
    }
  });
});

// A one-page PDF and a 1×1 PNG: small, real files.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const DRIVER_NOTES = Buffer.from('Driver 4.2.1\nInstall, restart, print a test page.\n');

async function bytesOf(download: Download): Promise<Buffer> {
  return readFileSync((await download.path())!);
}
