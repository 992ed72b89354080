import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// A reply or note typed and left is there when the agent comes back (issue 14, item 8):
// after switching conversation, a reload, a closed tab; per conversation and per agent; a
// sent message clears it.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web inbox, drafts', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ben: Person;
  let first: number;
  let second: number;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    ben = await app.person('agent', 'Ben Agent');
    const seed = async (name: string, subject: string) =>
      (
        await createConversation(app.inbox, {
          from: { customerEmail: `${name.toLowerCase()}@customers.test`, name },
          channel: 'ticket',
          subject,
          body: `${subject}?`,
        })
      ).conversation.id;
    first = await seed('Carla', 'Refund for order 1042');
    second = await seed('Dmitri', 'Opening hours');
    // One browser profile for the whole file: its localStorage outlives pages, as a real one does.
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const open = async (id: number, on = page) => {
    await on.locator(`.row[data-conversation-id="${id}"]`).click();
    await on.locator(`.conversation[data-conversation-id="${id}"]`).waitFor();
  };
  const composer = (on = page) => on.locator('.composer textarea');
  const mode = (on = page) => on.getByRole('radiogroup', { name: 'Message type' }).locator('[aria-checked="true"]').textContent();

  it('keeps a reply and a note per conversation when the agent switches between them', async () => {
    await open(first);
    await composer().fill('Dear Carla, the refund is on its way');
    await open(second);
    expect(await composer().inputValue()).toBe('');
    await page.getByRole('radio', { name: 'Internal note' }).click();
    await composer().fill('Ask the shop about Sunday hours');
    await open(first);
    expect(await composer().inputValue()).toBe('Dear Carla, the refund is on its way');
    expect(await mode()).toBe('Reply');
    await open(second);
    expect(await composer().inputValue()).toBe('Ask the shop about Sunday hours');
    expect(await mode()).toBe('Internal note');
  });

  it('keeps them over a reload and a closed tab', async () => {
    await page.reload();
    await page.locator(`.conversation[data-conversation-id="${second}"]`).waitFor();
    await expect.poll(() => composer().inputValue()).toBe('Ask the shop about Sunday hours');
    await page.close();

    page = await context.newPage();
    await page.goto(`${app.url}/inbox/open?conversation=${first}`);
    await page.locator(`.conversation[data-conversation-id="${first}"]`).waitFor();
    expect(await composer().inputValue()).toBe('Dear Carla, the refund is on its way');
  });

  it('clears the draft a sent reply came from, and only that one', async () => {
    await composer().fill('Dear Carla, the refund is on its way.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message-admin').filter({ hasText: 'Dear Carla, the refund is on its way.' }).waitFor();
    await expect.poll(async () => (await app.api<Json>(app.admin, 'GET', `/api/conversations/${first}/messages`)).items.length).toBe(2);
    expect(await composer().inputValue()).toBe('');
    await page.reload();
    await page.locator(`.conversation[data-conversation-id="${first}"]`).waitFor();
    await page.locator('.message-admin').filter({ hasText: 'Dear Carla' }).waitFor();
    expect(await composer().inputValue()).toBe('');
    await open(second);
    expect(await composer().inputValue()).toBe('Ask the shop about Sunday hours');
  });

  it("does not give one agent's draft to another who signs in on the same browser", async () => {
    // Signed out by losing the session, whatever the menus look like.
    await context.clearCookies();
    await signIn(page, app, ben, `/inbox/open?conversation=${second}`);
    await page.locator(`.conversation[data-conversation-id="${second}"]`).waitFor();
    expect(await composer().inputValue()).toBe('');
    expect(await mode()).toBe('Reply');
    await composer().fill("Ben's own words");
    await context.clearCookies();

    await signIn(page, app, app.admin, `/inbox/open?conversation=${second}`);
    await page.locator(`.conversation[data-conversation-id="${second}"]`).waitFor();
    expect(await composer().inputValue()).toBe('Ask the shop about Sunday hours');
  });
});
