import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// The sidebar's counts come from one request and follow the server live; the list's
// order is the agent's choice, kept in the URL.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web inbox, counts and order', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customer: Person;
  const ids: Record<string, number> = {};
  /** Every API request the page made, as path and query. */
  const requests: string[] = [];

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    customer = await app.person('customer', 'Pia Customer');
    // Created in this order, an hour apart; the oldest has the latest activity, the middle one is urgent.
    const start = Date.now() - 5 * 3_600_000;
    const seed = async (key: string, at: number, input: Json = {}) => {
      const created = await createConversation(app.inbox, {
        from: { customerEmail: `${key}@customers.test`, name: `${key} Customer` },
        channel: 'ticket',
        subject: `Question from ${key}`,
        body: `Hello from ${key}`,
        sentAt: at,
        ...input,
      });
      ids[key] = created.conversation.id;
    };
    await seed('ada', start);
    await seed('bo', start + 3_600_000, { priority: 'urgent', channel: 'email' });
    await seed('cy', start + 2 * 3_600_000);
    await addMessage(app.inbox, { conversation: ids.ada!, from: { customerEmail: 'ada@customers.test' }, body: 'Any news?', sentAt: start + 3 * 3_600_000 });

    context = await browser.newContext();
    page = await context.newPage();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) requests.push(url.pathname + url.search);
    });
    await signIn(page, app, app.admin);
    await page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const count = (view: string) => page.locator(`.nav-link[data-view="${view}"] .nav-count`).textContent();
  const order = () => page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))));
  const countRequests = () => requests.filter((r) => r === '/api/inbox/counts');
  /** List requests for one row: how the sidebar used to ask for each count. */
  const perViewCountRequests = () => requests.filter((r) => r.startsWith('/api/conversations?') && new URLSearchParams(r.split('?')[1]).get('limit') === '1');

  it('shows every count from one request', async () => {
    await expect.poll(() => count('open')).toBe('3');
    const expected: [string, string][] = [
      ['open', '3'],
      ['mine', '0'],
      ['unassigned', '3'],
      ['pending', '0'],
      ['resolved', '0'],
      ['closed', '0'],
      ['all', '3'],
      ['channel:ticket', '2'],
      ['channel:chatbot', '0'],
      ['channel:email', '1'],
      ['label:urgent', '0'],
    ];
    for (const [view, n] of expected) expect({ view, n: await count(view) }).toEqual({ view, n });
    expect(countRequests().length).toBeGreaterThanOrEqual(1);
    expect(perViewCountRequests()).toEqual([]);
  });

  it('updates the counts live, each time with one request', async () => {
    const asked = countRequests().length;
    await app.api(customer, 'POST', '/api/conversations', { subject: 'A new one', body: 'Hello there' });
    await expect.poll(() => count('open'), { timeout: 10_000 }).toBe('4');
    await expect.poll(() => count('channel:ticket')).toBe('3');
    expect(await count('all')).toBe('4');
    expect(countRequests().length).toBeGreaterThan(asked);
    expect(perViewCountRequests()).toEqual([]);
    // What the sidebar shows is what the server counts.
    const counts = await app.api<Json>(app.admin, 'GET', '/api/inbox/counts');
    expect([counts.statuses.open, counts.channels.ticket, counts.all]).toEqual([4, 3, 4]);
  });

  it('sorts the list as chosen, keeps the order in the URL and across a reload', async () => {
    await page.goto(`${app.url}/inbox/open`);
    const newest = (await app.api<Json>(app.admin, 'GET', '/api/conversations?status=open&sort=createdAt')).items.map((c: Json) => c.id);
    await expect.poll(order).toEqual([newest[0], ids.ada, ids.cy, ids.bo]);
    const sort = page.getByLabel('Sort by');
    expect(await sort.inputValue()).toBe('lastMessageAt');

    await sort.selectOption({ label: 'Newest created' });
    await expect.poll(order).toEqual(newest);
    expect(newest.slice(1)).toEqual([ids.cy, ids.bo, ids.ada]);
    expect(page.url()).toContain('sort=createdAt');
    await page.reload();
    await expect.poll(order).toEqual(newest);
    expect(await page.getByLabel('Sort by').inputValue()).toBe('createdAt');

    await page.getByLabel('Sort by').selectOption({ label: 'Priority' });
    await expect.poll(order).toEqual([ids.bo, newest[0], ids.ada, ids.cy]);
    expect(page.url()).toContain('sort=priority');

    // Another view keeps the chosen order.
    await page.getByRole('link', { name: /^All/ }).click();
    await expect.poll(() => page.url()).toContain('/inbox/all?sort=priority');
    await expect.poll(order).toEqual([ids.bo, newest[0], ids.ada, ids.cy]);

    await page.getByLabel('Sort by').selectOption({ label: 'Last activity' });
    await expect.poll(() => page.url()).not.toContain('sort=');
    await expect.poll(order).toEqual([newest[0], ids.ada, ids.cy, ids.bo]);
  });

  it('places a live change by the chosen order', async () => {
    await page.getByLabel('Sort by').selectOption({ label: 'Newest created' });
    await expect.poll(() => page.url()).toContain('sort=createdAt');
    const before = (await app.api<Json>(app.admin, 'GET', '/api/conversations?status=open&sort=createdAt')).items.map((c: Json) => c.id);
    await expect.poll(order).toEqual(before);
    // New activity on the oldest conversation does not move it in creation order…
    await app.api(customer, 'POST', '/api/conversations', { subject: 'Second new one', body: 'Hi again' });
    await addMessage(app.inbox, { conversation: ids.ada!, from: { customerEmail: 'ada@customers.test' }, body: 'Still waiting.' });
    // …while the conversation created just now goes to the top.
    await expect.poll(async () => (await order()).length, { timeout: 10_000 }).toBe(before.length + 1);
    await expect.poll(async () => (await order()).slice(1), { timeout: 10_000 }).toEqual(before);
    await expect.poll(() => page.locator(`.row[data-conversation-id="${ids.ada}"]`).textContent(), { timeout: 10_000 }).toContain('Still waiting.');
    expect((await order()).at(-1)).toBe(ids.ada);
  });
});
