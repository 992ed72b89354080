import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Saved views in the inbox (issue 16): the list on screen saved under a name, shown in the
// sidebar with its count; its link spells the filter out, so a fresh page (or a colleague)
// lists the same conversations. Shared with a team, its members see it too; its owner
// renames and deletes it.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web saved views', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let page: Page;
  let ava: Person;
  const ids: Record<string, number> = {};

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  const rowIds = (on: Page) => on.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))).sort((a, b) => a - b));
  const views = async (who: Person) => (await app.api<Json>(who, 'GET', '/api/views')).items as Json[];
  const seed = async (key: string, input: Partial<Parameters<typeof createConversation>[1]>) => {
    const created = await createConversation(app.inbox, {
      from: { customerEmail: `${key}@customers.test`, name: `${key} Customer` },
      channel: 'email',
      subject: `Question from ${key}`,
      body: `Hello from ${key}`,
      ...input,
    });
    ids[key] = created.conversation.id;
  };

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    ava = await app.person('agent', 'Ava Agent');
    await seed('urgent-mail', { priority: 'urgent' });
    await seed('urgent-ticket', { priority: 'urgent', channel: 'ticket' });
    await seed('plain-mail', {});
    await seed('urgent-mail-2', { priority: 'urgent' });
    page = await open(app.admin, '/inbox/open?channel=email&priority=urgent');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('saves the list on screen as a view, shown in the sidebar with its count', async () => {
    const expected = [ids['urgent-mail']!, ids['urgent-mail-2']!].sort((a, b) => a - b);
    await expect.poll(() => rowIds(page), { timeout: 10_000 }).toEqual(expected);

    await page.getByRole('button', { name: 'Save view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save view' });
    await dialog.getByLabel('Name').fill('Urgent mail');
    expect(await dialog.getByLabel('Who sees it').inputValue()).toBe('');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const [view] = await views(app.admin);
    expect(view).toMatchObject({ name: 'Urgent mail', teamId: null, filter: { status: 'open', channel: 'email', priority: 'urgent' } });
    // The page now shows the view: its own path, its filter in the query, its name as the title.
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/inbox/view/${view!.id}`);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ status: 'open', channel: 'email', priority: 'urgent' });
    await page.getByRole('heading', { name: 'Urgent mail', level: 1 }).waitFor();
    const link = page.locator(`.nav-link[data-view="view:${view!.id}"]`);
    expect(await link.getAttribute('aria-current')).toBe('page');
    expect(await link.locator('.nav-name').textContent()).toBe('Urgent mail');
    await expect.poll(() => link.locator('.nav-count').textContent()).toBe('2');
    expect(await rowIds(page)).toEqual(expected);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('opens the same conversations from the link in a fresh page', async () => {
    const [view] = await views(app.admin);
    const href = await page.locator(`.nav-link[data-view="view:${view!.id}"]`).getAttribute('href');
    expect(href).toBe(`/inbox/view/${view!.id}?status=open&channel=email&priority=urgent`);
    const fresh = await open(app.admin, href!);
    await fresh.getByRole('heading', { name: 'Urgent mail', level: 1 }).waitFor({ timeout: 10_000 });
    await expect.poll(() => rowIds(fresh), { timeout: 10_000 }).toEqual([ids['urgent-mail']!, ids['urgent-mail-2']!].sort((a, b) => a - b));
    // An agent who cannot see the view gets the same list from the same link.
    const other = await open(ava, href!);
    await expect.poll(() => rowIds(other), { timeout: 10_000 }).toEqual([ids['urgent-mail']!, ids['urgent-mail-2']!].sort((a, b) => a - b));
    expect(await other.locator(`.nav-link[data-view="view:${view!.id}"]`).count()).toBe(0);
  });

  it('keeps the count current as conversations arrive', async () => {
    const [view] = await views(app.admin);
    const count = page.locator(`.nav-link[data-view="view:${view!.id}"] .nav-count`);
    await expect.poll(() => count.textContent()).toBe('2');
    await seed('urgent-mail-3', { priority: 'urgent' });
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('3');
  });

  it('shares a view with a team, whose members see it; renames and deletes it', async () => {
    const { team } = await app.api<Json>(app.admin, 'POST', '/api/teams', { name: 'Mail desk', memberIds: [app.admin.id, ava.id] });
    const admin = await open(app.admin, '/inbox/channel/ticket');
    await admin.getByRole('button', { name: 'Save view' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Save view' });
    await dialog.getByLabel('Name').fill('Tickets');
    await dialog.getByLabel('Who sees it').selectOption({ label: 'Shared with Mail desk' });
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const shared = (await views(app.admin)).find((v) => v.name === 'Tickets')!;
    expect(shared).toMatchObject({ teamId: team.id, filter: { status: 'open', channel: 'ticket' } });

    const member = await open(ava, '/inbox/open');
    const link = member.locator(`.nav-link[data-view="view:${shared.id}"]`);
    await expect.poll(() => link.locator('.nav-count').textContent(), { timeout: 10_000 }).toBe('1');
    await link.click();
    await expect.poll(() => rowIds(member)).toEqual([ids['urgent-ticket']]);

    await member.getByRole('button', { name: 'Edit view Tickets' }).click();
    const edit = member.getByRole('dialog', { name: 'Edit view' });
    await edit.getByLabel('Name').fill('Open tickets');
    expect(await axeViolations(member)).toEqual([]);
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await edit.waitFor({ state: 'hidden' });
    await expect.poll(() => link.locator('.nav-name').textContent()).toBe('Open tickets');
    expect((await views(app.admin)).find((v) => v.id === shared.id)?.name).toBe('Open tickets');

    await member.getByRole('button', { name: 'Edit view Open tickets' }).click();
    await edit.getByRole('button', { name: 'Delete…' }).click();
    await edit.getByRole('button', { name: 'Delete view' }).click();
    await edit.waitFor({ state: 'hidden' });
    await link.waitFor({ state: 'detached' });
    expect((await views(app.admin)).some((v) => v.id === shared.id)).toBe(false);
    // It was on screen: the inbox goes back to Open.
    await expect.poll(() => new URL(member.url()).pathname).toBe('/inbox/open');
  });

  it("shows the server's refusal when the view is no longer the agent's to change", async () => {
    const { team } = await app.api<Json>(app.admin, 'POST', '/api/teams', { name: 'Night shift', memberIds: [app.admin.id, ava.id] });
    const { view } = await app.api<Json>(app.admin, 'POST', '/api/views', { name: 'Night queue', filter: { status: 'open' }, teamId: team.id });
    const member = await open(ava, '/inbox/open');
    const link = member.locator(`.nav-link[data-view="view:${view.id}"]`);
    await link.waitFor({ timeout: 10_000 });
    await member.getByRole('button', { name: 'Edit view Night queue' }).click();
    const edit = member.getByRole('dialog', { name: 'Edit view' });
    await edit.getByLabel('Name').fill('Mine now');
    // Ava leaves the team while her dialog is open (her sidebar may drop the view meanwhile).
    await app.api(app.admin, 'PATCH', `/api/teams/${team.id}`, { memberIds: [app.admin.id] });
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => edit.getByRole('alert').textContent()).toBe('view not found');
    expect((await views(app.admin)).find((v) => v.id === view.id)?.name).toBe('Night queue');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    // Read again after the refusal: the view is gone from her sidebar.
    await link.waitFor({ state: 'detached', timeout: 10_000 });
  });
});
