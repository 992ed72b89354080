import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// Desktop notifications (issue 18) with the tab open but hidden: the real Notification
// constructor, wrapped by an init script that records each call and still builds the real
// one; the tab's visibility overridden (headless Chromium is always "visible") and announced
// with a real visibilitychange event, as a browser does when the tab goes to the background.

type Json = Record<string, any>;
type Recorded = { title: string; body: string; tag: string };

const RECORD_NOTIFICATIONS = () => {
  const w = window as unknown as { Notification: typeof Notification; __shown: Notification[]; __calls: Recorded[]; __hidden: boolean };
  const Real = w.Notification;
  w.__shown = [];
  w.__calls = [];
  w.__hidden = false;
  class Watched extends Real {
    constructor(title: string, options: NotificationOptions = {}) {
      super(title, options);
      w.__shown.push(this);
      w.__calls.push({ title, body: options.body ?? '', tag: options.tag ?? '' });
    }
  }
  Object.defineProperty(Watched, 'permission', { get: () => Real.permission });
  Object.defineProperty(Watched, 'requestPermission', { value: Real.requestPermission.bind(Real) });
  w.Notification = Watched;
  // The notification frames this page received, so the test knows one was handled (the
  // server reads the commands of this test process at its next poll, up to a second later),
  // and whether its stream is live: notification frames are not replayed, and one sent before
  // `ready` reaches the page only through the list it fetches after `ready`.
  const frames: string[] = [];
  (w as unknown as { __frames: string[] }).__frames = frames;
  (w as unknown as { __ready: boolean }).__ready = false;
  const RealSocket = window.WebSocket;
  window.WebSocket = class extends RealSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        const frame = JSON.parse(String(event.data)) as { type: string; data: { notification?: { count: number } } };
        if (frame.type === 'ready') (w as unknown as { __ready: boolean }).__ready = true;
        if (frame.type.startsWith('notification.')) frames.push(`${frame.type}:${frame.data.notification?.count ?? ''}`);
      });
    }
  };
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (w.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => w.__hidden });
};

describe.skipIf(!hasChromium)('web desktop notifications', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let agent: Person;

  const framesHandled = (page: Page, n: number) =>
    page.waitForFunction((count) => (window as unknown as { __frames: string[] }).__frames.length >= count, n, { timeout: 15_000 });
  const calls = (page: Page) => page.evaluate(() => (window as unknown as { __calls: Recorded[] }).__calls);
  const setHidden = (page: Page, hidden: boolean) =>
    page.evaluate((value) => {
      (window as unknown as { __hidden: boolean }).__hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);

  async function openPage(grant: boolean): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    if (grant) await context.grantPermissions(['notifications'], { origin: app.url });
    await context.addInitScript(RECORD_NOTIFICATIONS);
    const page = await context.newPage();
    await signIn(page, app, agent, '/inbox/open');
    // Live before the test writes: what comes later arrives as frames (see RECORD_NOTIFICATIONS).
    await page.waitForFunction(() => (window as unknown as { __ready: boolean }).__ready, undefined, { timeout: 15_000 });
    return page;
  }

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    agent = await app.person('agent', 'Dana Desk');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('a customer writing while the tab is hidden makes one browser notification per conversation; a click opens it', async () => {
    const from = { customerEmail: 'rowan@customers.test', name: 'Rowan Customer' };
    const created = await createConversation(app.inbox, { from, channel: 'ticket', subject: 'Broken checkout page', body: 'It fails.' });
    const id = created.conversation.id;
    await app.api(app.admin, 'PATCH', `/api/conversations/${id}`, { assignedTo: agent.id });
    await app.api(agent, 'POST', '/api/notifications/read', { all: true });

    const page = await openPage(true);
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();

    // Visible: the bell counts it live, no browser notification.
    await addMessage(app.inbox, { conversation: id, from, body: 'Any news?' });
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 15_000 });
    await framesHandled(page, 1);
    expect(await calls(page)).toEqual([]);

    // Hidden: a browser notification, titled by the conversation, saying what happened.
    await setHidden(page, true);
    await addMessage(app.inbox, { conversation: id, from, body: 'Hello? Still broken.' });
    await framesHandled(page, 2);
    expect(await calls(page)).toHaveLength(1);
    const [first] = await calls(page);
    expect(first!.title).toMatch(/^CONV-\d+ · Broken checkout page$/);
    expect(first!.body).toBe('Rowan Customer replied (2 times)');
    expect(first!.tag).toBe(`conversation-${id}`);
    // The bell, without a reload: still one line (folded), unread.
    expect(await page.getByRole('button', { name: 'Notifications, 1 unread' }).count()).toBe(1);

    // A later one about the same conversation carries the same tag: it replaces the first.
    await addMessage(app.inbox, { conversation: id, from, body: 'Third time.' });
    await framesHandled(page, 3);
    expect(await calls(page)).toHaveLength(2);
    expect((await calls(page))[1]).toMatchObject({ tag: `conversation-${id}`, body: 'Rowan Customer replied (3 times)' });

    // A click on it focuses the tab on that conversation, which reads it.
    await setHidden(page, false);
    await page.evaluate(() => {
      const shown = (window as unknown as { __shown: Notification[] }).__shown;
      shown[shown.length - 1]!.dispatchEvent(new Event('click'));
    });
    await page.waitForURL(new RegExp(`conversation=${id}`));
    await page.locator('.conversation-header').getByText('Broken checkout page').waitFor();
    await page.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor({ timeout: 15_000 });
    expect(((await app.api<Json>(agent, 'GET', '/api/notifications?unread=1')).items as Json[]).length).toBe(0);
  });

  it('the panel offers desktop notifications until allowed, and keeps the sound switch in this browser', async () => {
    const page = await openPage(false);
    await page.getByRole('button', { name: /^Notifications/ }).click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await panel.getByRole('button', { name: 'Show desktop notifications' }).waitFor();
    const sound = panel.getByRole('checkbox', { name: 'Play a sound' });
    expect(await sound.isChecked()).toBe(false);
    await sound.check();
    expect(await page.evaluate(() => localStorage.getItem('onethread.notificationSound'))).toBe('on');
    await page.reload();
    await page.getByRole('button', { name: /^Notifications/ }).click();
    expect(await page.getByRole('dialog', { name: 'Notifications' }).getByRole('checkbox', { name: 'Play a sound' }).isChecked()).toBe(true);
  });
});
