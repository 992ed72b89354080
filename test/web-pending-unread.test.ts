import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// Issue 14, items 10 and 11, as the inbox shows them in Chromium: the Pending view lists
// and counts what waits on the customer, not the chats the bot is still answering (those are
// the Bot view's), also as they arrive live; and an agent who joins later finds no
// "New reply" on the history, only on what customers write from then on.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('the inbox for a new agent: Pending without the bot, "New reply" from the day they joined', () => {
  let app: WebApp;
  let browser: Browser;
  let newcomer: Person;
  let veteranPage: Page;
  let page: Page;
  const ids: Record<string, number> = {};

  const customer = (key: string) => `${key}-${process.pid}@customers.test`;
  const ticket = async (key: string) =>
    (
      await createConversation(app.inbox, {
        channel: 'ticket',
        from: { customerEmail: customer(key), name: `${key} Customer` },
        subject: `Question from ${key}`,
        body: `Hello from ${key}`,
      })
    ).conversation.id;
  const botChat = async (key: string) =>
    (
      await createConversation(app.inbox, {
        channel: 'chatbot',
        from: { customerEmail: customer(key), name: `${key} Visitor` },
        subject: `Chat with ${key}`,
        body: `Hi, ${key} here`,
        withBot: true,
      })
    ).conversation.id;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    // The history, from before the new agent joined (the admin was there all along).
    ids.waiting = await ticket('wanda');
    ids.other = await ticket('otto');
    ids.answered = await ticket('ann');
    await app.api(app.admin, 'POST', `/api/conversations/${ids.answered}/messages`, { body: 'Could you send the order number?' });
    ids.bot = await botChat('bea');
    await new Promise((resolve) => setTimeout(resolve, 5));
    newcomer = await app.person('agent', 'Nina Newcomer');

    veteranPage = await (await browser.newContext()).newPage();
    await signIn(veteranPage, app, app.admin);
    page = await (await browser.newContext()).newPage();
    await signIn(page, app, newcomer);
    await page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const row = (on: Page, id: number) => on.locator(`.row[data-conversation-id="${id}"]`);
  const count = (view: string) => page.locator(`.nav-link[data-view="${view}"] .nav-count`).textContent();
  const listed = () => page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))));

  it('shows the new agent no "New reply" on conversations customers wrote before they joined', async () => {
    await row(page, ids.waiting!).waitFor();
    await row(page, ids.other!).waitFor();
    // Those who were there have them as new; nobody read them for them.
    await row(veteranPage, ids.waiting!).getByText('New reply').waitFor();
    await row(veteranPage, ids.other!).getByText('New reply').waitFor();
    expect(await page.getByText('New reply').count()).toBe(0);
  });

  it('shows "New reply" once a customer writes after they joined, live and after a reload', async () => {
    await addMessage(app.inbox, { conversation: ids.waiting!, from: { customerEmail: customer('wanda') }, body: 'Any news on this?' });
    await row(page, ids.waiting!).getByText('New reply').waitFor({ timeout: 10_000 });
    await page.reload();
    await row(page, ids.waiting!).getByText('New reply').waitFor();
    await row(page, ids.other!).waitFor();
    expect(await row(page, ids.other!).getByText('New reply').count()).toBe(0);
    await page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  });

  it('lists and counts in Pending what waits on the customer, and leaves the bot’s chats to the Bot view', async () => {
    await page.locator('.nav-link[data-view="pending"]').click();
    await row(page, ids.answered!).waitFor();
    expect(await listed()).toEqual([ids.answered]);
    await expect.poll(() => count('pending')).toBe('1');
    expect(await count('bot')).toBe('1');

    // A new chat the bot answers, while Pending is open: the Bot view's, not this list's.
    ids.newBot = await botChat('ben');
    await expect.poll(() => count('bot'), { timeout: 10_000 }).toBe('2');
    expect(await count('pending')).toBe('1');
    expect(await listed()).toEqual([ids.answered]);

    // An agent takes it over by answering: now it waits on the customer, in Pending.
    await app.api<Json>(app.admin, 'POST', `/api/conversations/${ids.newBot}/messages`, { body: 'Hi Ben, a person here.' });
    await row(page, ids.newBot).waitFor({ timeout: 10_000 });
    await expect.poll(() => count('pending')).toBe('2');
    expect(await count('bot')).toBe('1');

    await page.locator('.nav-link[data-view="bot"]').click();
    await row(page, ids.bot!).waitFor();
    expect(await listed()).toEqual([ids.bot]);
  });
});
