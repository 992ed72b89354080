import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Mentions and participants in the inbox (issue 16): `@` in an internal note offers the
// team, the keyboard picks one, the note mentions them; their Mentions view lists the
// conversation, unread. The details show who follows it, and Follow / Unfollow.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web mentions and participants', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let mira: Person;
  let milo: Person;
  let conversationId: number;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  const participants = async () =>
    ((await app.api<Json>(app.admin, 'GET', `/api/conversations/${conversationId}/participants`)).items as Json[]).map((p) => [p.userId, p.reason]);
  const shownParticipants = (page: Page) => page.getByTestId('participants').locator('li').allTextContents();

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    mira = await app.person('agent', 'Mira Mention');
    milo = await app.person('agent', 'Milo Other');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'quinn@customers.test', name: 'Quinn Customer' },
      channel: 'ticket',
      subject: 'Parcel never arrived',
      body: 'Where is my parcel?',
    });
    conversationId = created.conversation.id;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('mentions a team member picked with the keyboard; their Mentions view lists it, unread', async () => {
    const page = await open(app.admin, `/inbox/open?conversation=${conversationId}`);
    const sent: Json[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/conversations/${conversationId}/messages`)) sent.push(request.postDataJSON());
    });
    await page.getByRole('radio', { name: 'Internal note' }).click();
    const note = page.getByRole('textbox', { name: 'Internal note' });
    await note.click();
    await note.pressSequentially('Could you check @Mi');
    const list = page.getByRole('listbox', { name: 'Mention a team member' });
    await list.waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual(['@Milo Other', '@Mira Mention']);
    expect(await list.getByRole('option', { selected: true }).textContent()).toBe('@Milo Other');
    expect(await axeViolations(page)).toEqual([]);

    // Escape closes the list and leaves the text as it is.
    await note.press('Escape');
    await list.waitFor({ state: 'hidden' });
    expect(await note.inputValue()).toBe('Could you check @Mi');
    // Closed for that `@`; a new one opens it again. Arrows move; Enter picks.
    await note.pressSequentially('r');
    expect(await list.isVisible()).toBe(false);
    for (let i = 0; i < 4; i++) await note.press('Backspace');
    await note.pressSequentially('@Mi');
    await list.waitFor();
    await note.press('ArrowDown');
    expect(await list.getByRole('option', { selected: true }).textContent()).toBe('@Mira Mention');
    expect(await note.getAttribute('aria-activedescendant')).toBe(await list.getByRole('option', { selected: true }).getAttribute('id'));
    await note.press('Enter');
    await list.waitFor({ state: 'hidden' });
    expect(await note.inputValue()).toBe('Could you check @Mira Mention ');
    await note.pressSequentially('please?');
    await note.press('Control+Enter');

    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toEqual({ body: 'Could you check @Mira Mention please?', isInternal: true, mentions: [mira.id] });
    await expect.poll(participants).toEqual(expect.arrayContaining([[mira.id, 'mentioned']]));
    expect((await participants()).some(([id]) => id === milo.id)).toBe(false);

    const inbox = await open(mira, '/inbox/open');
    await inbox.locator('.nav-link[data-view="mentions"]').click();
    await inbox.getByRole('heading', { name: 'Mentions', level: 1 }).waitFor();
    const row = inbox.locator(`.row[data-conversation-id="${conversationId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-unread')).toBe('true');
    expect(await axeViolations(inbox)).toEqual([]);
    // Milo was not mentioned: his Mentions view is empty.
    const other = await open(milo, '/inbox/mentions');
    await other.getByText('No conversations here').waitFor({ timeout: 10_000 });
  });

  it('picks with Tab as well, and mentions nobody in a public reply', async () => {
    const page = await open(app.admin, `/inbox/open?conversation=${conversationId}`);
    await page.getByRole('radio', { name: 'Internal note' }).click();
    const note = page.getByRole('textbox', { name: 'Internal note' });
    await note.click();
    // Typing narrows the list down.
    await note.pressSequentially('@mil');
    await page.getByRole('option', { name: 'Milo Other', selected: true }).waitFor();
    expect(await page.getByRole('listbox', { name: 'Mention a team member' }).getByRole('option').count()).toBe(1);
    await note.press('Tab');
    expect(await note.inputValue()).toBe('@Milo Other ');
    // Focus stayed in the note: Tab picked, it did not move on.
    expect(await note.evaluate((el) => el === document.activeElement)).toBe(true);

    await page.getByRole('radio', { name: 'Reply' }).click();
    const reply = page.getByRole('textbox', { name: /^Reply to/ });
    await reply.fill('');
    await reply.pressSequentially('Thanks @Mi');
    expect(await page.getByRole('listbox', { name: 'Mention a team member' }).count()).toBe(0);
  });

  it('follows and unfollows from the details, and the participants list follows', async () => {
    const page = await open(mira, `/inbox/mentions?conversation=${conversationId}`);
    const details = page.getByRole('group', { name: 'Conversation details' });
    await expect.poll(() => shownParticipants(page), { timeout: 10_000 }).toContain('Mira Mention (you) · mentioned');
    expect(await axeViolations(page)).toEqual([]);

    await details.getByRole('button', { name: 'Unfollow' }).click();
    await expect.poll(() => shownParticipants(page)).not.toContain('Mira Mention (you) · mentioned');
    await expect.poll(participants).not.toContainEqual([mira.id, 'mentioned']);

    await details.getByRole('button', { name: 'Follow', exact: true }).click();
    await expect.poll(() => shownParticipants(page)).toContain('Mira Mention (you) · follows');
    await expect.poll(participants).toContainEqual([mira.id, 'followed']);

    // Following puts it in her Participating view.
    await page.locator('.nav-link[data-view="participating"]').click();
    await page.getByRole('heading', { name: 'Participating', level: 1 }).waitFor();
    await page.locator(`.row[data-conversation-id="${conversationId}"]`).waitFor({ timeout: 10_000 });
  });
});
