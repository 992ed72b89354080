import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';
import { Live, messageOf } from './support/live.js';

// The open page follows the server without a reload: new conversations, new messages
// in the open thread, counts; and after the network drops, what happened meanwhile.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web inbox, live', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customer: Person;
  let first: Json;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    customer = await app.person('customer', 'Gina Customer');
    first = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Where is my parcel?', body: 'It has been two weeks.' })).conversation;
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin);
    await row(first.id).waitFor();
    await live();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const row = (id: number) => page.locator(`.row[data-conversation-id="${id}"]`);
  const live = () => page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  const openCount = () => page.locator('.nav-link[data-view="open"] .nav-count').textContent();

  it('shows a conversation a customer opens, at the top, with the counts moved', async () => {
    await expect.poll(openCount).toBe('1');
    const created = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Coupon does not apply', body: 'Code SPRING fails at checkout.' }))
      .conversation;
    await row(created.id).waitFor({ timeout: 10_000 });
    const order = await page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))));
    expect(order).toEqual([created.id, first.id]);
    expect(await row(created.id).textContent()).toContain('New reply');
    await expect.poll(openCount).toBe('2');
  });

  it('appends a message to the open thread and re-sorts the list', async () => {
    await row(first.id).click();
    await page.locator(`.conversation[data-conversation-id="${first.id}"]`).waitFor();
    await app.api(customer, 'POST', `/api/conversations/${first.id}/messages`, { body: 'Any news? The tracking page is blank.' });
    await page.locator('.message-customer').filter({ hasText: 'The tracking page is blank' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('.row').first().getAttribute('data-conversation-id')).toBe(String(first.id));
    // Seen as it arrived: not "new" for the agent who has it open.
    expect(await row(first.id).textContent()).not.toContain('New reply');
  });

  it('moves a conversation out of the view when a teammate resolves it', async () => {
    const other = await app.person('agent', 'Hugo Agent');
    const created = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Wrong size', body: 'I need an M, got an L.' })).conversation;
    await row(created.id).waitFor({ timeout: 10_000 });
    await app.api(other, 'PATCH', `/api/conversations/${created.id}`, { status: 'resolved' });
    await row(created.id).waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(() => page.locator('.nav-link[data-view="resolved"] .nav-count').textContent()).toBe('1');
  });

  it('catches up after going offline: what was posted meanwhile appears', async () => {
    await context.setOffline(true);
    await page.locator('.live-dot.live-offline').waitFor({ timeout: 10_000 });
    // Another of the admin's connections, still online, shows when the server has sent it.
    const online = await Live.open(app.url.replace('http:', 'ws:') + '/api/realtime', { authorization: `Bearer ${app.admin.token}` });
    try {
      await app.api(customer, 'POST', `/api/conversations/${first.id}/messages`, { body: 'Sent while you were offline.' });
      await online.waitFor(messageOf('Sent while you were offline.'), 10_000);
    } finally {
      await online.close();
    }
    const created = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Posted during the outage', body: 'Hello?' })).conversation;
    expect(await page.locator('.message').filter({ hasText: 'Sent while you were offline.' }).count()).toBe(0);
    await context.setOffline(false);
    await live();
    await page.locator('.message-customer').filter({ hasText: 'Sent while you were offline.' }).waitFor({ timeout: 10_000 });
    await row(created.id).waitFor({ timeout: 10_000 });
    // Each message once: the replay does not repeat what the page had.
    expect(await page.locator('.message').filter({ hasText: 'The tracking page is blank' }).count()).toBe(1);
  });

  it('shows who else is viewing and typing', async () => {
    const ben = await app.person('agent', 'Ben Agent');
    const benContext = await browser.newContext();
    try {
      const benPage = await benContext.newPage();
      await signIn(benPage, app, ben, `/inbox/open?conversation=${first.id}`);
      await page.locator('.presence').filter({ hasText: 'Ben Agent is viewing' }).waitFor({ timeout: 10_000 });
      await benPage.getByRole('textbox', { name: /Reply to/ }).pressSequentially('Looking into it');
      await page.locator('.presence').filter({ hasText: 'Ben Agent is typing…' }).waitFor({ timeout: 10_000 });
      await benPage.close();
      await page
        .locator('.presence')
        .filter({ hasText: 'Ben Agent' })
        .waitFor({ state: 'detached', timeout: 10_000 })
        .catch(async () => {
          expect(await page.locator('.presence').textContent()).toBe('');
        });
    } finally {
      await benContext.close();
    }
  });
});
