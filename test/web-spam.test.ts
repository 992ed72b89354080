import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Spam in the inbox (issue 17): an agent marks a conversation as spam from its header (and
// blocks the address), finds it in the Spam view, and "Not spam" brings it back; the team
// page lists the block, which its maker may lift.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web spam', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;
  let conversationId: number;
  let otherId: number;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  const current = async () => (await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}`)).conversation;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Robin Spam');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'deals@cheap-watches.test', name: 'Deals' },
      channel: 'ticket',
      subject: 'Cheap watches',
      body: 'Buy now!',
    });
    conversationId = created.conversation.id;
    const other = await createConversation(app.inbox, {
      from: { customerEmail: 'real@customers.test' },
      channel: 'ticket',
      subject: 'Order',
      body: 'Where is it?',
    });
    otherId = other.conversation.id;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('marks as spam from the header, shows it in Spam, and "Not spam" brings it back', async () => {
    const page = await open(agent, `/inbox/open?conversation=${conversationId}`);
    const button = page.getByRole('button', { name: 'Mark as spam' });
    await button.click();
    const menu = page.getByRole('menu', { name: 'Mark as spam' });
    await menu.getByRole('menuitem', { name: 'Mark as spam and block deals@cheap-watches.test' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await menu.getByRole('menuitem', { name: 'Mark as spam and block deals@cheap-watches.test' }).click();
    await page.getByRole('button', { name: 'Not spam' }).waitFor();
    await expect.poll(async () => (await current()).shelf).toBe('spam');
    const thread = page.getByRole('region', { name: 'Thread' }).or(page.locator('.thread'));
    await thread.getByText('Marked as spam by Robin Spam (blocked deals@cheap-watches.test)').waitFor();

    // Out of Open, in Spam.
    const spam = await open(agent, '/inbox/spam');
    await spam.getByRole('heading', { name: 'Spam', level: 1 }).waitFor();
    const row = spam.locator(`.row[data-conversation-id="${conversationId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const inbox = await open(agent, '/inbox/open');
    await inbox.getByRole('heading', { name: 'Open', level: 1 }).waitFor();
    await inbox.locator(`.row[data-conversation-id="${otherId}"]`).waitFor({ timeout: 10_000 });
    expect(await inbox.locator(`.row[data-conversation-id="${conversationId}"]`).count()).toBe(0);

    // Not spam: open again, in the Open view; the block stays.
    await row.click();
    await spam.getByRole('button', { name: 'Not spam' }).click();
    await spam.getByRole('button', { name: 'Mark as spam' }).waitFor();
    await spam.getByText(/still are: unblock them on the Team page/).waitFor();
    expect(await current()).toMatchObject({ status: 'open', shelf: null });
    await spam.locator(`.row[data-conversation-id="${conversationId}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    expect(await axeViolations(spam)).toEqual([]);

    // The team page lists the block; its maker lifts it.
    const team = await open(agent, '/team');
    const section = team.getByRole('region', { name: 'Blocked senders' });
    await section.locator('strong', { hasText: 'deals@cheap-watches.test' }).waitFor();
    expect(await axeViolations(team)).toEqual([]);
    await section.getByRole('button', { name: 'Unblock deals@cheap-watches.test' }).click();
    await section.getByText('Nobody is blocked').waitFor();
    expect((await app.api<Json>(agent, 'GET', '/api/blocked-senders')).items).toEqual([]);
  });
});
