import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// The admins' team page: list, add, change role, deactivate; and that agents have none.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web team page', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ben: Person;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    ben = await app.person('agent', 'Ben Agent');
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin, '/team');
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const team = async () => (await app.api<Json>(app.admin, 'GET', '/api/users?includeInactive=true')).items as Json[];

  it('lists the team', async () => {
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await page.locator(`tr[data-user-id="${ben.id}"]`).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(2);
    expect(await page.locator(`tr[data-user-id="${ben.id}"]`).textContent()).toContain('Ben Agent');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('adds a member, changes their role and deactivates them', async () => {
    await page.getByLabel('Name').fill('Iris Agent');
    await page.getByLabel('Email').fill('iris@example.test');
    await page.getByLabel('Initial password').fill('a long enough password');
    await page.getByRole('button', { name: 'Add member' }).click();
    const iris = page.locator('tbody tr').filter({ hasText: 'iris@example.test' });
    await iris.waitFor({ timeout: 10_000 });
    const created = (await team()).find((u) => u.email === 'iris@example.test');
    expect(created).toMatchObject({ name: 'Iris Agent', role: 'agent' });

    await page.getByLabel('Role of Iris Agent').selectOption('admin');
    await expect.poll(async () => (await team()).find((u) => u.id === created!.id)?.role).toBe('admin');

    await iris.getByRole('button', { name: /Deactivate/ }).click();
    await expect.poll(async () => (await team()).find((u) => u.id === created!.id)?.active).toBe(false);
    await expect.poll(() => iris.textContent()).toContain('Deactivated');
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'iris@example.test', password: 'a long enough password' }),
    });
    expect(login.status).toBe(401);
  });

  it('shows a refused addition with the reason', async () => {
    await page.getByLabel('Name').fill('Ben Again');
    await page.getByLabel('Email').fill(ben.email);
    await page.getByLabel('Initial password').fill('a long enough password');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.locator('.add-agent [role="alert"]').waitFor({ timeout: 10_000 });
    expect((await team()).filter((u) => u.email === ben.email)).toHaveLength(1);
  });

  it('gives agents the team page for their own canned replies, and the team to admins only', async () => {
    const agentContext = await browser.newContext();
    try {
      const agentPage = await agentContext.newPage();
      await signIn(agentPage, app, ben);
      await agentPage.getByRole('link', { name: 'Team' }).click();
      await agentPage.getByText('Only admins manage the team').waitFor();
      await agentPage.getByRole('heading', { name: 'Canned replies' }).waitFor();
      expect(await agentPage.getByRole('button', { name: 'Add member' }).count()).toBe(0);
    } finally {
      await agentContext.close();
    }
  });
});
