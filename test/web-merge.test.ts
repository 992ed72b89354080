import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Merging in the inbox (issue 17): the customer panel suggests the customer's other open
// conversation; "Merge into this" (after a confirmation) moves its messages into the one on
// screen; the merged one's URL opens the one it went into; Unmerge brings it back.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web merge', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;
  let a: { id: number; number: string };
  let b: { id: number; number: string };

  const open = (path: string): Promise<Page> => openAs(browser, app, agent, path, contexts);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Mara Merge');
    const from = { customerEmail: 'quinn@customers.test', name: 'Quinn Customer' };
    const first = await createConversation(app.inbox, { from, channel: 'ticket', subject: 'Invoice missing', body: 'Where is my March invoice?' });
    const second = await createConversation(app.inbox, { from, channel: 'ticket', subject: 'Invoice again', body: 'Writing again about the invoice.' });
    await addMessage(app.inbox, { conversation: second.conversation.id, from, body: 'Any news about the orchid invoice?' });
    a = { id: first.conversation.id, number: first.conversation.number };
    b = { id: second.conversation.id, number: second.conversation.number };
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('suggests the other open conversation, merges it into this one, follows its URL here, and unmerges it', async () => {
    const page = await open(`/inbox/open?conversation=${a.id}`);
    await page.locator(`.conversation[data-conversation-id="${a.id}"]`).waitFor();
    await page.locator('.detail-customer summary').click();
    const suggestions = page.getByRole('list', { name: 'Other open conversations' });
    await suggestions.getByText('Invoice again').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await suggestions.getByRole('button', { name: `Merge into this conversation: ${b.number}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Merge ${b.number} into ${a.number}?`).waitFor();
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();

    // B's messages are in A's thread now, and A says where they came from.
    await page.locator('.thread').getByText('Any news about the orchid invoice?').waitFor();
    await page.locator('.thread').getByText(`Merged from ${b.number} by Mara Merge`).waitFor();
    const merged = await app.api<Json>(agent, 'GET', `/api/conversations/${b.id}`);
    expect(merged.conversation).toMatchObject({ mergedInto: a.id, shelf: 'merged' });

    // B's URL opens A.
    const followed = await open(`/inbox/open?conversation=${b.id}`);
    await followed.locator(`.conversation[data-conversation-id="${a.id}"]`).waitFor();
    await expect.poll(() => new URL(followed.url()).searchParams.get('conversation')).toBe(String(a.id));

    // Unmerge from the customer panel: B is itself again, with its messages.
    await page
      .getByRole('list', { name: 'Merged into this conversation' })
      .getByRole('button', { name: `Unmerge ${b.number}` })
      .click();
    await page.locator('.thread').getByText('Any news about the orchid invoice?').waitFor({ state: 'detached' });
    const back = await app.api<Json>(agent, 'GET', `/api/conversations/${b.id}`);
    expect(back.conversation).toMatchObject({ mergedInto: null, shelf: null, status: 'open', messageCount: 2 });
    const again = await open(`/inbox/open?conversation=${b.id}`);
    await again.locator(`.conversation[data-conversation-id="${b.id}"]`).waitFor();
    await again.locator('.thread').getByText('Any news about the orchid invoice?').waitFor();
  });
});
