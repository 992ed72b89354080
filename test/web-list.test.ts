import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { hasChromium, launchBrowser, signIn, startWebApp, type WebApp } from './support/browser.js';

// A long list: pages arrive with the API's cursor as the agent scrolls, every
// conversation exactly once, while the DOM holds only the rows in view.

const TOTAL = 240;

describe.skipIf(!hasChromium)('web inbox, long list', () => {
  let app: WebApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    for (let i = 0; i < TOTAL; i++) {
      await createConversation(app.inbox, {
        from: { customerEmail: `bulk${i}@customers.test`, name: `Bulk ${i}` },
        channel: 'email',
        subject: `Bulk question ${i}`,
        body: `Body ${i}`,
      });
    }
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, app, app.admin, '/inbox/open');
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('loads page after page while scrolling, and keeps the DOM small', async () => {
    await page.locator('.row').first().waitFor();
    const seen = new Set<string>();
    let maxRendered = 0;
    for (let step = 0; step < 80 && seen.size < TOTAL; step++) {
      const ids = await page.locator('.row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversation-id')!));
      for (const id of ids) seen.add(id);
      maxRendered = Math.max(maxRendered, ids.length);
      await page.locator('.list-scroller').evaluate((el) => el.scrollBy(0, el.clientHeight));
      await page.waitForTimeout(60);
    }
    expect(seen.size).toBe(TOTAL);
    expect(maxRendered).toBeLessThan(40);
    // The last row is the oldest conversation.
    await expect.poll(() => page.locator('.row').last().textContent()).toContain('Bulk question 0');
  });

  it('opens a conversation far down the list from a link', async () => {
    const oldest = (await app.api<{ items: { id: number }[] }>(app.admin, 'GET', '/api/conversations?status=open&limit=100&sort=createdAt')).items;
    const id = oldest[oldest.length - 1]!.id;
    await page.goto(`${app.url}/inbox/open?conversation=${id}`);
    await page.locator(`.conversation[data-conversation-id="${id}"]`).waitFor();
    expect(await page.locator('.conversation h2').textContent()).toMatch(/Bulk question \d+/);
  });
});
