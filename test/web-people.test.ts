import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, signIn, startWebApp, type WebApp } from './support/browser.js';

// Issue 16 in the inbox app: the availability switch beside the agent's name, and the
// customer in the conversation's details, with their other conversations a click away.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web: availability and customer context', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  }

  const availabilityOf = async (id: number, asker = app.admin) =>
    (await app.api<Json>(asker, 'GET', '/api/users')).items.find((u: Json) => u.id === id).availability;

  it('shows the agent online while the inbox is open, and busy once they choose it', async () => {
    const agent = await app.person('agent', 'Ada Agent');
    const page = await newPage();
    await signIn(page, app, agent);
    await expect.poll(() => availabilityOf(agent.id)).toBe('online');

    const select = page.getByLabel('Your availability');
    expect(await select.inputValue()).toBe('auto');
    await select.selectOption('busy');
    await expect.poll(() => availabilityOf(agent.id)).toBe('busy');
    // Stored: a reload keeps it.
    await page.reload();
    await expect.poll(() => page.getByLabel('Your availability').inputValue()).toBe('busy');
    await page.getByLabel('Your availability').selectOption('auto');
    await expect.poll(() => availabilityOf(agent.id)).toBe('online');
  });

  it('shows the customer in the details and opens one of their other conversations', async () => {
    const agent = await app.person('agent', 'Cal Agent');
    const customer = await app.person('customer', 'Dora Customer');
    const older = await app.api<Json>(customer, 'POST', '/api/conversations', { channel: 'ticket', subject: 'Broken zipper', body: 'It broke.' });
    const newer = await app.api<Json>(customer, 'POST', '/api/conversations', { channel: 'ticket', subject: 'Second order', body: 'Where is it?' });

    const page = await newPage();
    await signIn(page, app, agent, `/inbox/all?conversation=${newer.conversation.id}`);
    const summary = page.locator('.detail-customer summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Dora Customer');
    // The name shows at once; the count of their other conversations when the customer's card has loaded.
    await expect.poll(() => summary.textContent(), { timeout: 10_000 }).toContain('1 other conversation');
    await summary.click();
    const card = page.getByTestId('customer-card');
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toContain(customer.email);
    expect(await card.textContent()).toContain('Ticket');

    // An agent corrects the name.
    await card.getByRole('button', { name: 'Rename the customer' }).click();
    await card.getByLabel('Customer name').fill('Dora Díaz');
    await card.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await app.api<Json>(agent, 'GET', `/api/customers/${customer.id}`)).customer.name).toBe('Dora Díaz');

    await card.getByRole('link', { name: /Broken zipper/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('conversation')).toBe(String(older.conversation.id));
    await page.getByRole('heading', { name: 'Broken zipper' }).waitFor();
  });
});
