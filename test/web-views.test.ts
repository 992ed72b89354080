import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, updateConversationStatus } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, signIn, startWebApp, type WebApp } from './support/browser.js';

// What an agent sees in the views and around them (issue 14, item 13): a channel view says
// it lists open conversations and a status filter widens it; the status filter's first
// choice names what the view lists; a resolved or closed conversation offers Reopen; an HTML
// mail's frame is as tall as the mail, quoted part folded or not; the knowledge-base editor
// fills its card.

type Json = Record<string, any>;

/** A paragraph's bottom margin in the mail frame (1em of 14px), and a pixel of rounding. */
const MARGIN = 15;

describe.skipIf(!hasChromium)('web inbox, views and small things', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    const seed = async (key: string, input: Partial<Parameters<typeof createConversation>[1]>) => {
      const created = await createConversation(app.inbox, {
        from: { customerEmail: `${key}@customers.test`, name: `${key} Customer` },
        channel: 'email',
        subject: `Subject of ${key}`,
        body: `Body of ${key}`,
        ...input,
      });
      ids[key] = created.conversation.id;
    };
    await seed('open', { subject: 'Open email' });
    await seed('resolved', { subject: 'Resolved email' });
    await seed('closed', { subject: 'Closed email' });
    await seed('quoted', {
      subject: 'Re: Your refund',
      body: 'Yes, it arrived.',
      htmlBody:
        '<p id="fresh">Yes, it arrived, thank you!</p>' +
        '<details class="ot-quoted"><summary>Show quoted text</summary>' +
        Array.from({ length: 30 }, (_, i) => `<p>Quoted line ${i + 1} of what the team wrote.</p>`).join('') +
        '</details>',
    });
    await seed('chat', { channel: 'chatbot', subject: 'A chat' });
    await updateConversationStatus(app.inbox, { conversation: ids.resolved!, status: 'resolved', by: { userId: app.admin.id } });
    await updateConversationStatus(app.inbox, { conversation: ids.closed!, status: 'closed', by: { userId: app.admin.id } });

    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    await signIn(page, app, app.admin);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const server = (id: number) => app.api<Json>(app.admin, 'GET', `/api/conversations/${id}`).then((r) => r.conversation as Json);
  const rows = () => page.locator('.row').evaluateAll((found) => found.map((r) => Number(r.getAttribute('data-conversation-id'))).sort((a, b) => a - b));
  const statusFilter = () => page.getByRole('group', { name: 'Filters' }).getByRole('combobox', { name: 'Status' });
  const firstOption = () => statusFilter().locator('option').first().textContent();

  it('a channel view says it lists the open conversations of its channel, and all of them with the status filter', async () => {
    await page.goto(`${app.url}/inbox/channel/email`);
    await page.getByRole('heading', { name: 'Email', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.list-scope').textContent()).toBe('Open email conversations');
    await expect.poll(rows).toEqual([ids.open, ids.quoted]);
    expect(await page.getByRole('list', { name: 'Open email conversations' }).count()).toBe(1);
    // The filter's first choice is the view's own status, not a riddle.
    expect(await firstOption()).toBe('Open');
    expect(await statusFilter().locator('option').allTextContents()).toEqual(['Open', 'Any status', 'Pending', 'Resolved', 'Closed']);

    await statusFilter().selectOption({ label: 'Any status' });
    await expect.poll(() => page.locator('.list-scope').textContent()).toBe('All email conversations');
    await expect.poll(rows).toEqual([ids.open, ids.resolved, ids.closed, ids.quoted]);
    await statusFilter().selectOption({ label: 'Closed' });
    await expect.poll(() => page.locator('.list-scope').textContent()).toBe('Closed email conversations');
    await expect.poll(rows).toEqual([ids.closed]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("the status filter's first choice names the view's own statuses everywhere", async () => {
    await page.goto(`${app.url}/inbox/all`);
    await page.getByRole('heading', { name: 'All', level: 1 }).waitFor();
    expect(await firstOption()).toBe('Any status');
    // All lists any status already: no second "Any status".
    expect(await statusFilter().locator('option').allTextContents()).toEqual(['Any status', 'Open', 'Pending', 'Resolved', 'Closed']);
    expect(await page.locator('.list-scope').count()).toBe(0);
    await page.goto(`${app.url}/inbox/pending`);
    await page.getByRole('heading', { name: 'Pending', level: 1 }).waitFor();
    expect(await firstOption()).toBe('Pending');
    await page.goto(`${app.url}/inbox/label/urgent`);
    await expect.poll(() => page.locator('.list-scope').textContent()).toBe('Open conversations labelled Urgent');
    await page.getByText('No open conversations labelled urgent').waitFor();
  });

  it('a resolved and a closed conversation offer Reopen, which opens them', async () => {
    for (const key of ['resolved', 'closed'] as const) {
      await page.goto(`${app.url}/inbox/all?conversation=${ids[key]}`);
      const view = page.locator(`.conversation[data-conversation-id="${ids[key]}"]`);
      await view.waitFor();
      // Closed is final for the workflow: "Resolve" there would only be refused.
      expect(await view.getByRole('button', { name: 'Resolve', exact: true }).count()).toBe(0);
      await view.getByRole('button', { name: 'Reopen' }).click();
      await expect.poll(async () => (await server(ids[key]!)).status).toBe('open');
      await view.getByRole('button', { name: 'Resolve', exact: true }).waitFor();
      expect(await view.getByRole('button', { name: 'Reopen' }).count()).toBe(0);
    }
    const events = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${ids.closed}/events`)).items as Json[];
    expect(events.at(-1)).toMatchObject({ eventType: 'reopened', oldValue: 'closed', newValue: 'open', performedBy: app.admin.id });
  });

  it("an HTML mail's frame is as tall as the mail, before, while and after its quote shows", async () => {
    await page.goto(`${app.url}/inbox/all?conversation=${ids.quoted}`);
    const message = page.locator('.conversation .message').first();
    const iframe = message.locator('iframe');
    const frame = page.frameLocator('.conversation .message iframe');
    await frame.locator('#fresh').waitFor();
    // Room left in the frame below the mail's last line: a paragraph's margin at most.
    const gap = async () => {
      const height = await iframe.evaluate((el) => el.getBoundingClientRect().height);
      const bottom = await frame
        .locator('body')
        .evaluate((body) => Math.max(...[...body.querySelectorAll('p, div:not(#ot-content)')].map((e) => e.getBoundingClientRect().bottom)));
      return Math.round(height - bottom);
    };
    await expect.poll(gap).toBeLessThanOrEqual(MARGIN);
    const folded = await iframe.evaluate((el) => el.getBoundingClientRect().height);
    expect(folded).toBeLessThan(60);

    await message.getByRole('button', { name: 'Show quoted text' }).click();
    await frame.getByText('Quoted line 30 of what the team wrote.').waitFor();
    await expect.poll(async () => iframe.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(500);
    await expect.poll(gap).toBeLessThanOrEqual(MARGIN);

    await message.getByRole('button', { name: 'Hide quoted text' }).click();
    await expect.poll(async () => iframe.evaluate((el) => el.getBoundingClientRect().height)).toBe(folded);
    expect(await gap()).toBeLessThanOrEqual(MARGIN);
  });

  it('the knowledge-base editor uses the width of its card', async () => {
    await page.goto(`${app.url}/kb`);
    await page.getByRole('button', { name: 'New article' }).click();
    const card = page.locator('form.kb-editor');
    await card.waitFor();
    const inner = await card.evaluate((el) => {
      const style = getComputedStyle(el);
      return (
        el.getBoundingClientRect().width -
        parseFloat(style.paddingLeft) -
        parseFloat(style.paddingRight) -
        parseFloat(style.borderLeftWidth) -
        parseFloat(style.borderRightWidth)
      );
    });
    const width = (name: string) => page.getByLabel(name, { exact: true }).evaluate((el) => el.getBoundingClientRect().width);
    expect(inner).toBeGreaterThan(600);
    expect(await width('Title')).toBeGreaterThan(inner - 2);
    expect(await width('Body (Markdown)')).toBeGreaterThan(inner - 2);
    // And the card itself takes the page's room beside the list.
    const layout = await page.locator('.kb-layout').evaluate((el) => el.getBoundingClientRect().right - parseFloat(getComputedStyle(el).paddingRight));
    const right = await card.evaluate((el) => el.getBoundingClientRect().right);
    expect(layout - right).toBeLessThan(2);
  });
});
