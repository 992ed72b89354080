import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarColor } from '../web/src/ui/avatar-color.js';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// Everyone's profile page in the inbox app (issue 14, item 14): name, signature shown in the
// composer, password, avatar colours; admins renaming the team; "forgot password" for the team.

type Json = Record<string, any>;

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
const background = (locator: Locator) => locator.evaluate((el) => getComputedStyle(el).backgroundColor);

describe.skipIf(!hasChromium)('web profile', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let customer: Person;

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    customer = await app.person('customer', 'Gina Customer');
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await app?.stop();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  }

  async function openProfile(page: Page) {
    await page.getByRole('link', { name: /your profile/ }).click();
    await page.getByRole('heading', { name: 'Your profile', level: 1 }).waitFor();
  }

  it('opens from the name in the sidebar: the avatar in the user’s own colour, the address read-only', async () => {
    const ben = await app.person('agent', 'Ben Agent');
    const page = await newPage();
    await signIn(page, app, ben);
    const sidebarAvatar = page.locator(`.me [data-avatar-user="${ben.id}"]`);
    expect(await sidebarAvatar.textContent()).toBe('BA');
    expect(await background(sidebarAvatar)).toBe(rgb(avatarColor(ben.id).background));

    await openProfile(page);
    expect(new URL(page.url()).pathname).toBe('/profile');
    expect(await page.getByTestId('profile-email').textContent()).toBe(ben.email);
    // Shown, not editable: no field holds the address.
    expect(await page.locator(`input[value="${ben.email}"]`).count()).toBe(0);
    expect(await page.locator('.profile-page').textContent()).toContain('It cannot be changed here yet');
    expect(await background(page.locator(`.profile-summary [data-avatar-user="${ben.id}"]`))).toBe(rgb(avatarColor(ben.id).background));
    expect(await axeViolations(page, ['critical', 'serious'])).toEqual([]);

    // A reload lands on the same page.
    await page.reload();
    await page.getByRole('heading', { name: 'Your profile', level: 1 }).waitFor();
  });

  it('changes the name customers see, and the signature the composer shows under a reply', async () => {
    const maya = await app.person('agent', 'Admin');
    const conversation = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Lamp flickers', body: 'Since the update.' })).conversation;
    const page = await newPage();
    await signIn(page, app, maya);
    await openProfile(page);

    await page.getByLabel('Your name').fill('Maya Okafor');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => page.locator('.me-name').textContent()).toBe('Maya Okafor');
    expect((await app.api<Json>(maya, 'GET', '/api/auth/me')).user.name).toBe('Maya Okafor');

    await page.getByLabel('Your signature').fill('Maya Okafor\nLumen support');
    await page.getByRole('button', { name: 'Save signature' }).click();
    await expect.poll(async () => (await app.api<Json>(maya, 'GET', '/api/auth/me')).user.signature).toBe('Maya Okafor\nLumen support');

    await page.goto(`${app.url}/inbox/open?conversation=${conversation.id}`);
    const note = page.getByTestId('composer-signature');
    await note.waitFor();
    expect(await note.textContent()).toContain('Maya Okafor\nLumen support');
    await page.getByRole('radio', { name: 'Internal note' }).click();
    expect(await note.count()).toBe(0);
    await page.getByRole('radio', { name: 'Reply' }).click();
    await note.waitFor();

    // The customer sees the new name on the reply, and next to it in the thread the team sees the agent's colour.
    await page.getByLabel('Reply to Gina Customer').fill('Could you try turning it off and on?');
    await page.getByRole('button', { name: 'Send reply' }).click();
    // The server's message, once it has replaced the one shown while sending.
    const reply = page.locator('.message-admin:not([data-pending])').filter({ hasText: 'turning it off and on' });
    await expect.poll(() => reply.count(), { timeout: 10_000 }).toBe(1);
    expect(await background(reply.locator(`[data-avatar-user="${maya.id}"]`))).toBe(rgb(avatarColor(maya.id).background));
    const seen = (await app.api<Json>(customer, 'GET', `/api/conversations/${conversation.id}/messages`)).items as Json[];
    expect(seen.at(-1)!.sender.name).toBe('Maya Okafor');
  });

  it('changing the password keeps this browser signed in and signs the others out', async () => {
    const carl = await app.person('agent', 'Carl Agent');
    const page = await newPage();
    const other = await newPage();
    await signIn(page, app, carl);
    await signIn(other, app, carl);
    await openProfile(page);

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a new long password');
    await page.getByLabel('Repeat the new password').fill('a new long password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.profile-page [role="alert"]').filter({ hasText: 'current password is wrong' }).waitFor();

    await page.getByLabel('Current password').fill(carl.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.toast').filter({ hasText: 'Password changed' }).waitFor();

    // This browser goes on working, writes included (the new session's CSRF token)...
    await page.getByLabel('Your name').fill('Carl Still Here');
    await page.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(() => page.locator('.me-name').textContent()).toBe('Carl Still Here');
    await page.reload();
    await page.locator('.shell').waitFor();
    // ...the other is signed out, and so is the API token.
    await other.reload();
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(app.api(carl, 'GET', '/api/auth/me')).rejects.toThrow('answered 401');
  });

  it('lets an admin rename a team member from the team page', async () => {
    const dana = await app.person('agent', 'Dana Typo');
    const page = await newPage();
    await signIn(page, app, app.admin, '/team');
    const row = page.locator(`tr[data-user-id="${dana.id}"]`);
    await row.getByRole('button', { name: 'Rename Dana Typo' }).click();
    await row.getByLabel('New name for Dana Typo').fill('Dana Novak');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.textContent()).toContain('Dana Novak');
    expect((await app.api<Json>(dana, 'GET', '/api/auth/me')).user.name).toBe('Dana Novak');
    // The colour stays with the person, whatever their name.
    expect(await background(row.locator(`[data-avatar-user="${dana.id}"]`))).toBe(rgb(avatarColor(dana.id).background));
  });

  it('gives the team "Forgot your password?": the mailed link opens a page of the inbox app that signs them in', async () => {
    const eli = await app.person('agent', 'Eli Agent');
    const page = await newPage();
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').fill(eli.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    const jobs = await app.store.db.selectFrom('outbox').select('payload').where('kind', '=', 'email.account_link').orderBy('id').execute();
    const link = jobs
      .map((job) => JSON.parse(job.payload) as { email: string; url: string })
      .filter((job) => job.email === eli.email)
      .at(-1)!;
    expect(link.url.startsWith(`${app.url}/reset-password?token=`)).toBe(true);

    await page.goto(link.url);
    await page.getByLabel('New password', { exact: true }).fill('reset from the link');
    await page.getByLabel('Repeat the new password').fill('reset from the link');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.locator('.shell').waitFor();
    expect(await page.locator('.me-name').textContent()).toBe('Eli Agent');
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: eli.email, password: 'reset from the link' }),
    });
    expect(login.status).toBe(200);
  });
});
