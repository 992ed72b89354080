import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// The knowledge-base pages of the inbox: an agent writes an article as a draft, publishes
// it, and the public help center and the bot's search see it; deleting takes it away.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web knowledge base', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agent: Person;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Kim Writer');
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, agent, '/kb');
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  it('writes a draft with a new category, then publishes it to the help center', async () => {
    await page.getByRole('heading', { name: 'Knowledge base', level: 1 }).waitFor();
    await page.getByText('No articles yet').waitFor();
    await page.getByRole('button', { name: 'New article' }).click();
    await page.getByLabel('Title').fill('Changing your delivery address');
    await page.getByLabel('New category').fill('Orders');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('combobox', { name: /^Category/ }).inputValue(), { timeout: 10_000 }).not.toBe('');
    await page.getByLabel('Body (Markdown)').fill('Open **My orders**, pick the order and choose *Change address* before it ships.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('region', { name: 'Preview as published' }).locator('strong', { hasText: 'My orders' }).waitFor();
    const draft = ((await app.api<Json>(agent, 'GET', '/api/kb/articles?status=draft')).items as Json[])[0]!;
    expect(draft).toMatchObject({ title: 'Changing your delivery address', status: 'draft' });
    expect((await fetch(`${app.url}/help/articles/${draft.slug}`)).status).toBe(404);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Published (help center, bot)').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Open in the help center' }).waitFor();
    const help = await fetch(`${app.url}/help/articles/${draft.slug}`);
    expect(help.status).toBe(200);
    expect(await help.text()).toContain('<strong>My orders</strong>');
    const found = (await (await fetch(`${app.url}/api/kb/articles?q=delivery%20addr`)).json()) as Json;
    expect(found.items.map((a: Json) => a.id)).toEqual([draft.id]);
    await page.getByRole('list').getByText('Published').waitFor();
  });

  it('deletes an article after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete article' }).click();
    await page.getByText('No articles yet').waitFor();
    expect((await app.api<Json>(agent, 'GET', '/api/kb/articles')).items).toEqual([]);
  });
});
