import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, signIn, startWebApp, type WebApp } from './support/browser.js';

// The service worker (web/public/sw.js) in real Chromium, served at /sw.js by the app. A
// headless browser has no push service to subscribe at, so the push is handed to the worker
// through DevTools (ServiceWorker.deliverPushMessage), as the browser does when its push
// service delivers one; what the worker shows is read back with getNotifications().

type Shown = { title: string; body: string; tag: string; data: { url: string; conversationId: number } };

describe.skipIf(!hasChromium)('web push service worker', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  /** Registers /sw.js from `page`; resolves to the DevTools session and the registration's id. */
  async function registerWorker(page: Page): Promise<{ cdp: CDPSession; registrationId: string }> {
    const cdp = await page.context().newCDPSession(page);
    const registered = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${app.url}/` && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const scope = await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      return (await navigator.serviceWorker.ready).scope;
    });
    expect(scope).toBe(`${app.url}/`);
    return { cdp, registrationId: await registered };
  }

  const shown = (page: Page) =>
    page.evaluate(async () =>
      (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data })),
    ) as Promise<Shown[]>;

  async function waitForShown(page: Page, check: (list: Shown[]) => boolean, tries = 100): Promise<Shown[]> {
    for (let i = 0; i < tries; i++) {
      const list = await shown(page);
      if (check(list)) return list;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return shown(page);
  }

  /**
   * Delivers `data` until what the worker shows passes `check`. DevTools hands a push to the
   * worker as it stands that instant: one delivered while it is still starting, or before it
   * has learnt that its tab navigated, can be lost (CI saw both), where a push service would
   * retry. A push that must show nothing is delivered once (see the focused-tab test).
   */
  async function pushUntil(target: { cdp: CDPSession; registrationId: string; page: Page }, data: object, check: (list: Shown[]) => boolean): Promise<Shown[]> {
    let list: Shown[] = [];
    for (let attempt = 0; attempt < 20 && !check(list); attempt++) {
      await target.cdp.send('ServiceWorker.deliverPushMessage', { origin: app.url, registrationId: target.registrationId, data: JSON.stringify(data) });
      list = await waitForShown(target.page, check, 10);
    }
    return list;
  }

  const payload = (body: string) => ({
    title: 'CONV-000012 · Refund for order 18',
    body,
    tag: 'conversation-12',
    url: '/inbox/all?conversation=12',
    conversationId: 12,
    kind: 'customer_replied',
    count: 1,
  });

  it('is served from the web app at /sw.js as JavaScript', async () => {
    const response = await fetch(`${app.url}/sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(await response.text()).toContain("addEventListener('push'");
  });

  it('shows a push with no tab of the inbox in view, one per conversation: a later one replaces it', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: app.url });
    const page = await context.newPage();
    // The portal is ours but not the inbox: the worker shows the push.
    await page.goto(`${app.url}/portal/`);
    const { cdp, registrationId } = await registerWorker(page);

    const first = await pushUntil({ cdp, registrationId, page }, payload('Casey replied'), (list) => list.length > 0);
    expect(first).toEqual([
      {
        title: 'CONV-000012 · Refund for order 18',
        body: 'Casey replied',
        tag: 'conversation-12',
        data: { url: '/inbox/all?conversation=12', conversationId: 12 },
      },
    ]);

    const second = await pushUntil({ cdp, registrationId, page }, payload('2 new replies, the latest from Casey'), (list) =>
      list.some((n) => n.body !== 'Casey replied'),
    );
    expect(second.map((n) => [n.tag, n.body])).toEqual([['conversation-12', '2 new replies, the latest from Casey']]);
  });

  it('shows nothing while an inbox tab is focused and visible (the app tells its user itself)', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: app.url });
    const page = await context.newPage();
    await signIn(page, app, app.admin, '/inbox/open');
    const { cdp, registrationId } = await registerWorker(page);
    const state = await page.evaluate(() => ({ focused: document.hasFocus(), visibility: document.visibilityState }));
    expect(state).toEqual({ focused: true, visibility: 'visible' });
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: app.url,
      registrationId,
      data: JSON.stringify({ ...payload('In view'), tag: 'conversation-13' }),
    });
    // The worker's answer is not an event to wait for: give it time to (not) show one.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await shown(page)).filter((n) => n.tag === 'conversation-13')).toEqual([]);
    // The same browser, the inbox out of the tab: the next push shows.
    await page.goto(`${app.url}/portal/`);
    const later = await pushUntil({ cdp, registrationId, page }, { ...payload('Out of view'), tag: 'conversation-13' }, (list) =>
      list.some((n) => n.tag === 'conversation-13'),
    );
    expect(later.filter((n) => n.tag === 'conversation-13').map((n) => n.body)).toEqual(['Out of view']);
  });
});
