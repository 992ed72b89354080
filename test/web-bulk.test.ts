import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Bulk actions in the inbox (issue 17): an agent ticks rows (click, shift-click for a range,
// `x` on the focused row), selects the page, then all matching the view, sets a status; the
// progress bar runs to the end and the conversations leave the Open view.

const MATCHING = 60;

describe.skipIf(!hasChromium)('web bulk actions', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Bea Bulk');
    for (let i = 0; i < MATCHING; i++) {
      await createConversation(app.inbox, {
        from: { customerEmail: `bulk${i}@customers.test`, name: `Customer ${i}` },
        channel: 'ticket',
        subject: `Order question ${i}`,
        body: 'Where is my parcel?',
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('selects rows by click, shift-click and x, then all matching, and closes them all with a progress bar', async () => {
    const page = await open(agent, '/inbox/open');
    const list = page.getByTestId('conversation-list');
    const rows = list.locator('.list-item');
    await rows.first().waitFor();
    const bar = page.getByRole('region', { name: 'Bulk actions' });

    const check = (index: number) => rows.nth(index).locator('.bulk-check');
    await check(0).click();
    await check(2).click({ modifiers: ['Shift'] });
    await bar.getByText('3 selected').waitFor();
    expect(await check(1).isChecked()).toBe(true);

    // `x` ticks the focused row (focus follows j/k and Tab).
    await rows.nth(4).locator('a.row').focus();
    await page.keyboard.press('x');
    await bar.getByText('4 selected').waitFor();
    expect(await check(4).isChecked()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await bar.getByRole('button', { name: 'Select all on this page' }).click();
    await bar.getByText('All 50 on this page are selected.').waitFor();
    await bar.getByRole('button', { name: `Select all ${MATCHING} matching this view` }).click();
    await bar.getByText(`All ${MATCHING} matching selected`).waitFor();

    await bar.getByLabel('Set status').selectOption('closed');
    const progress = page.getByRole('region', { name: 'Bulk action progress' });
    await progress.waitFor();
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    await progress.getByText(`Done: ${MATCHING} of ${MATCHING}`).waitFor();
    expect(await progress.locator('progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([MATCHING, MATCHING]);

    // The selection is cleared and the Open view is empty.
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(0);
    const stillOpen = await app.api<Record<string, any>>(agent, 'GET', '/api/conversations?status=open');
    expect(stillOpen.items).toEqual([]);
    const closed = await app.api<Record<string, any>>(agent, 'GET', '/api/conversations?status=closed');
    expect(closed.counts.closed).toBe(MATCHING);
  }, 120_000);
});
