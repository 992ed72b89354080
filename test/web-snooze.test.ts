import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Snooze in the inbox (issue 17): an agent snoozes a conversation with a preset from its
// header; it leaves Open, the Snoozed view lists it with its wake time, and Unsnooze brings
// it back to Open.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web snooze', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;
  let conversationId: number;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Sam Snooze');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'pat@customers.test', name: 'Pat Customer' },
      channel: 'ticket',
      subject: 'Call me next week',
      body: 'I am travelling until Monday.',
    });
    conversationId = created.conversation.id;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('snoozes with a preset from the header: out of Open, in Snoozed with its time; Unsnooze brings it back', async () => {
    const page = await open(agent, `/inbox/open?conversation=${conversationId}`);
    const row = page.locator(`.row[data-conversation-id="${conversationId}"]`);
    await row.waitFor();

    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    const menu = page.getByRole('menu', { name: 'Snooze' });
    await menu.getByRole('menuitem', { name: 'Until the customer replies' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await menu.getByRole('menuitem', { name: 'In an hour' }).click();
    await menu.waitFor({ state: 'hidden' });

    // Out of Open; the header says until when and offers Unsnooze.
    await row.waitFor({ state: 'detached' });
    await page
      .locator('.conversation-header .snoozed-until')
      .getByText(/^Snoozed until /)
      .waitFor();
    const snoozed = (await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}`)).conversation;
    expect(snoozed.status).toBe('pending');
    expect(snoozed.snoozed.until).toBeGreaterThan(Date.now() + 55 * 60_000);
    const thread = page.locator('.thread');
    await thread.getByText(/^Sam Snooze snoozed this until /).waitFor();

    await page.goto(`${app.url}/inbox/snoozed?conversation=${conversationId}`);
    const listed = page.locator(`.row[data-conversation-id="${conversationId}"]`);
    await listed.getByText(/^Snoozed until /).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Unsnooze' }).click();
    await listed.waitFor({ state: 'detached' });
    const woken = (await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}`)).conversation;
    expect(woken).toMatchObject({ status: 'open', snoozed: null });
    await thread.getByText('Sam Snooze unsnoozed this').waitFor();

    await page.goto(`${app.url}/inbox/open`);
    await page.locator(`.row[data-conversation-id="${conversationId}"]`).waitFor();
  });

  it('shows a conversation a colleague woke as unread to its assignee, live', async () => {
    const colleague = await app.person('agent', 'Cleo Colleague');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'lee@customers.test', name: 'Lee Customer' },
      channel: 'ticket',
      subject: 'Back on Friday',
      body: 'Please check again on Friday.',
    });
    const id = created.conversation.id;
    await app.api(agent, 'PATCH', `/api/conversations/${id}`, { assignedTo: agent.id });
    await app.api(agent, 'POST', `/api/conversations/${id}/read`);
    await app.api(agent, 'POST', `/api/conversations/${id}/snooze`, { preset: 'hour', timezone: 'UTC' });

    // The agent looks at every conversation, this one read and snoozed.
    const page = await open(agent, '/inbox/all');
    const row = page.locator(`.row[data-conversation-id="${id}"]`);
    await row.getByText(/^Snoozed until /).waitFor();
    expect(await row.getAttribute('data-unread')).toBeNull();

    await app.api(colleague, 'DELETE', `/api/conversations/${id}/snooze`);
    await row.locator('.badge-new').waitFor();
    expect(await row.getAttribute('data-unread')).toBe('true');
    expect(await row.getByText(/^Snoozed until /).count()).toBe(0);
  });
});
