import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// Issue 5's flow end to end, two people in two browsers against the real server: a
// customer in the portal and an agent in the admin inbox, files travelling both ways, each
// side seeing the other live.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('a ticket from the portal to the inbox and back', () => {
  let app: WebApp;
  let browser: Browser;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  let customer: Page;
  let inbox: Page;
  let agent: Person;
  let conversationId = 0;
  const email = `flow-${process.pid}@customers.test`;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Ada Agent');
    customerContext = await browser.newContext({ acceptDownloads: true });
    agentContext = await browser.newContext({ acceptDownloads: true });
    customer = await customerContext.newPage();
    inbox = await agentContext.newPage();
    await signIn(inbox, app, agent);
    await inbox.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await customerContext?.close();
    await agentContext?.close();
    await browser?.close();
    await app?.stop();
  });

  const server = async () => (await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}`)).conversation as Json;
  const portalStatus = () => customer.locator('.conversation .heading .status').textContent();
  const inboxFile = (name: string) => inbox.locator(`.conversation[data-conversation-id="${conversationId}"] a.attachment-link`, { hasText: name });
  const portalFile = (name: string) => customer.locator('.thread a', { hasText: name });

  it('the customer signs up and opens a ticket with a PDF and a PNG', async () => {
    await customer.goto(app.url + '/portal/signup');
    await customer.getByLabel('Name').fill('Fiona Flow');
    await customer.getByLabel('Email').fill(email);
    await customer.getByLabel('Password').fill('a long password');
    await customer.getByRole('button', { name: 'Create account' }).click();
    // Signing in takes the mailed confirmation link and the password.
    await customer.getByRole('status').filter({ hasText: 'We have sent a link' }).waitFor();
    const rows = await app.store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').orderBy('id', 'desc').execute();
    const link = rows.map((row) => JSON.parse(row.payload) as { email: string; url: string }).find((job) => job.email === email)!;
    await customer.goto(link.url);
    await customer.getByLabel('Password').fill('a long password');
    await customer.getByRole('button', { name: 'Confirm address' }).click();
    await customer.getByRole('link', { name: 'See all your conversations' }).click();
    await customer.getByRole('link', { name: 'New ticket' }).click();
    await customer.getByLabel('Subject').fill('Label printer jams');
    await customer.getByLabel('Description').fill('It jams after every third label. Manual page and photo attached.');
    await customer.getByLabel('Attach files').setInputFiles([
      { name: 'manual.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'jam.png', mimeType: 'image/png', buffer: PNG },
    ]);
    await customer.getByRole('button', { name: 'Send ticket' }).click();
    const number = (await customer.getByRole('status').filter({ hasText: 'Your ticket number is' }).locator('strong').textContent())!;
    expect(number).toMatch(/^CONV-\d{6}$/);
    conversationId = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${number}`)).conversation.id;
    await customer.getByRole('link', { name: `Open ${number}` }).click();
    await customer.locator('.conversation[data-live="live"]').waitFor({ timeout: 15_000 });
  });

  it('the agent sees it arrive live with both files, and downloads one byte for byte', async () => {
    const row = inbox.locator(`.row[data-conversation-id="${conversationId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await inbox.locator(`.conversation[data-conversation-id="${conversationId}"]`).waitFor();
    for (const name of ['manual.pdf', 'jam.png']) {
      await inboxFile(name).waitFor();
      expect(await inboxFile(name).getAttribute('href')).toMatch(/^\/api\/attachments\/\d+$/);
    }
    const [download] = await Promise.all([inbox.waitForEvent('download'), inboxFile('manual.pdf').click()]);
    expect((await bytesOf(download)).equals(PDF)).toBe(true);
  });

  it('the agent replies with a file, which the customer sees live and downloads', async () => {
    await inbox.getByLabel(/^Reply to/).fill('Please install this firmware fix and try again.');
    await inbox.getByLabel('Attach files').setInputFiles([{ name: 'firmware-fix.txt', mimeType: 'text/plain', buffer: FIX }]);
    await inbox.getByRole('button', { name: 'Send reply' }).click();
    const lastMessage = async () => ((await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}/messages`)).items as Json[]).at(-1);
    await expect.poll(async () => (await lastMessage())?.body, { timeout: 10_000 }).toBe('Please install this firmware fix and try again.');
    expect((await lastMessage())!.attachments).toMatchObject([{ name: 'firmware-fix.txt', contentType: 'text/plain' }]);

    const reply = customer.locator('.thread li.theirs', { hasText: 'Please install this firmware fix' });
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.locator('.who strong').textContent()).toBe('Ada Agent');
    await expect.poll(portalStatus).toBe('Waiting for you');
    await portalFile('firmware-fix.txt').waitFor();
    const [download] = await Promise.all([customer.waitForEvent('download'), portalFile('firmware-fix.txt').click()]);
    expect((await bytesOf(download)).equals(FIX)).toBe(true);
    expect((await server()).status).toBe('pending');
  });

  it('the customer replies, which opens the conversation again, and the agent sees it live', async () => {
    await customer.getByLabel('Your reply').fill('Installed it; no jam in 50 labels.');
    await customer.getByRole('button', { name: 'Send reply' }).click();
    await customer.locator('.thread li.mine', { hasText: 'no jam in 50 labels' }).waitFor();
    await expect.poll(async () => (await server()).status).toBe('open');
    await expect.poll(portalStatus).toBe('We’re on it');
    await inbox.locator('.message-customer', { hasText: 'no jam in 50 labels' }).waitFor({ timeout: 10_000 });
  });

  it('the customer marks it resolved', async () => {
    await customer.getByRole('button', { name: 'Mark as resolved' }).click();
    await expect.poll(portalStatus).toBe('Resolved');
    await expect.poll(async () => (await server()).status).toBe('resolved');
  });
});

// A one-page PDF, a 1×1 PNG and a text file: small, real files.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const FIX = Buffer.from('firmware 2.0.7\nhold the feed button while powering on\n');

async function bytesOf(download: Download): Promise<Buffer> {
  return readFileSync((await download.path())!);
}
