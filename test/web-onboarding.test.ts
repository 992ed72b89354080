import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// An inbox with no conversation at all shows how the first one gets in (issue 14, item 15),
// with this server's own addresses; it goes as soon as one arrives.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web onboarding in the empty inbox', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customer: Person;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    customer = await app.person('customer', 'First Customer');
    context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    page = await context.newPage();
    await signIn(page, app, app.admin);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const card = () => page.getByTestId('onboarding');

  it('shows the contact form, the widget snippet for this server, email and the demo', async () => {
    await card().waitFor();
    const contact = card().getByRole('link', { name: `${app.url}/contact` });
    expect(await contact.getAttribute('href')).toBe(`${app.url}/contact`);
    expect(await card().getByLabel('Widget snippet').textContent()).toBe(`<script src="${app.url}/widget.js" data-onethread async></script>`);
    expect(await card().getByLabel('Demo command').textContent()).toBe('npx onethread demo');
    const text = await card().textContent();
    for (const words of ['SUPPORT_ADDRESSES', 'SMTP port', 'IMAP_URL', 'SMTP_URL', 'README']) expect(text).toContain(words);
    expect(await axeViolations(page, ['critical', 'serious'])).toEqual([]);

    // The snippet this page shows is one the server really serves.
    expect((await fetch(`${app.url}/widget.js`)).status).toBe(200);
    expect((await fetch(`${app.url}/contact`)).status).toBe(200);
  });

  it('copies the widget snippet with one click', async () => {
    await card().getByRole('button', { name: 'Copy Widget snippet' }).click();
    await card().getByRole('button', { name: 'Copied Widget snippet' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`<script src="${app.url}/widget.js" data-onethread async></script>`);
  });

  it('goes away once the first conversation arrives, and an empty view of a busy inbox shows no such card', async () => {
    const created = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Hello there', body: 'My very first question.' })).conversation;
    await page.locator(`.row[data-conversation-id="${created.id}"]`).waitFor({ timeout: 15_000 });
    expect(await card().count()).toBe(0);

    await page.locator('.nav-link[data-view="closed"]').click();
    await page.locator('.list-pane .state-empty').waitFor();
    expect(await card().count()).toBe(0);
  });
});
