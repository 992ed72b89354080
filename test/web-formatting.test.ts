import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';
import { buildWidget, type HostSite, serveHostSite } from './support/widget-host.js';

// Formatted replies (issue 17) in real Chromium: the agent formats with shortcuts and the
// toolbar, previews, sends; the inbox thread, the customer's portal and the chat widget
// all show the formatting, from the server's sanitised HTML.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('formatted replies in the browser', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const sockets: WebSocket[] = [];
  let agent: Person;
  let customer: Person;
  let host: HostSite;
  let conversationId = 0;

  beforeAll(async () => {
    await buildWidget();
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Fern Format');
    customer = await app.person('customer', 'Paula Portal');
    const created = await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Router keeps dropping', body: 'It drops every **hour**.' });
    conversationId = created.conversation.id;
    host = await serveHostSite(app.url);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const context of contexts) await context.close();
    await browser?.close();
    await host?.close();
    await app?.stop();
  });

  const open = (who: Pick<Person, 'email' | 'password'>, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);

  /** Selects `part` of the textarea's text, as a mouse drag would. */
  async function select(box: Locator, part: string) {
    await box.evaluate((element, wanted) => {
      const area = element as HTMLTextAreaElement;
      const start = area.value.indexOf(wanted);
      area.focus();
      area.setSelectionRange(start, start + wanted.length);
    }, part);
  }

  it('formats with Ctrl+B, Ctrl+I, Ctrl+K and the toolbar, previews, sends, and the thread shows it', async () => {
    const page = await open(agent, `/inbox/all?conversation=${conversationId}`);
    const box = page.getByRole('textbox', { name: 'Reply to Paula Portal' });
    await box.click();
    await page.keyboard.type('Please restart the router now.');
    await select(box, 'restart');
    await page.keyboard.press('Control+b');
    expect(await box.inputValue()).toBe('Please **restart** the router now.');
    // The selection stays on the word: pressed again, the formatting comes off.
    await page.keyboard.press('Control+b');
    expect(await box.inputValue()).toBe('Please restart the router now.');
    await page.keyboard.press('Control+b');
    await select(box, 'now');
    await page.keyboard.press('Control+i');
    expect(await box.inputValue()).toBe('Please **restart** the router _now_.');
    // Undo takes a formatting back like any typing.
    await page.keyboard.press('Control+z');
    expect(await box.inputValue()).toBe('Please **restart** the router now.');
    await page.keyboard.press('Control+i');

    await box.press('End');
    await page.keyboard.type('\n\nUnplug it\nWait ten seconds\n\nSee the guide');
    await select(box, 'Unplug it\nWait ten seconds');
    await page.getByRole('button', { name: 'Bulleted list' }).click();
    expect(await box.inputValue()).toBe('Please **restart** the router _now_.\n\n- Unplug it\n- Wait ten seconds\n\nSee the guide');
    await select(box, 'the guide');
    await page.keyboard.press('Control+k');
    // The address is selected, ready to type over.
    await page.keyboard.type('https://example.com/router');
    const source = 'Please **restart** the router _now_.\n\n- Unplug it\n- Wait ten seconds\n\nSee [the guide](https://example.com/router)';
    expect(await box.inputValue()).toBe(source);

    const composer = page.getByRole('form', { name: 'Write' });
    await composer.getByRole('button', { name: 'Preview' }).click();
    const preview = composer.getByRole('region', { name: 'Preview' });
    await preview.locator('strong', { hasText: 'restart' }).waitFor();
    expect(await preview.locator('em').textContent()).toBe('now');
    expect(await preview.locator('li').allTextContents()).toEqual(['Unplug it', 'Wait ten seconds']);
    expect(await preview.getByRole('link', { name: 'the guide' }).getAttribute('href')).toBe('https://example.com/router');
    expect(await axeViolations(page)).toEqual([]);

    await composer.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => box.inputValue()).toBe('');
    const thread = page.locator('.thread');
    await thread.locator('strong', { hasText: 'restart' }).waitFor({ timeout: 10_000 });
    expect(await thread.locator('li', { hasText: 'Wait ten seconds' }).count()).toBeGreaterThan(0);
    const link = thread.getByRole('link', { name: 'the guide' });
    expect(await link.getAttribute('href')).toBe('https://example.com/router');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    // The customer's own ** stays what they typed.
    await thread.getByText('It drops every **hour**.').waitFor();

    const items = (await app.api<Json>(agent, 'GET', `/api/conversations/${conversationId}/messages`)).items as Json[];
    const sent = items.at(-1)!;
    expect(sent.body).toBe(source);
    expect(sent.htmlBody).toContain('<strong>restart</strong>');
  });

  it('keeps an agent’s raw HTML and script links inert in the thread', async () => {
    await app.api(agent, 'POST', `/api/conversations/${conversationId}/messages`, {
      body: "**Careful**: <img src=x onerror=\"document.title='owned'\"> and [click](javascript:document.title='owned')",
    });
    const page = await open(agent, `/inbox/all?conversation=${conversationId}`);
    const thread = page.locator('.thread');
    await thread.locator('strong', { hasText: 'Careful' }).waitFor();
    await thread.getByText('<img src=x onerror=', { exact: false }).waitFor();
    expect(await thread.locator('img').count()).toBe(0);
    expect(await thread.getByRole('link', { name: 'click' }).count()).toBe(0);
    expect(await page.title()).not.toBe('owned');
  });

  it('shows the customer the formatting in the portal', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${app.url}/portal`);
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'My conversations' }).waitFor();
    await page.goto(`${app.url}/portal/conversations/${conversationId}`);
    const reply = page.locator('.thread li.theirs', { hasText: 'Unplug it' });
    await reply.locator('strong', { hasText: 'restart' }).waitFor({ timeout: 10_000 });
    expect(await reply.locator('em').textContent()).toBe('now');
    expect(await reply.locator('ul > li').count()).toBe(2);
    expect(await reply.getByRole('link', { name: 'the guide' }).getAttribute('href')).toBe('https://example.com/router');
    // Their own message is their text, as typed.
    await page.locator('.thread li.mine', { hasText: 'It drops every **hour**.' }).waitFor();
    expect(await page.locator('.thread li.mine .body strong').count()).toBe(0);
  });

  it('shows a chat visitor the agent’s formatting in the widget, live and after a reload', async () => {
    // A team member with a live socket is what makes the widget online.
    const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/api/realtime?token=${agent.token}`);
    sockets.push(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Chat with Support' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('Vera Visitor');
    await dialog.getByLabel('Email').fill(`vera-${process.pid}@customers.test`);
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Is **this** bold?');
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.getByText('Is **this** bold?').waitFor();
    await expect.poll(() => page.getByText('Sending…').count()).toBe(0);

    const visitorToken = await page.evaluate(() => localStorage.getItem('onethread.visitor'));
    const session = (await (
      await fetch(`${app.url}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ visitorToken }) })
    ).json()) as Json;
    const chatId = session.conversation.id as number;
    await app.api(agent, 'POST', `/api/conversations/${chatId}/messages`, { body: 'Yes, **this** is bold:\n\n1. first\n2. second\n\n`code` too' });

    await log.locator('strong', { hasText: 'this' }).waitFor({ timeout: 10_000 });
    expect(await log.locator('.rich ol > li').allTextContents()).toEqual(['first', 'second']);
    expect(await log.locator('.rich code').textContent()).toBe('code');
    // The visitor's own ** stays literal.
    expect(await log.getByText('Is **this** bold?').count()).toBe(1);

    // Reloaded, the widget opens as it was left, and loads the history from the server.
    await page.reload();
    await page.getByRole('button', { name: 'Close chat', exact: true }).waitFor();
    const again = page.getByRole('log', { name: 'Messages' });
    await again.locator('strong', { hasText: 'this' }).waitFor({ timeout: 10_000 });
    expect(await again.locator('.rich ol > li').count()).toBe(2);
  });
});
