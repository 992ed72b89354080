import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';
import { freePort, MAIL_PEERS, queuedId, rawMail, swaks, uniqueId, waitFor } from './support/email.js';

// What the thread leaves out or folds away (issue 14, items 7 and 9): mail no person wrote
// (an out-of-office, a bounce, list mail) shows as one labelled, muted, folded line, not as
// the customer speaking; and the open ↔ pending flips every message causes are not lines
// of their own, while an agent's own status change still is.

type Json = Record<string, any>;

const SUPPORT_ADDRESS = 'support@auto.test';

describe.skipIf(!hasChromium || !MAIL_PEERS.swaks)('web inbox, what machines and the write path add to a thread', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let smtpPort: number;
  let customer: Person;

  beforeAll(async () => {
    smtpPort = await freePort();
    app = await startWebApp({ SUPPORT_ADDRESSES: SUPPORT_ADDRESS, SMTP_LISTEN_PORT: String(smtpPort) });
    browser = await launchBrowser();
    customer = await app.person('customer', 'Tess Customer');
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const messages = (id: number) => app.api<Json>(app.admin, 'GET', `/api/conversations/${id}/messages`).then((r) => r.items as Json[]);
  const openThread = async (id: number) => {
    await page.goto(`${app.url}/inbox/all?conversation=${id}`);
    await page.locator(`.conversation[data-conversation-id="${id}"] .thread-items`).waitFor();
  };
  const eventLines = () => page.locator('.thread-items .event > span:first-child').allTextContents();

  it('shows an out-of-office that came by mail as an automatic reply, folded, and opens it on click and by keyboard', async () => {
    const first = uniqueId('order');
    queuedId(
      await swaks(smtpPort, {
        from: 'olga@customers.test',
        to: SUPPORT_ADDRESS,
        data: rawMail({
          from: 'Olga Customer <olga@customers.test>',
          to: SUPPORT_ADDRESS,
          subject: 'Where is my order?',
          messageId: first,
          body: 'It has not arrived.',
        }),
      }),
    );
    const { id } = await waitFor(async () => (await app.api<Json>(app.admin, 'GET', '/api/conversations?q=arrived')).items[0], 30_000, 'the first mail filed');
    await app.api(app.admin, 'POST', `/api/conversations/${id}/messages`, { body: 'It left our warehouse yesterday.' });
    const away = rawMail({
      from: 'Olga Customer <olga@customers.test>',
      to: SUPPORT_ADDRESS,
      subject: 'Out of office: Re: Where is my order?',
      inReplyTo: first,
      headers: { 'Auto-Submitted': 'auto-replied' },
      body: 'I am away until Monday and will read your message then.',
    });
    queuedId(await swaks(smtpPort, { from: 'olga@customers.test', to: SUPPORT_ADDRESS, data: away }));
    const auto = await waitFor(async () => (await messages(id)).find((m) => m.auto === 'auto_reply'), 30_000, 'the out-of-office filed');
    expect(auto.sender).toMatchObject({ type: 'customer', name: 'Olga Customer' });

    await openThread(id);
    const row = page.locator(`.message[data-message-id="${auto.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('aria-label')).toBe('Automatic reply from Olga Customer');
    const toggle = row.getByRole('button', { name: /Automatic reply from Olga Customer/ });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    // Folded: not a customer message, its text not shown as one.
    expect(await row.evaluate((el) => el.classList.contains('message-customer'))).toBe(false);
    expect(await page.locator('.message-customer').filter({ hasText: 'I am away until Monday' }).count()).toBe(0);
    expect(await row.locator('.message-body').count()).toBe(0);
    // Muted: its own, paler look, unlike the customer's message above it.
    const look = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await look(`.message[data-message-id="${auto.id}"]`)).not.toBe(await look('.message-customer'));

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await row.locator('.message-body').filter({ hasText: 'I am away until Monday and will read your message then.' }).waitFor();
    await toggle.press('Enter');
    await row.locator('.message-body').waitFor({ state: 'detached' });
    await toggle.focus();
    await page.keyboard.press('Space');
    await row.locator('.message-body').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('labels a bounce notice as a delivery failure for the team, and list mail as list mail', async () => {
    const created = await createConversation(app.inbox, {
      from: { customerEmail: 'nina@customers.test', name: 'Nina Customer' },
      channel: 'email',
      subject: 'Invoice',
      body: 'Please send the invoice.',
    });
    const id = created.conversation.id;
    await addMessage(app.inbox, { conversation: id, from: { userId: app.admin.id }, body: 'Here it is.' });
    const bounce = await addMessage(app.inbox, {
      conversation: id,
      from: { bot: 'Mail Delivery System' },
      isInternal: true,
      auto: 'bounce',
      keepStatus: true,
      body: 'Your reply could not be delivered: 550 5.1.1 mailbox unavailable.',
    });
    const list = await addMessage(app.inbox, {
      conversation: id,
      from: { customerEmail: 'nina@customers.test' },
      auto: 'bulk',
      keepStatus: true,
      body: 'Our spring newsletter: ten new products.',
    });

    await openThread(id);
    const failure = page.locator(`.message[data-message-id="${bounce.message.id}"]`);
    await failure.waitFor();
    expect(await failure.getAttribute('aria-label')).toBe('Delivery failure');
    expect(await failure.getByRole('button').textContent()).toContain('Team only');
    expect(await failure.locator('.message-body').count()).toBe(0);
    await failure.getByRole('button', { name: /Delivery failure/ }).click();
    await failure.locator('.message-body').filter({ hasText: '550 5.1.1 mailbox unavailable' }).waitFor();

    const bulk = page.locator(`.message[data-message-id="${list.message.id}"]`);
    expect(await bulk.getAttribute('aria-label')).toBe('List mail from Nina Customer');
    expect(await bulk.locator('.message-body').count()).toBe(0);
    // The people's messages show as they always did.
    await page.locator('.message-customer').filter({ hasText: 'Please send the invoice.' }).waitFor();
    await page.locator('.message-admin').filter({ hasText: 'Here it is.' }).waitFor();
  });

  it('shows no line for the status flips messages cause, and still one for an agent’s own change', async () => {
    const chat = (await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Live chat about a refund', body: 'Hi, I need a refund.' }))
      .conversation;
    await app.api(app.admin, 'POST', `/api/conversations/${chat.id}/messages`, { body: 'Sure, which order?' }); // open → pending
    await app.api(customer, 'POST', `/api/conversations/${chat.id}/messages`, { body: 'Order 1042.' }); // pending → open
    await app.api(app.admin, 'POST', `/api/conversations/${chat.id}/messages`, { body: 'Refunded.' }); // open → pending
    await openThread(chat.id);
    await page.locator('.message').filter({ hasText: 'Refunded.' }).waitFor();
    expect(await eventLines()).toEqual([]);

    // The agent resolves it: a line, theirs.
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect.poll(eventLines, { timeout: 10_000 }).toEqual([`${app.admin.name} changed status: Pending → Resolved`]);
    // The customer writes again, which reopens it: the message says so, no extra line.
    await app.api(customer, 'POST', `/api/conversations/${chat.id}/messages`, { body: 'One more question.' });
    await page.locator('.message-customer').filter({ hasText: 'One more question.' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Resolve', exact: true }).waitFor({ timeout: 10_000 });
    // And an agent setting a status by hand still shows, live.
    await page.getByTestId('status-select').selectOption('pending');
    await expect
      .poll(eventLines, { timeout: 10_000 })
      .toEqual([`${app.admin.name} changed status: Pending → Resolved`, `${app.admin.name} changed status: Open → Pending`]);

    // The audit trail keeps every change.
    const events = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${chat.id}/events`)).items as Json[];
    const statusChanges = events.filter((e) => ['status_changed', 'resolved', 'reopened'].includes(e.eventType)).map((e) => `${e.oldValue}→${e.newValue}`);
    expect(statusChanges).toEqual(['open→pending', 'pending→open', 'open→pending', 'pending→resolved', 'resolved→open', 'open→pending']);
  });

  it('shows an agent’s status change at the end of a long chat, past the first page of its audit trail', async () => {
    const start = Date.now() - 200 * 60_000;
    const created = await createConversation(app.inbox, {
      from: { userId: customer.id },
      channel: 'chatbot',
      subject: 'A long live chat',
      body: 'Line 1',
      sentAt: start,
    });
    const id = created.conversation.id;
    // 70 more messages, each flipping the status: about 140 events before the agent's own.
    for (let i = 2; i <= 71; i++) {
      await addMessage(app.inbox, { conversation: id, from: i % 2 ? { userId: customer.id } : { userId: app.admin.id }, body: `Line ${i}` });
    }
    const events = (await app.api<Json>(app.admin, 'GET', `/api/conversations/${id}/events?limit=100`)).items as Json[];
    expect(events.length).toBe(100);
    await openThread(id);
    await page.locator('.message').filter({ hasText: 'Line 71' }).waitFor();
    expect(await eventLines()).toEqual([]);
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await expect.poll(eventLines, { timeout: 10_000 }).toEqual([`${app.admin.name} changed status: Open → Resolved`]);
    // And read afresh, not only from the action's own update.
    await page.reload();
    await page.locator('.message').filter({ hasText: 'Line 71' }).waitFor();
    await expect.poll(eventLines, { timeout: 10_000 }).toEqual([`${app.admin.name} changed status: Open → Resolved`]);
  });
});
