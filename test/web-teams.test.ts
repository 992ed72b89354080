import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Teams in the inbox (issue 16): an admin makes one on the team page and staffs it; its
// member sees it in the sidebar with its open count, and puts a conversation in it from
// the conversation's details.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web teams', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ben: Person;

  const open = (who: Person, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  const teams = async () => (await app.api<Json>(app.admin, 'GET', '/api/teams')).items as Json[];

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    ben = await app.person('agent', 'Ben Agent');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('lets an admin create a team and choose its members on the team page', async () => {
    const page = await open(app.admin, '/team');
    await page.getByRole('heading', { name: 'Teams', level: 2 }).waitFor();
    await page.getByRole('textbox', { name: 'Team', exact: true }).fill('Billing');
    await page.getByRole('button', { name: 'Create team' }).click();
    const card = page.locator('.team-card').filter({ has: page.locator('input[aria-label="Team Billing"]') });
    await card.waitFor({ timeout: 10_000 });
    await card.getByLabel('Ben Agent').check();
    await expect.poll(async () => (await teams()).find((t) => t.name === 'Billing')?.memberIds).toEqual([ben.id]);
    expect(await axeViolations(page)).toEqual([]);
  });

  it("shows the member their team with its open count, and sets a conversation's team in its details", async () => {
    const team = (await teams()).find((t) => t.name === 'Billing')!;
    const { conversation } = await createConversation(app.inbox, {
      from: { customerEmail: 'casey@example.test' },
      channel: 'ticket',
      subject: 'Invoice twice',
      body: 'I was billed twice.',
    });
    const page = await open(ben, `/inbox/open?conversation=${conversation.id}`);
    const link = page.locator(`.nav-link[data-view="team:${team.id}"]`);
    await link.waitFor({ timeout: 10_000 });
    expect(await link.locator('.nav-name').textContent()).toBe('Billing');
    expect(await link.locator('.nav-count').textContent()).toBe('0');

    await page.getByTestId('team-select').selectOption(String(team.id));
    await expect
      .poll(async () => (await app.api<Json>(ben, 'GET', `/api/conversations/${conversation.id}`)).conversation.team)
      .toEqual({ id: team.id, name: 'Billing' });
    await expect.poll(() => link.locator('.nav-count').textContent(), { timeout: 10_000 }).toBe('1');

    await link.click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    await page.getByText('Invoice twice').first().waitFor();
  });
});
