import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, type Person, startWebApp, type WebApp } from './support/browser.js';
import { continuityEnv, continuityOutcome, mailsTo, teamMessage } from './support/continuity.js';
import { useSink } from './support/email.js';
import { buildWidget, type HostSite, serveHostSite } from './support/widget-host.js';

// Issue 14, item 1, in real Chromium: the widget on a shop's page (another origin) tells the
// server which replies the visitor actually had on screen, and the server mails a chat
// reply (EMAIL_CONTINUITY_DELAY_SECONDS later, to an aiosmtpd sink) only if nobody did.

type Json = Record<string, any>;
const SECRET = 'widget-identity-secret-for-the-seen-browser-test';
// Long enough for a visitor in a shared, busy test machine to open the chat in time.
const DELAY_SECONDS = 4;

describe.skipIf(!hasChromium)('chat replies the visitor saw in the widget', () => {
  const sink = useSink();
  let app: WebApp;
  let agent: Person;
  let browser: Browser;
  let host: HostSite;
  let visitors = 0;

  beforeAll(async () => {
    await buildWidget();
    app = await startWebApp(continuityEnv(sink, DELAY_SECONDS, { WIDGET_IDENTITY_SECRET: SECRET }));
    agent = await app.person('agent', 'Ben Agent');
    host = await serveHostSite(app.url, SECRET);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.stop();
  });

  const launcher = (page: Page, name: 'Open chat' | 'Close chat') => page.getByRole('button', { name, exact: true });
  const log = (page: Page) => page.getByRole('log', { name: 'Messages' });

  /** A visitor in a browser of their own, on the shop's page with the chat open, having asked something. */
  async function visitorAsking(
    question: string,
    query: Record<string, string> = {},
    prepare?: (page: Page) => Promise<void>,
  ): Promise<{ page: Page; email: string; conversationId: number; reads: number[] }> {
    const email = query.email ?? `seen${++visitors}-${process.pid}@customers.test`;
    const page = await (await browser.newContext()).newPage();
    await prepare?.(page);
    const reads: number[] = [];
    page.on('request', (request) => {
      if (request.url() === `${app.url}/api/widget/read` && request.method() === 'POST')
        reads.push((JSON.parse(request.postData() ?? '{}') as { upTo: number }).upTo);
    });
    await page.goto(`${host.url}/?${new URLSearchParams({ name: 'Vera Visitor', ...query, email })}`);
    await launcher(page, 'Open chat').click();
    await page.getByRole('textbox', { name: 'Message' }).fill(question);
    await page.getByRole('button', { name: 'Send' }).click();
    await log(page).getByText(question).waitFor();
    await log(page).getByText('Onethread bot').first().waitFor();
    const { items } = await app.api<Json>(agent, 'GET', '/api/conversations?channel=chatbot&limit=100');
    const conversation = items.find((c: Json) => c.customer.email === email);
    expect(conversation, `the chat of ${email}`).toBeTruthy();
    return { page, email, conversationId: conversation.id, reads };
  }

  const reply = async (conversationId: number, body: string) =>
    (await app.api<Json>(agent, 'POST', `/api/conversations/${conversationId}/messages`, { body })).message.id as number;

  it('a reply the visitor reads live, in the open chat, is not mailed to them as well', async () => {
    const visitor = await visitorAsking('Has my order shipped?');
    const answer = await reply(visitor.conversationId, 'Yes, it shipped this morning.');
    await log(visitor.page).getByText('Yes, it shipped this morning.').waitFor();
    await expect.poll(() => visitor.reads.at(-1), { timeout: 5000 }).toBe(answer);
    expect(await continuityOutcome(app, agent, visitor.conversationId, answer)).toBe('not mailed');
    expect(await mailsTo(sink, visitor.email)).toEqual([]);
    await visitor.page.context().close();
  });

  it('a reply that comes after the visitor closed the tab is mailed to them, once', async () => {
    const visitor = await visitorAsking('Can I change the delivery address?');
    await visitor.page.context().close();
    const answer = await reply(visitor.conversationId, 'Yes: reply with the new address and we will change it.');
    expect(await continuityOutcome(app, agent, visitor.conversationId, answer)).toBe('sent');
    const mails = await mailsTo(sink, visitor.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('reply with the new address');
  });

  it('a reply that arrives while the chat is closed is not seen until the visitor opens it', async () => {
    const opener = await visitorAsking('Do you ship to Norway?');
    const keeper = await visitorAsking('Do you ship to Iceland?');
    for (const visitor of [opener, keeper]) await launcher(visitor.page, 'Close chat').click();

    // On the page, but not in front of the visitor: not read. This one opens the chat within the delay.
    const norway = await reply(opener.conversationId, 'We do ship to Norway.');
    await expect.poll(() => opener.page.locator('onethread-widget .badge').textContent(), { timeout: 5000 }).toBe('1 unread');
    expect((await teamMessage(app, agent, opener.conversationId, norway)).readAt).toBeNull();
    expect(opener.reads).not.toContain(norway);
    await launcher(opener.page, 'Open chat').click();
    await log(opener.page).getByText('We do ship to Norway.').waitFor();
    await expect.poll(async () => (await teamMessage(app, agent, opener.conversationId, norway)).readAt, { timeout: 5000 }).not.toBeNull();

    // This one never opens it.
    const iceland = await reply(keeper.conversationId, 'We do ship to Iceland.');
    await expect.poll(() => keeper.page.locator('onethread-widget .badge').textContent(), { timeout: 5000 }).toBe('1 unread');
    expect(await continuityOutcome(app, agent, opener.conversationId, norway)).toBe('not mailed');
    expect(await continuityOutcome(app, agent, keeper.conversationId, iceland)).toBe('sent');
    expect(keeper.reads).not.toContain(iceland);
    expect(await mailsTo(sink, opener.email)).toEqual([]);
    expect(await mailsTo(sink, keeper.email)).toHaveLength(1);
    for (const visitor of [opener, keeper]) await visitor.page.context().close();
  });

  it('a read report lost on the way is sent again when the live connection comes back', async () => {
    const visitor = await visitorAsking('Is the blue one back in stock?', {}, async (page) => {
      // Keeps the page's sockets reachable, so the test can drop the widget's connection.
      await page.addInitScript(() => {
        const Native = window.WebSocket;
        const opened: WebSocket[] = [];
        (window as unknown as { openedSockets: WebSocket[] }).openedSockets = opened;
        window.WebSocket = class extends Native {
          constructor(url: string | URL, protocols?: string | string[]) {
            super(url, protocols);
            opened.push(this);
          }
        };
      });
    });
    // What the widget saw before (the bot's answer) is reported and done with first.
    const { items } = await app.api<Json>(agent, 'GET', `/api/conversations/${visitor.conversationId}/messages?limit=100`);
    const botAnswer = items.filter((m: Json) => m.sender.type === 'bot').at(-1).id as number;
    await expect.poll(async () => (await teamMessage(app, agent, visitor.conversationId, botAnswer)).readAt, { timeout: 5000 }).not.toBeNull();
    await visitor.page.waitForTimeout(500);
    const attempts: string[] = [];
    await visitor.page.route(`${app.url}/api/widget/read`, (route) => {
      attempts.push(route.request().method());
      return route.abort('internetdisconnected');
    });
    const answer = await reply(visitor.conversationId, 'It is, since this morning.');
    await log(visitor.page).getByText('It is, since this morning.').waitFor();
    await expect.poll(() => attempts.length, { timeout: 5000 }).toBeGreaterThan(0);
    await visitor.page.unroute(`${app.url}/api/widget/read`);
    expect((await teamMessage(app, agent, visitor.conversationId, answer)).readAt).toBeNull();

    // The connection drops and comes back: the widget reports what it still owes.
    await visitor.page.evaluate(() => (window as unknown as { openedSockets: WebSocket[] }).openedSockets.at(-1)!.close());
    await expect.poll(async () => (await teamMessage(app, agent, visitor.conversationId, answer)).readAt, { timeout: 10_000 }).not.toBeNull();
    expect(visitor.reads).toContain(answer);
    expect(await continuityOutcome(app, agent, visitor.conversationId, answer)).toBe('not mailed');
    expect(await mailsTo(sink, visitor.email)).toEqual([]);
    await visitor.page.context().close();
  });

  it('a signed-in shopper who reads the reply on their phone gets no mail, though the laptop never showed it', async () => {
    const signed = { user: `shopper-${process.pid}`, email: `shopper-${process.pid}@customers.test`, name: 'Sam Shopper' };
    const laptop = await visitorAsking('Signed question from my laptop', signed);
    await launcher(laptop.page, 'Close chat').click();

    const phone = await (await browser.newContext()).newPage();
    await phone.goto(`${host.url}/?${new URLSearchParams(signed)}`);
    await launcher(phone, 'Open chat').click();
    await log(phone).getByText('Signed question from my laptop').waitFor();
    const answer = await reply(laptop.conversationId, 'Answered while you were on your phone.');
    await log(phone).getByText('Answered while you were on your phone.').waitFor();
    // The laptop has it as unread; the phone is where it was read.
    await expect.poll(() => laptop.page.locator('onethread-widget .badge').textContent(), { timeout: 5000 }).toBe('1 unread');
    expect(laptop.reads).not.toContain(answer);
    expect(await continuityOutcome(app, agent, laptop.conversationId, answer)).toBe('not mailed');
    expect(await mailsTo(sink, signed.email)).toEqual([]);
  });
});
