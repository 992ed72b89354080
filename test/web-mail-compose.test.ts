import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, signIn, startWebApp, type WebApp } from './support/browser.js';
import { freePort, MAIL_PEERS, rawMail, swaks, useSink, waitFor } from './support/email.js';

// Mail in the inbox app, in real Chromium against `onethread serve` with its SMTP
// listener (swaks sends to it) and an aiosmtpd sink for what it mails (issue 14): the New
// conversation dialog (`c`), the composer's To/Cc row, each mailed message's From/To/Cc,
// and Forward.

type Json = Record<string, any>;
const SUPPORT = 'support@compose.test';

describe.skipIf(!hasChromium || !MAIL_PEERS.aiosmtpd || !MAIL_PEERS.swaks)('web inbox, writing mail', () => {
  const sink = useSink();
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let smtpPort: number;

  beforeAll(async () => {
    smtpPort = await freePort();
    app = await startWebApp({ SUPPORT_ADDRESSES: SUPPORT, SMTP_LISTEN_PORT: String(smtpPort), SMTP_URL: `smtp://127.0.0.1:${sink.port}` });
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, app, app.admin);
    await page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const mailTo = (address: string, subject: RegExp) =>
    waitFor(
      async () =>
        (await sink.received()).find(
          (m) => subject.test(m.subject ?? '') && [m.to, m.cc].some((f) => f && 'value' in f && f.value.some((a) => a.address === address)),
        ),
      20_000,
      `mail to ${address}`,
    );

  it('`c` opens New conversation; what is sent opens as a conversation whose message shows its To/Cc and how the mail went', async () => {
    await page.keyboard.press('c');
    const dialog = page.getByRole('dialog', { name: 'New conversation by email' });
    await dialog.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByLabel('To', { exact: true }).fill('zoe@example.org');
    await dialog.getByLabel('Name (optional)').fill('Zoë Müller');
    const cc = dialog.getByLabel('Add to Cc');
    await cc.fill('pat@example.org');
    await cc.press('Enter');
    await dialog.getByRole('listitem').filter({ hasText: 'pat@example.org' }).waitFor();
    await dialog.getByLabel('Subject').fill('Your order 1234');
    await dialog.getByLabel('Message').fill('Hello Zoë, your parcel left today.');
    await dialog.getByLabel('Attach files').setInputFiles({ name: 'tracking.txt', mimeType: 'text/plain', buffer: Buffer.from('tracking: 00340434') });
    await dialog.getByRole('button', { name: 'Send' }).click();

    await page.getByRole('heading', { name: 'Your order 1234' }).waitFor();
    const message = page.locator('.message-admin').filter({ hasText: 'your parcel left today' });
    await expect.poll(() => message.locator('.delivery').getAttribute('data-delivery'), { timeout: 20_000 }).toBe('sent');
    await expect
      .poll(() => message.locator('.mail-headers').innerText())
      .toMatch(new RegExp(`From\\s+${app.admin.name} <${SUPPORT}>\\s+To\\s+Zoë Müller <zoe@example\\.org>\\s+Cc\\s+pat@example\\.org`));

    const sent = await mailTo('zoe@example.org', /^Your order 1234 \[CONV-\d{6}\]$/);
    expect(sent.to).toMatchObject({ value: [{ name: 'Zoë Müller', address: 'zoe@example.org' }] });
    expect(sent.cc).toMatchObject({ value: [{ address: 'pat@example.org' }] });
    expect(sent.attachments.map((a) => a.filename)).toEqual(['tracking.txt']);
  });

  it('the composer shows To and Cc on an email conversation; a changed Cc goes with the reply and stays', async () => {
    const raw = rawMail({
      from: 'Carol Customer <carol@example.org>',
      to: SUPPORT,
      headers: { Cc: 'Pat Partner <pat@example.org>' },
      subject: 'Contract renewal',
      body: 'Please renew.',
    });
    expect((await swaks(smtpPort, { from: 'carol@example.org', to: SUPPORT, data: raw })).code).toBe(0);
    const { id } = await waitFor(async () => (await app.api<Json>(app.admin, 'GET', '/api/conversations?q=renew')).items[0], 30_000, 'the mail filed');
    await page.goto(`${app.url}/inbox/open?conversation=${id}`);
    const customer = page.locator('.message-customer').filter({ hasText: 'Please renew.' });
    await expect
      .poll(() => customer.locator('.mail-headers').innerText())
      .toMatch(/From\s+Carol Customer <carol@example\.org>\s+To\s+support@compose\.test\s+Cc\s+Pat Partner <pat@example\.org>/);

    const recipients = page.locator('.composer .recipients');
    await expect.poll(() => recipients.locator('.recipients-to').innerText()).toBe('To: Carol Customer <carol@example.org>');
    await recipients.getByRole('listitem').filter({ hasText: 'Pat Partner <pat@example.org>' }).waitFor();
    // Nothing to copy on an internal note.
    await page.getByRole('radio', { name: 'Internal note' }).click();
    expect(await page.locator('.composer .recipients').count()).toBe(0);
    await page.getByRole('radio', { name: 'Reply' }).click();

    await recipients.getByRole('button', { name: 'Remove pat@example.org from Cc' }).click();
    const add = recipients.getByLabel('Add to Cc');
    await add.fill('not-an-address');
    await add.press('Enter');
    await recipients.getByRole('alert').filter({ hasText: 'Not an email address: not-an-address' }).waitFor();
    await add.fill('quinn@example.org,');
    await recipients.getByRole('listitem').filter({ hasText: 'quinn@example.org' }).waitFor();
    await page.getByRole('textbox', { name: /Reply to/ }).fill('Renewed. Quinn handles the invoice.');
    await page.getByRole('button', { name: 'Send reply' }).click();

    const sent = await mailTo('carol@example.org', /^Re: Contract renewal/);
    expect(sent.cc).toMatchObject({ value: [{ address: 'quinn@example.org' }] });
    expect((await app.api<Json>(app.admin, 'GET', `/api/conversations/${id}`)).conversation.participants).toEqual([{ email: 'quinn@example.org', name: '' }]);
    await page.locator('.event').filter({ hasText: 'added address quinn@example.org and removed address pat@example.org in Cc' }).waitFor({ timeout: 10_000 });
    // The row shows the conversation's Cc as it now is.
    await expect.poll(() => recipients.getByRole('listitem').allInnerTexts()).toEqual(['quinn@example.org']);
  });

  it('forwards a message from its Forward button, and the whole conversation from the header', async () => {
    const message = page.locator('.message-customer').filter({ hasText: 'Please renew.' });
    await message.getByRole('button', { name: 'Forward the message from Carol Customer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forward the message from Carol Customer' });
    await dialog.waitFor();
    const to = dialog.getByLabel('Add to To');
    await to.fill('lawyer@example.net');
    await to.press('Enter');
    await dialog.getByLabel('Note').fill('Please check the renewal terms.');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Forward', exact: true }).click();
    await page.getByText('Forwarded to lawyer@example.net').waitFor();
    await page.locator('.event').filter({ hasText: 'forwarded a message to lawyer@example.net' }).waitFor({ timeout: 10_000 });
    const forwarded = await mailTo('lawyer@example.net', /^Fwd: Contract renewal$/);
    expect(forwarded.text).toContain('Please check the renewal terms.');
    expect(forwarded.text).toContain('From: Carol Customer <carol@example.org>');
    expect(forwarded.replyTo).toBeUndefined();

    await page.locator('.conversation-header').getByRole('button', { name: 'Forward' }).click();
    const whole = page.getByRole('dialog', { name: 'Forward the conversation' });
    const wholeTo = whole.getByLabel('Add to To');
    await wholeTo.fill('boss@example.net');
    await whole.getByLabel('Let answers come back into this conversation').check();
    await whole.getByRole('button', { name: 'Forward', exact: true }).click();
    const all = await mailTo('boss@example.net', /^Fwd: Contract renewal \[CONV-\d{6}\]$/);
    expect(all.text).toContain('Please renew.');
    expect(all.text).toContain('Renewed. Quinn handles the invoice.');
    expect(all.replyTo?.value[0]?.address).toMatch(/^support\+c\d+-[0-9a-f]{16}@compose\.test$/);
  });
});
