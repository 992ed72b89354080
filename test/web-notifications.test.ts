import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// The inbox bell (issue 18): an agent's unread notifications in the sidebar, live; the
// panel says what happened in words, one line per conversation; a line opens its
// conversation and is read; "Mark all as read"; keyset pages with "Load more".

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web notifications', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;

  const open = (path: string): Promise<Page> => openAs(browser, app, agent, path, contexts);
  const bell = (page: Page) => page.getByRole('button', { name: /^Notifications/ });
  const panel = (page: Page) => page.getByRole('dialog', { name: 'Notifications' });
  const unread = async () => (await app.api<Json>(agent, 'GET', '/api/notifications?unread=1')).unreadCount as number;

  /** A customer's conversation, assigned to the agent by the admin, the assignment's notification read. */
  async function assignedConversation(subject: string, customerEmail: string) {
    const from = { customerEmail, name: 'Quinn Customer' };
    const created = await createConversation(app.inbox, { from, channel: 'ticket', subject, body: 'Hello, I need help.' });
    const id = created.conversation.id;
    await app.api(app.admin, 'PATCH', `/api/conversations/${id}`, { assignedTo: agent.id });
    return { id, from };
  }

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Avery Agent');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('counts two replies on one conversation as one line; opening it reads it and the bell goes to 0', async () => {
    const { id, from } = await assignedConversation('Refund for order 1182', 'quinn@customers.test');
    // The assignment is a notification of its own kind (written in the assigning command's
    // transaction); read here, so the replies stand alone.
    expect(await unread()).toBeGreaterThanOrEqual(1);
    await app.api(agent, 'POST', '/api/notifications/read', { all: true });

    const page = await open('/inbox/open');
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();

    // Live: the customer writes while the agent's inbox is open.
    await addMessage(app.inbox, { conversation: id, from, body: 'Any news?' });
    await addMessage(app.inbox, { conversation: id, from, body: 'Hello? Still waiting.' });
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 15_000 });

    await bell(page).click();
    const dialog = panel(page);
    const line = dialog.getByRole('link', { name: /Quinn Customer replied 2 times on CONV-\d+ · Refund for order 1182/ });
    await line.waitFor();
    expect(await line.getAttribute('data-unread')).toBe('true');
    // The conversation's arrival and assignment are lines of their own, read before.
    expect(await dialog.locator('.notification[data-unread]').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    // Escape closes the panel and focus goes back to the bell.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await bell(page).evaluate((el) => el === document.activeElement)).toBe(true);

    await bell(page).click();
    await line.click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForURL(new RegExp(`conversation=${id}`));
    await page.locator('.conversation-header').getByText('Refund for order 1182').waitFor();
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    expect(await unread()).toBe(0);

    // Still listed, now read.
    await bell(page).click();
    const read = panel(page).getByRole('link', { name: /replied 2 times on/ });
    await read.waitFor();
    expect(await read.getAttribute('data-unread')).toBeNull();
    await page.keyboard.press('Escape');
  });

  it('"Mark all as read" reads every line, and the bell goes to 0', async () => {
    await assignedConversation('Broken zipper', 'rae@customers.test');
    await assignedConversation('Wrong colour', 'sol@customers.test');
    const count = await unread();
    expect(count).toBeGreaterThanOrEqual(2);

    const page = await open('/inbox/open');
    await page.getByRole('button', { name: `Notifications, ${count} unread` }).waitFor();
    await bell(page).click();
    const dialog = panel(page);
    await dialog.getByRole('link', { name: / assigned you CONV-\d+ · Wrong colour/ }).waitFor();
    // Newest first.
    const lines = await dialog.locator('.notification').evaluateAll((els) => els.map((el) => el.textContent ?? ''));
    expect(lines.findIndex((t) => t.includes('Wrong colour'))).toBeLessThan(lines.findIndex((t) => t.includes('Broken zipper')));

    await dialog.getByRole('button', { name: 'Mark all as read' }).click();
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    expect(await dialog.locator('.notification[data-unread]').count()).toBe(0);
    expect(await dialog.getByRole('button', { name: 'Mark all as read' }).isDisabled()).toBe(true);
    expect(await unread()).toBe(0);
  });

  it('pages the list with "Load more"', async () => {
    // Each arrives (a line for the unassigned queue) and is assigned (another): 22 lines at least.
    for (let i = 0; i < 11; i++) await assignedConversation(`Paged question ${i}`, `paged${i}@customers.test`);
    expect(await unread()).toBeGreaterThanOrEqual(22);

    const page = await open('/inbox/open');
    await bell(page).click();
    const dialog = panel(page);
    await dialog.getByRole('link', { name: /assigned you CONV-\d+ · Paged question 10/ }).waitFor();
    // The first page (20) ends before the oldest of them.
    expect(await dialog.locator('.notification').count()).toBe(20);
    expect(await dialog.getByRole('link', { name: /Paged question 0/ }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Load more' }).click();
    await dialog.getByRole('link', { name: /assigned you CONV-\d+ · Paged question 0/ }).waitFor();
    const ids = await dialog.locator('.notification').evaluateAll((els) => els.map((el) => el.getAttribute('data-notification-id')));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
