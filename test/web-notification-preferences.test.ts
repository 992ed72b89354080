import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Notification preferences in the web app (issue 18): a team member's matrix on the profile
// page, saved cell by cell; an admin's team defaults and per-person mail switch on the team
// page, and the note the person then sees.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web notification preferences', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;

  const open = (who: Person, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  const section = (page: Page) => page.getByRole('region', { name: 'Notifications', exact: true });
  const prefs = () => app.api<Json>(agent, 'GET', '/api/me/notification-preferences');

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Avery Agent');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('a changed cell sticks across a reload, and only it is stored', async () => {
    const page = await open(agent, '/profile');
    const notifications = section(page);
    const mentionedEmail = notifications.getByRole('combobox', { name: 'Mentioned: email' });
    await mentionedEmail.waitFor();
    expect(await mentionedEmail.inputValue()).toBe('immediate');
    expect(await notifications.getByText('A colleague mentions you in a note or a reply.').count()).toBe(1);

    await mentionedEmail.selectOption('digest');
    const participatingDesktop = notifications.getByRole('checkbox', { name: 'Conversations I take part in: desktop' });
    expect(await participatingDesktop.isChecked()).toBe(false);
    await participatingDesktop.check();
    await expect.poll(async () => (await prefs()).overrides, { timeout: 10_000 }).toEqual({ mentioned: { email: 'digest' }, participating: { desktop: true } });

    // The digest schedule: a daily one in a named zone.
    await notifications.getByRole('checkbox', { name: /Use the team’s schedule/ }).uncheck();
    await notifications.getByRole('combobox', { name: 'Digest' }).selectOption('daily');
    await notifications.getByLabel('Time of day').fill('07:45');
    await notifications.getByLabel('Time zone').fill('Europe/Berlin');
    await notifications.getByRole('button', { name: 'Save digest schedule' }).click();
    await expect.poll(async () => (await prefs()).ownDigest, { timeout: 10_000 }).toEqual({ every: 'daily', at: '07:45', timeZone: 'Europe/Berlin' });

    await page.reload();
    const again = section(page);
    await again.getByRole('combobox', { name: 'Mentioned: email' }).waitFor();
    expect(await again.getByRole('combobox', { name: 'Mentioned: email' }).inputValue()).toBe('digest');
    expect(await again.getByRole('checkbox', { name: 'Conversations I take part in: desktop' }).isChecked()).toBe(true);
    expect(await again.getByLabel('Time of day').inputValue()).toBe('07:45');
    expect(await again.getByText('Recent deliveries').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('an admin switches mail off for a person on the team page; the person sees why', async () => {
    const admin = await open(app.admin, '/team');
    const settings = section(admin);
    await settings.getByRole('button', { name: 'Show notification settings' }).click();
    const switchOff = settings.locator(`.mail-switches li[data-user-id="${agent.id}"]`).getByRole('checkbox');
    await switchOff.waitFor();
    expect(await switchOff.isChecked()).toBe(false);
    await switchOff.check();
    await expect.poll(async () => (await prefs()).mailDisabledByAdmin, { timeout: 10_000 }).toBe(true);
    expect((await prefs()).mailAllowed).toBe(false);

    // The team defaults: a cell of the matrix and the mail delay, saved together.
    await settings.getByRole('checkbox', { name: 'Unassigned conversations: desktop' }).uncheck();
    await settings.getByLabel(/Mail delay in minutes/).fill('5');
    await settings.getByRole('button', { name: 'Save notification settings' }).click();
    await expect.poll(async () => (await app.api<Json>(app.admin, 'GET', '/api/notification-settings')).mailDelaySeconds, { timeout: 10_000 }).toBe(300);
    expect((await prefs()).matrix.unassigned_activity.desktop).toBe(false);

    await admin.reload();
    await section(admin).getByRole('button', { name: 'Show notification settings' }).click();
    const reloaded = section(admin).locator(`.mail-switches li[data-user-id="${agent.id}"]`).getByRole('checkbox');
    await reloaded.waitFor();
    expect(await reloaded.isChecked()).toBe(true);
    expect(await axeViolations(admin)).toEqual([]);

    const page = await open(agent, '/profile');
    await section(page).getByRole('note').filter({ hasText: 'An admin switched your notification mail off' }).waitFor();
  });
});
