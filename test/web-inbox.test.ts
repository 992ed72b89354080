import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { axeViolations, hasChromium, launchBrowser, type Person, signIn, startWebApp, type WebApp } from './support/browser.js';

// The admin inbox in real Chromium against the real server: sign in, the list, a
// conversation, the actions and their effect on the server, keyboard, search, safety of
// HTML mail, accessibility. Live updates are in web-live.test.ts.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web inbox', () => {
  let app: WebApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ben: Person;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    app = await startWebApp();
    browser = await launchBrowser();
    ben = await app.person('agent', 'Ben Agent');
    const seed = async (key: string, input: Partial<Parameters<typeof createConversation>[1]>) => {
      const created = await createConversation(app.inbox, {
        from: { customerEmail: `${key}@customers.test`, name: `${key[0]!.toUpperCase()}${key.slice(1)} Customer` },
        channel: 'ticket',
        subject: `Subject of ${key}`,
        body: `Body of ${key}`,
        ...input,
      });
      ids[key] = created.conversation.id;
    };
    await seed('carla', { subject: 'Refund for order 1042', body: 'I was charged twice for order 1042, please refund one.' });
    await seed('dmitri', { channel: 'chatbot', subject: 'Chat: opening hours', body: 'When are you open on Sundays?' });
    await seed('erin', {
      channel: 'email',
      subject: 'Newsletter with pictures',
      body: 'See the pictures',
      htmlBody: `<p id="greeting">Hello <b>team</b></p><img id="tracker" src="${app.url}/favicon.svg" alt="pixel"><script>document.body.setAttribute("data-script-ran", "yes")</script>`,
    });
    await seed('fatima', { subject: 'Invoice address wrong', body: 'The invoice shows my old address.', labels: ['urgent'] });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
  });

  const server = (id: number) => app.api<Json>(app.admin, 'GET', `/api/conversations/${id}`).then((r) => r.conversation as Json);
  const row = (id: number) => page.locator(`.row[data-conversation-id="${id}"]`);
  const openConversation = async (id: number) => {
    await row(id).click();
    await page.locator(`.conversation[data-conversation-id="${id}"]`).waitFor();
  };

  it('refuses a wrong password with a visible message, then signs in', async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(app.url + '/');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Email').fill(app.admin.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('alert').filter({ hasText: 'Wrong email or password' }));
    await signIn(page, app, app.admin);
  });

  it('lists the seeded conversations, newest first, with counts in the sidebar', async () => {
    await expectVisible(row(ids.carla!));
    const order = await page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))));
    expect(order).toEqual([ids.fatima, ids.erin, ids.dmitri, ids.carla]);
    await eventually(() => page.locator('.nav-link[data-view="open"] .nav-count').textContent()).toBe('4');
    await eventually(() => page.locator('.nav-link[data-view="channel:email"] .nav-count').textContent()).toBe('1');
    await eventually(() => page.locator('.nav-link[data-view="label:urgent"] .nav-count').textContent()).toBe('1');
    await eventually(() => page.locator('.nav-link[data-view="unassigned"] .nav-count').textContent()).toBe('4');
    // A row shows who, what, the last message, and that it is new to this agent.
    const carla = row(ids.carla!);
    await eventually(() => carla.textContent()).toContain('Carla Customer');
    expect(await carla.textContent()).toContain('Refund for order 1042');
    expect(await carla.textContent()).toContain('I was charged twice');
    expect(await carla.textContent()).toContain('New reply');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('opens a conversation, marks it read, replies, and the status becomes pending', async () => {
    await openConversation(ids.carla!);
    await expectVisible(page.getByRole('heading', { name: 'Refund for order 1042' }));
    await expectVisible(page.locator('.message').filter({ hasText: 'I was charged twice' }));
    await eventually(() => row(ids.carla!).textContent()).not.toContain('New reply');
    // The server knows too: a fresh list says it is read.
    await eventually(
      async () => (await app.api<Json>(app.admin, 'GET', '/api/conversations?status=open')).items.find((c: Json) => c.id === ids.carla).unread,
    ).toBe(false);
    expect(page.url()).toContain(`conversation=${ids.carla}`);

    await page.getByRole('textbox', { name: /Reply to/ }).fill('Refunded the second charge, sorry about that.');
    await page.keyboard.press('Control+Enter');
    await expectVisible(page.locator('.message-admin:not([data-pending])').filter({ hasText: 'Refunded the second charge' }));
    await eventually(() => page.getByTestId('status-select').inputValue()).toBe('pending');
    await eventually(async () => (await server(ids.carla!)).status).toBe('pending');
    const messages = await app.api<Json>(app.admin, 'GET', `/api/conversations/${ids.carla}/messages`);
    expect(messages.items.map((m: Json) => m.body)).toEqual([
      'I was charged twice for order 1042, please refund one.',
      'Refunded the second charge, sorry about that.',
    ]);
    // The status flip the reply caused is no line of its own (issue 14: the message says
    // it); the audit trail keeps it, and an agent's own changes show inline (below).
    const trail = await app.api<Json>(app.admin, 'GET', `/api/conversations/${ids.carla}/events`);
    expect(trail.items.map((e: Json) => [e.eventType, e.oldValue, e.newValue])).toContainEqual(['status_changed', 'open', 'pending']);
    expect(await page.locator('.event').filter({ hasText: 'changed status' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('writes an internal note, shown as a note the customer cannot see', async () => {
    await page.getByRole('radio', { name: 'Internal note' }).click();
    await page.getByRole('textbox', { name: 'Internal note' }).fill('Checked with billing: refund is on its way.');
    await page.getByRole('button', { name: 'Add note' }).click();
    // Not the optimistic copy: the one the server stored.
    const note = page.locator('.message-note:not([data-pending])').filter({ hasText: 'Checked with billing' });
    await expectVisible(note);
    expect(await note.textContent()).toContain('invisible to the customer');
    const messages = await app.api<Json>(app.admin, 'GET', `/api/conversations/${ids.carla}/messages`);
    expect(messages.items.at(-1)).toMatchObject({ body: 'Checked with billing: refund is on its way.', isInternal: true });
    // A note does not move the status.
    expect((await server(ids.carla!)).status).toBe('pending');
  });

  it('changes status, priority, assignee, labels and tags, and the server has them', async () => {
    await page.getByTestId('assignee-select').selectOption({ label: 'Ben Agent' });
    await page.locator('.details').getByLabel('Priority').selectOption('high');
    await page.getByRole('button', { name: 'Follow-up', pressed: false }).click();
    await page.getByLabel('Add a tag').fill('Billing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByTestId('status-select').selectOption('open');
    const refused = page.locator('.toast-error');
    const trail = async () =>
      `errors shown: ${(await refused.allTextContents()).join('; ') || 'none'}; audit: ${(await app.api<Json>(app.admin, 'GET', `/api/conversations/${ids.carla}/events`)).items.map((e: Json) => `${e.eventType} ${JSON.stringify(e.oldValue)}→${JSON.stringify(e.newValue)}`).join(', ')}`;
    try {
      await eventually(async () => {
        const c = await server(ids.carla!);
        return { status: c.status, priority: c.priority, assignedTo: c.assignedTo, labels: c.labels, tags: c.tags };
      }).toEqual({ status: 'open', priority: 'high', assignedTo: ben.id, labels: ['follow-up'], tags: ['billing'] });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await trail()}`);
    }
    await expectVisible(
      page
        .locator('.event')
        .filter({ hasText: 'Ana Admin assigned this to Ben Agent' })
        .or(page.locator('.event').filter({ hasText: 'assigned this to Ben Agent' })),
    );
    await expectVisible(page.locator('.event').filter({ hasText: 'added label Follow-up' }));
    await expectVisible(page.locator('.event').filter({ hasText: 'changed status: Pending → Open' }));
    // The list row reflects it too.
    await eventually(() => row(ids.carla!).textContent()).toContain('Follow-up');
  });

  it('rolls back a change the server refuses and says why', async () => {
    await app.api(app.admin, 'PATCH', `/api/conversations/${ids.carla}`, { status: 'closed' });
    // The open page learns of it live.
    await eventually(() => page.getByTestId('status-select').inputValue()).toBe('closed');
    await page.getByTestId('status-select').selectOption('pending');
    await expectVisible(page.getByRole('alert').filter({ hasText: 'cannot become pending' }));
    await eventually(() => page.getByTestId('status-select').inputValue()).toBe('closed');
    expect((await server(ids.carla!)).status).toBe('closed');
    await app.api(app.admin, 'PATCH', `/api/conversations/${ids.carla}`, { status: 'open' });
  });

  it('reloads into the same view, filters and conversation', async () => {
    await page.goto(`${app.url}/inbox/all?priority=high&conversation=${ids.carla}`);
    await expectVisible(page.getByRole('heading', { name: 'Refund for order 1042' }));
    await eventually(() => page.locator('.row').count()).toBe(1);
    await page.reload();
    await expectVisible(page.getByRole('heading', { name: 'Refund for order 1042' }));
    await eventually(() => page.locator('.row').count()).toBe(1);
    expect(await page.locator('.filters').getByLabel('Priority').inputValue()).toBe('high');
    expect(await page.locator('.nav-link[aria-current="page"]').getAttribute('data-view')).toBe('all');
  });

  it('moves with j/k, opens with Enter, and r starts a reply', async () => {
    await page.goto(`${app.url}/inbox/open`);
    await expectVisible(row(ids.carla!));
    const order = await page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))));
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await eventually(() => page.locator('.row[data-selected]').getAttribute('data-conversation-id')).toBe(String(order[0]));
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.locator(`.conversation[data-conversation-id="${order[1]}"]`).waitFor();
    expect(page.url()).toContain(`conversation=${order[1]}`);
    await page.locator('.conversation h2').focus();
    await page.keyboard.press('r');
    await eventually(() => page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    // Letters typed into the composer are text, not shortcuts.
    await page.keyboard.type('jk');
    expect(await page.locator('textarea').inputValue()).toBe('jk');
    await page.locator('textarea').fill('');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await expectVisible(page.getByRole('dialog', { name: 'Keyboard shortcuts' }));
    await page.keyboard.press('Escape');
  });

  it('searches full text and highlights the match', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('invoice');
    await eventually(() => page.locator('.row').count()).toBe(1);
    await expectVisible(row(ids.fatima!).locator('mark').first());
    expect(page.url()).toContain('q=invoice');
  });

  it('renders HTML mail in a sandbox: no script runs, remote images wait for the agent', async () => {
    await page.goto(`${app.url}/inbox/all?conversation=${ids.erin}`);
    const frame = page.locator('iframe[title^="Email from"]');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).not.toContain('allow-scripts');
    const inner = page.frameLocator('iframe[title^="Email from"]');
    await expectVisible(inner.locator('#greeting'));
    expect(await inner.locator('body').getAttribute('data-script-ran')).toBeNull();
    // The image is on a server that would answer: only the frame's policy keeps it out.
    // Once the browser is done with it (loaded or refused), it has no pixels.
    const imageWidth = () => inner.locator('#tracker').evaluate((img) => (img as HTMLImageElement).naturalWidth);
    await eventually(() => inner.locator('#tracker').evaluate((img) => (img as HTMLImageElement).complete)).toBe(true);
    expect(await imageWidth()).toBe(0);
    await page.getByRole('button', { name: 'Show images' }).click();
    await eventually(imageWidth).toBeGreaterThan(0);
    expect(await inner.locator('body').getAttribute('data-script-ran')).toBeNull();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('deletes a conversation after confirmation (admin)', async () => {
    await page.goto(`${app.url}/inbox/open?conversation=${ids.dmitri}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this conversation?' });
    await expectVisible(dialog);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await server(ids.dmitri!)).id).toBe(ids.dmitri);
    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete conversation' }).click();
    await row(ids.dmitri!).waitFor({ state: 'detached' });
    await eventually(() =>
      fetch(`${app.url}/api/conversations/${ids.dmitri}`, { headers: { authorization: `Bearer ${app.admin.token}` } }).then((r) => r.status),
    ).toBe(404);
  });

  it('is two screens at phone width: the list, then the thread with a way back', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 800 } });
    try {
      const small = await phone.newPage();
      await signIn(small, app, app.admin, '/inbox/open');
      const first = small.locator('.row').first();
      await expectVisible(first);
      expect(await small.locator('.thread-pane').isVisible()).toBe(false);
      await first.click();
      await expectVisible(small.locator('.conversation h2'));
      expect(await small.locator('.list-pane').isVisible()).toBe(false);
      expect(await axeViolations(small)).toEqual([]);
      await small.getByRole('button', { name: 'Back to the list' }).click();
      await expectVisible(small.locator('.row').first());
      await small.getByRole('button', { name: 'Show views' }).click();
      await small.getByRole('link', { name: /^Pending/ }).click();
      await expectVisible(small.getByRole('heading', { name: 'Pending', level: 1 }));
    } finally {
      await phone.close();
    }
  });

  it('signs out back to the sign-in form', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectVisible(page.getByRole('button', { name: 'Sign in' }));
    await page.reload();
    await expectVisible(page.getByRole('button', { name: 'Sign in' }));
  });
});

/**
 * expect.poll with room for a loaded machine (its default gives up after a second): the
 * condition decides, not the clock.
 */
function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 10_000 });
}

async function expectVisible(locator: ReturnType<Page['locator']>, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}
