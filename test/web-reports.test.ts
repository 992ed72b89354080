import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../web/src/reports/format.js';
import { apiQuery, periodOf } from '../web/src/reports/query.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// The Reports dashboard (issue 19) in real Chromium against the real server: conversations
// created, replied to and resolved through the API become the tiles, charts and tables an
// admin sees; figures open their conversations; CSV downloads; agents are not shown it.

type Json = Record<string, any>;

describe('report durations read as a person says them', () => {
  it('uses the two largest units', () => {
    expect(formatDuration(270)).toBe('4 m 30 s');
    expect(formatDuration(7_500)).toBe('2 h 5 m');
    expect(formatDuration(3 * 86_400 + 4 * 3_600 + 59)).toBe('3 d 4 h');
    expect(formatDuration(3_600)).toBe('1 h');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(null)).toBe('—');
  });
});

describe.skipIf(!hasChromium)('web reports', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ben: Person;
  let customer: Person;
  let page: Page;
  const conversations: Json[] = [];

  const open = (who: Person, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  // The page's period, the way the page computes it: the last 7 days up to today in UTC.
  const query = (extra: Record<string, string> = {}) => apiQuery(periodOf({ range: '7', tz: 'UTC', business: false }), { business: false }, extra);
  const tile = (label: string) => page.locator(`.report-tile[data-tile="${label}"] .report-tile-value`);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    ben = await app.person('agent', 'Ben Agent');
    customer = await app.person('customer', 'Cora Customer');
    for (const subject of ['Parcel lost', 'Refund please', 'Change my address']) {
      conversations.push((await app.api<Json>(customer, 'POST', '/api/conversations', { subject, body: `${subject}: help.` })).conversation);
    }
    const [parcel, refund, address] = conversations as [Json, Json, Json];
    await app.api(ben, 'POST', `/api/conversations/${parcel.id}/messages`, { body: 'Found it, it ships today.' });
    await app.api(ben, 'POST', `/api/conversations/${refund.id}/messages`, { body: 'Refunded.' });
    // A note is never a first response nor a reply.
    await app.api(ben, 'POST', `/api/conversations/${address.id}/messages`, { body: 'Checking with the warehouse.', isInternal: true });
    await app.api(app.admin, 'PATCH', `/api/conversations/${parcel.id}`, { status: 'resolved' });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('shows an admin the tiles, the charts, the agent table and the live panel', async () => {
    page = await open(app.admin, '/');
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByLabel('Time zone').selectOption('UTC');
    await page.getByLabel('Period').selectOption('7');
    await expect.poll(() => new URL(page.url()).search).toContain('range=7');

    const summary = await app.api<Json>(app.admin, 'GET', `/api/reports/summary?${query()}`);
    expect(summary).toMatchObject({ created: 3, resolved: 1, firstResponse: { count: 2 } });
    await expect.poll(() => tile('Created').textContent(), { timeout: 10_000 }).toBe('3');
    expect(await tile('Resolved').textContent()).toBe('1');
    expect(await tile('Median first response').textContent()).toBe(formatDuration(summary.firstResponse.median));
    expect(await tile('p90 first response').textContent()).toBe(formatDuration(summary.firstResponse.p90));
    expect(await tile('Median resolution').textContent()).toBe(formatDuration(summary.resolution.median));

    // The definition is one hover away.
    await page.getByRole('list', { name: 'Headline figures' }).getByRole('button', { name: 'About Median first response' }).hover();
    await expect.poll(() => page.getByRole('tooltip').filter({ hasText: 'first public reply by a person of the team' }).isVisible()).toBe(true);

    await page.getByRole('region', { name: 'Conversations created by channel' }).locator('canvas').first().waitFor({ timeout: 10_000 });
    await page.getByRole('region', { name: 'Customer messages by hour of the week' }).locator('.heatmap').waitFor();

    const benRow = page.locator('table[data-breakdown="agents"] tr', { has: page.getByRole('rowheader', { name: 'Ben Agent' }) });
    await benRow.waitFor();
    const agents = await app.api<Json>(app.admin, 'GET', `/api/reports/agents?${query()}`);
    const benFigures = (agents.rows as Json[]).find((r) => r.key === String(ben.id))!;
    expect(benFigures).toMatchObject({ replies: 2 });
    const cells = await benRow.locator('td').allTextContents();
    expect(cells.slice(0, 2)).toEqual([String(benFigures.handled), '2']);
    expect(cells[2]).toBe(formatDuration(benFigures.firstResponse.median));

    const live = await app.api<Json>(app.admin, 'GET', '/api/reports/live');
    expect(live).toMatchObject({ open: 1, pending: 1 });
    expect(await page.locator('[data-live="open"] dd').textContent()).toBe('1');
    expect(await page.locator('[data-live="pending"] dd').textContent()).toBe('1');
    await page.getByRole('region', { name: 'Now' }).getByText('Change my address').waitFor();

    expect(await axeViolations(page)).toEqual([]);
  });

  it("opens the conversations behind an agent's figure, each linking to its conversation", async () => {
    await page.getByRole('button', { name: 'Replies for Ben Agent: 2, list the conversations' }).click();
    const drill = page.getByRole('region', { name: 'Conversations · Replies · Ben Agent' });
    await drill.waitFor();
    await expect.poll(() => drill.locator('tbody tr').count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('drillBy')).toBe(`agent:${ben.id}`);
    await drill.getByRole('link', { name: /Refund please/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('conversation')).toBe(String(conversations[1]!.id));
    await page.getByRole('heading', { name: 'Refund please' }).first().waitFor();
    await page.goBack();
    await page.getByRole('region', { name: 'Conversations · Replies · Ben Agent' }).waitFor();
  });

  it('downloads a table as CSV with the same query', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV: by agent' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain('Ben Agent');
    // The link is the page's query plus format=csv: the API's own CSV for it, byte for byte.
    const same = await fetch(`${app.url}/api/reports/agents?${query({ format: 'csv' })}`, { headers: { authorization: `Bearer ${app.admin.token}` } });
    expect(await same.text()).toBe(text);
  });

  it('keeps the period, zone and switches in the URL across a reload', async () => {
    await page.getByLabel('Period').selectOption('90');
    await page.getByLabel('Business hours only').check();
    await expect.poll(() => new URL(page.url()).searchParams.get('businessHours')).toBe('1');
    await page.reload();
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    expect(await page.getByLabel('Period').inputValue()).toBe('90');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('UTC');
    expect(await page.getByLabel('Business hours only').isChecked()).toBe(true);
    await page.getByText('· business time').first().waitFor();
  });

  it('does not offer Reports to an agent, and the page refuses them', async () => {
    const agentPage = await open(ben, '/');
    await agentPage.getByRole('link', { name: 'Team' }).waitFor();
    expect(await agentPage.getByRole('link', { name: 'Reports' }).count()).toBe(0);
    await agentPage.goto(`${app.url}/reports`);
    await agentPage.getByText('Reports are for admins').waitFor();
  });
});
