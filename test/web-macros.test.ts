import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Macros in the inbox (issue 17): an agent makes one on the team page with the action list
// editor, runs it from the conversation header by keyboard, and the conversation changes
// (status, label) with the macro in its timeline.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web macros', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;
  let conversationId: number;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Robin Macro');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'quinn@customers.test', name: 'Quinn Customer' },
      channel: 'ticket',
      subject: 'Refund please',
      body: 'I would like my money back.',
    });
    conversationId = created.conversation.id;
    // Listed first (by name): the keyboard has to move past it.
    await app.api(app.admin, 'POST', '/api/macros', { name: 'Ask for details', actions: [{ type: 'status', status: 'pending' }], shared: true });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('makes a macro on the team page and runs it from the conversation header by keyboard', async () => {
    const team = await open(agent, '/team');
    const section = team.getByRole('region', { name: 'Macros' });
    const form = section.getByRole('form', { name: 'New macro' });
    await form.getByLabel('Macro title').fill('Refund done');
    await form.getByLabel('New action').selectOption('status');
    await form.getByRole('button', { name: 'Add action' }).click();
    await form.getByLabel('Action 1 status').selectOption('resolved');
    await form.getByLabel('New action').selectOption('labels');
    await form.getByRole('button', { name: 'Add action' }).click();
    await form.getByLabel('Action 2 label').selectOption('follow-up');
    expect(await axeViolations(team)).toEqual([]);
    await form.getByRole('button', { name: 'Add macro' }).click();
    await section.locator('.macro-item strong', { hasText: 'Refund done' }).waitFor();
    const mine = ((await app.api<Json>(agent, 'GET', '/api/macros')).items as Json[]).find((m) => m.name === 'Refund done');
    expect(mine).toMatchObject({
      ownerId: agent.id,
      actions: [
        { type: 'status', status: 'resolved' },
        { type: 'labels', add: ['follow-up'] },
      ],
    });

    const page = await open(agent, `/inbox/open?conversation=${conversationId}`);
    const button = page.getByRole('button', { name: 'Macros' });
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Macros' });
    await menu.getByRole('menuitem', { name: /Ask for details/ }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Ask for details');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Refund done');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden' });

    // Resolved: the header offers Reopen; the timeline says what happened.
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    const thread = page.getByRole('region', { name: 'Thread' }).or(page.locator('.thread'));
    await thread.getByText('Robin Macro applied the macro “Refund done”').waitFor();
    await thread.getByText('Robin Macro added label Follow-up').waitFor();
    const conversation = (await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}`)).conversation;
    expect(conversation).toMatchObject({ status: 'resolved', labels: ['follow-up'] });
    expect(await axeViolations(page)).toEqual([]);
  });
});
