import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// A canned reply's files in the inbox (issue 17): added on the team page, and sent with a
// reply picked by `/`, attached by the server from what is stored (the browser uploads nothing).

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web canned reply files', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;
  let conversationId: number;

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Robin Reply');
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'quinn@customers.test', name: 'Quinn Customer' },
      channel: 'ticket',
      subject: 'How do I return it?',
      body: 'The parcel is too big.',
    });
    conversationId = created.conversation.id;
    await app.api(agent, 'POST', '/api/canned-replies', { name: 'Return form', shortcut: 'returns', body: 'Hi {{customer.firstName}}, the form is attached.' });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('adds a file to a canned reply on the team page', async () => {
    const page = await open(agent, '/team');
    const item = page.locator('.canned-item', { has: page.locator('strong', { hasText: 'Return form' }) });
    await item
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'return-form.txt', mimeType: 'text/plain', buffer: Buffer.from('Return form: fill in and print') }]);
    await item.getByRole('list', { name: 'Files of Return form' }).getByText('return-form.txt').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const reply = ((await app.api<Json>(agent, 'GET', '/api/canned-replies?q=returns')).items as Json[])[0]!;
    expect(reply.files).toEqual([expect.objectContaining({ name: 'return-form.txt', size: 30 })]);
  });

  it('sends the files with a reply picked by keyboard, by reference, and the thread shows them once', async () => {
    const page = await open(agent, `/inbox/open?conversation=${conversationId}`);
    const sent: Json[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/conversations/${conversationId}/messages`)) sent.push(request.postDataJSON());
    });
    const reply = page.getByRole('textbox', { name: /^Reply to/ });
    await reply.click();
    await reply.pressSequentially('/retu');
    await page
      .getByRole('listbox', { name: 'Canned replies' })
      .getByRole('option', { name: /Return form/, selected: true })
      .waitFor();
    await reply.press('Enter');
    await expect.poll(() => reply.inputValue()).toBe('Hi Quinn, the form is attached.');
    const chips = page.getByRole('list', { name: 'Files from canned replies' });
    await chips.getByText('return-form.txt').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await reply.press('Control+Enter');
    await expect.poll(() => sent.length).toBe(1);
    const reference = ((await app.api<Json>(agent, 'GET', '/api/canned-replies?q=returns')).items as Json[])[0]!;
    expect(sent[0]).toEqual({ body: 'Hi Quinn, the form is attached.', isInternal: false, cannedReplyIds: [reference.id] });
    await chips.waitFor({ state: 'hidden' });
    const message = page.locator('.message:not([data-pending])').filter({ hasText: 'the form is attached' });
    await message.locator('.attachment', { hasText: 'return-form.txt' }).waitFor();
    // The live stream's copy replaced the one marked as sending: one message, one file.
    await expect.poll(() => page.locator('.message').filter({ hasText: 'the form is attached' }).count()).toBe(1);
    const messages = (await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}/messages`)).items as Json[];
    expect((messages.at(-1)!.attachments as Json[]).map((a) => a.name)).toEqual(['return-form.txt']);
  });
});
