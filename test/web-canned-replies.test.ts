import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Canned replies in the inbox (issue 17): `/` in the composer opens the picker, the keyboard
// picks one, it is inserted filled for the conversation; a placeholder nobody could fill is
// marked and the reply is not sent until it is edited away. The team page manages them.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web canned replies', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;
  let conversationId: number;
  let number: string;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Robin Reply');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'quinn@customers.test', name: 'Quinn Customer' },
      channel: 'ticket',
      subject: 'Refund please',
      body: 'I would like my money back.',
    });
    conversationId = created.conversation.id;
    number = created.conversation.number;
    await app.api(app.admin, 'POST', '/api/canned-replies', {
      name: 'Refund on its way',
      shortcut: 'refund',
      body: 'Hi {{customer.firstName}}, the refund for {{conversation.number}} is on its way (order {{order.id}}). {{agent.firstName}}',
      shared: true,
    });
    await app.api(app.admin, 'POST', '/api/canned-replies', { name: 'Referral thanks', shortcut: 'referral', body: 'Thanks for the referral!', shared: true });
    await app.api(app.admin, 'POST', '/api/canned-replies', { name: 'Shipping', shortcut: 'ship', body: 'It ships today.', shared: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('inserts a reply picked by keyboard, filled; a placeholder left is marked and blocks sending until edited away', async () => {
    const page = await open(agent, `/inbox/open?conversation=${conversationId}`);
    const sent: Json[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/conversations/${conversationId}/messages`)) sent.push(request.postDataJSON());
    });
    const reply = page.getByRole('textbox', { name: /^Reply to/ });
    await reply.click();
    await reply.pressSequentially('/ref');
    const list = page.getByRole('listbox', { name: 'Canned replies' });
    await list.waitFor();
    await expect.poll(() => list.getByRole('option').count()).toBe(2);
    // Both shortcuts start with "ref": by name, Referral thanks first.
    expect(await list.getByRole('option', { selected: true }).textContent()).toContain('Referral thanks');
    expect(await axeViolations(page)).toEqual([]);
    await reply.press('ArrowDown');
    expect(await list.getByRole('option', { selected: true }).textContent()).toContain('Refund on its way');
    expect(await reply.getAttribute('aria-activedescendant')).toBe(await list.getByRole('option', { selected: true }).getAttribute('id'));
    await reply.press('Enter');
    await list.waitFor({ state: 'hidden' });
    await expect.poll(() => reply.inputValue()).toBe(`Hi Quinn, the refund for ${number} is on its way (order {{order.id}}). Robin`);

    const warning = page.getByTestId('placeholders-left');
    expect(await warning.textContent()).toContain('{{order.id}}');
    expect(await axeViolations(page)).toEqual([]);
    await reply.press('Control+Enter');
    await page.getByRole('alert').filter({ hasText: 'Fill in {{order.id}} before sending' }).waitFor();
    await page.getByRole('button', { name: 'Send reply' }).click();
    expect(sent).toEqual([]);
    expect(await reply.inputValue()).toContain('{{order.id}}');

    await reply.fill(`Hi Quinn, the refund for ${number} is on its way (order 4711). Robin`);
    await warning.waitFor({ state: 'hidden' });
    await reply.press('Control+Enter');
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toEqual({ body: `Hi Quinn, the refund for ${number} is on its way (order 4711). Robin`, isInternal: false });
  });

  it('opens only after a space or at the start, and Escape closes it', async () => {
    const page = await open(agent, `/inbox/open?conversation=${conversationId}`);
    const reply = page.getByRole('textbox', { name: /^Reply to/ });
    await reply.click();
    await reply.pressSequentially('and/or ');
    const list = page.getByRole('listbox', { name: 'Canned replies' });
    expect(await list.count()).toBe(0);
    await reply.pressSequentially('/shi');
    await list.getByRole('option', { name: /Shipping/, selected: true }).waitFor();
    await reply.press('Escape');
    await list.waitFor({ state: 'hidden' });
    expect(await reply.inputValue()).toBe('and/or /shi');
    await reply.press('Tab');
    // Closed for that `/`: Tab moved on rather than inserting.
    expect(await reply.inputValue()).toBe('and/or /shi');
  });

  it('keeps personal canned replies on the team page', async () => {
    const page = await open(agent, '/team');
    const section = page.getByRole('region', { name: 'Canned replies' });
    const titled = (title: string) => section.locator('.canned-item-head strong', { hasText: title });
    await titled('Refund on its way').waitFor();
    // A shared reply is the admins': an agent uses it, without Edit or Delete.
    expect(await section.getByRole('button', { name: 'Edit Refund on its way' }).count()).toBe(0);
    expect(await section.getByLabel('Who can use it').count()).toBe(0);
    const form = section.getByRole('form', { name: 'New canned reply' });
    await form.getByLabel('Title').fill('My sign-off');
    await form.getByLabel('Shortcut').fill('bye');
    await form.getByLabel('Text').fill('Bye {{customer.firstName}}!');
    await form.getByRole('button', { name: 'Add canned reply' }).click();
    await titled('My sign-off').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const mine = (await app.api<Json>(agent, 'GET', '/api/canned-replies?q=bye')).items as Json[];
    expect(mine).toEqual([expect.objectContaining({ name: 'My sign-off', shortcut: 'bye', ownerId: agent.id, teamId: null })]);
    // Nobody else finds it, admins included.
    expect((await app.api<Json>(app.admin, 'GET', '/api/canned-replies?q=bye')).items).toEqual([]);

    await section.getByRole('button', { name: 'Delete My sign-off' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await titled('My sign-off').waitFor({ state: 'hidden' });
  });
});
