import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, type Person, startWebApp, type WebApp } from './support/browser.js';
import { buildWidget, type HostSite, serveHostSite } from './support/widget-host.js';

// Issue 19 "CSAT", in real Chromium: the widget on a shop's page (another origin) shows the
// rating card once the team resolved the chat and the survey's delay passed (1 s here), and
// the visitor's rating and comment are saved on the survey's row; the portal shows the same
// survey on a resolved ticket, live.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('the widget’s rating card', () => {
  let app: WebApp;
  let agent: Person;
  let browser: Browser;
  let host: HostSite;

  beforeAll(async () => {
    await buildWidget();
    app = await startWebApp({ CSAT_DELAY_SECONDS: '1' });
    agent = await app.person('agent', 'Ben Agent');
    host = await serveHostSite(app.url);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await app?.stop();
  });

  const log = (page: Page) => page.getByRole('log', { name: 'Messages' });

  it('a resolved chat shows the card; 5 and a comment are saved on the survey', async () => {
    const email = `rater-${process.pid}@customers.test`;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${host.url}/?${new URLSearchParams({ name: 'Vera Visitor', email })}`);
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('My parcel never arrived.');
    await page.getByRole('button', { name: 'Send' }).click();
    await log(page).getByText('My parcel never arrived.').waitFor();

    // The message shows at once; the chat exists once the server has answered the send.
    const chatOf = async () =>
      ((await app.api<Json>(agent, 'GET', '/api/conversations?channel=chatbot&limit=100')).items as Json[]).find((c) => c.customer.email === email);
    await expect.poll(chatOf, { timeout: 10_000 }).toBeTruthy();
    const conversation = (await chatOf())!;
    await app.api(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'We sent a new one today.' });
    await log(page).getByText('We sent a new one today.').waitFor();
    // No card while the chat is going on.
    expect(await page.getByRole('form', { name: 'Rate this chat' }).count()).toBe(0);
    await app.api(agent, 'PATCH', `/api/conversations/${conversation.id}`, { status: 'resolved' });

    const card = page.getByRole('form', { name: 'Rate this chat' });
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('radio', { name: '5: Very satisfied' }).click();
    await card.getByRole('textbox', { name: 'Comment (optional)' }).fill('Fast and friendly.');
    await card.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thanks for rating this chat 5 of 5.').waitFor();

    const row = await app.store.db.selectFrom('csat_surveys').selectAll().where('conversationId', '=', conversation.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sentVia: 'widget', channel: 'chatbot', rating: 5, comment: 'Fast and friendly.' });
    const events = await app.api<Json>(agent, 'GET', `/api/conversations/${conversation.id}/events`);
    const received = (events.items as Json[]).find((e: Json) => e.eventType === 'csat_received');
    expect(received).toMatchObject({ origin: 'customer' });
    await page.context().close();
  });

  it('the portal shows the survey on a resolved ticket as it arrives, and takes the rating', async () => {
    const customer = await app.person('customer', 'Paula Portal');
    const { conversation } = await app.api<Json>(customer, 'POST', '/api/conversations', { subject: 'Invoice copy', body: 'Please send a copy.' });
    await app.api(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Attached.' });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/portal`);
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: /Invoice copy/ }).click();
    await page.getByRole('heading', { name: 'Invoice copy' }).waitFor();
    await app.api(agent, 'PATCH', `/api/conversations/${conversation.id}`, { status: 'resolved' });

    const card = page.getByRole('form', { name: 'Rate this conversation' });
    await card.waitFor({ timeout: 15_000 });
    expect(await axeViolations(page)).toEqual([]);
    await card.getByLabel('4 – Satisfied').check();
    await card.getByLabel('Anything to add? (optional)').fill('Thanks!');
    await card.getByRole('button', { name: 'Send rating' }).click();
    await page.getByText('Thank you: you rated this conversation 4 of 5.').waitFor();
    const row = await app.store.db.selectFrom('csat_surveys').selectAll().where('conversationId', '=', conversation.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sentVia: 'portal', channel: 'ticket', rating: 4, comment: 'Thanks!' });
    await page.context().close();
  });
});
