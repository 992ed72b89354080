import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, launchBrowser, openAs, type Person, startWebApp, type WebApp } from './support/browser.js';

// Assignment rules in the inbox (issue 16): an admin staffs a team on the team page, gives it
// the contact form's tickets and sets round robin; two agents with their inbox open (so
// online) then receive the tickets in turn, each live in their own Mine view and only there.

type Json = Record<string, any>;

describe.skipIf(!hasChromium)('web assignment rules', () => {
  let app: WebApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ada: Person;
  let bo: Person;
  let admin: Page;
  let teamId: number;

  const open = (who: Person, path: string): Promise<Page> => openAs(browser, app, who, path, contexts);
  const teams = async () => (await app.api<Json>(app.admin, 'GET', '/api/teams')).items as Json[];
  const rules = async () => (await app.api<Json>(app.admin, 'GET', '/api/assignment-rules')).items as Json[];
  const card = (): Locator => admin.locator(`.team-card[data-team-id="${teamId}"]`);

  beforeAll(async () => {
    // Five tickets from one address in a few seconds: the form's per-address limit must not be what is tested.
    app = await startWebApp({ CONTACT_LIMIT_PER_IP: '100' });
    browser = await launchBrowser();
    ada = await app.person('agent', 'Ada Agent');
    bo = await app.person('agent', 'Bo Agent');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.stop();
  });

  it('lets an admin create a team, give it the tickets and set round robin on the team page', async () => {
    admin = await open(app.admin, '/team');
    await admin.getByRole('heading', { name: 'Teams', level: 2 }).waitFor();
    await admin.getByRole('textbox', { name: 'Team', exact: true }).fill('Front desk');
    await admin.getByRole('button', { name: 'Create team' }).click();
    await expect.poll(async () => (await teams()).find((t) => t.name === 'Front desk')?.id, { timeout: 10_000 }).toBeTypeOf('number');
    teamId = (await teams()).find((t) => t.name === 'Front desk')!.id;
    await card().waitFor({ timeout: 10_000 });

    await card().getByRole('checkbox', { name: 'Ada Agent', exact: true }).check();
    await expect.poll(async () => (await teams()).find((t) => t.id === teamId)?.memberIds).toEqual([ada.id]);
    await card().getByRole('checkbox', { name: 'Bo Agent', exact: true }).check();
    await expect.poll(async () => (await teams()).find((t) => t.id === teamId)?.memberIds).toEqual([ada.id, bo.id]);
    await card().getByRole('group', { name: 'New conversations from' }).getByRole('checkbox', { name: 'Ticket', exact: true }).check();
    await expect.poll(async () => (await teams()).find((t) => t.id === teamId)?.channels).toEqual(['ticket']);

    const form = card().getByRole('form', { name: 'Assignment in Front desk' });
    // The members' own capacities follow the members: one input each once both are in.
    await form.getByRole('spinbutton', { name: 'Open conversations for Bo Agent' }).waitFor({ timeout: 10_000 });
    const save = form.getByRole('button', { name: /^Save assignment/ });
    expect(await save.isDisabled()).toBe(true);
    await form.getByRole('radio', { name: 'Round robin', exact: true }).check();
    await save.click();
    await expect
      .poll(async () => (await rules()).find((r) => r.team?.id === teamId))
      .toEqual({
        team: { id: teamId, name: 'Front desk' },
        mode: 'round_robin',
        capacity: null,
        capacities: [],
        arrivals: { new: true, reopened: true, handover: true },
      });
    // Saved: nothing left to save until something changes.
    await expect.poll(() => save.isDisabled()).toBe(true);
    // The rule without a team is untouched.
    expect((await rules())[0]).toMatchObject({ team: null, mode: 'manual' });
  });

  it('has no critical or serious accessibility violations on the team settings with the assignment forms', async () => {
    await admin.getByRole('form', { name: 'Assignment without a team' }).waitFor();
    expect(await axeViolations(admin, ['critical', 'serious'])).toEqual([]);
  });

  it('gives five contact-form tickets to the two online agents in turn, each live in its own Mine view only', async () => {
    const inboxes = new Map<number, Page>();
    for (const agent of [ada, bo]) {
      const page = await open(agent, '/inbox/mine');
      await page.locator('.live-dot.live-live').waitFor({ timeout: 15_000 });
      // A reload would drop this mark: what appears below arrived live.
      await page.evaluate(() => Object.assign(window, { __sameDocument: true }));
      inboxes.set(agent.id, page);
    }
    // Their inbox sockets make them online; the rule hands out only to online members.
    await expect
      .poll(
        async () => {
          const users = (await app.api<Json>(app.admin, 'GET', '/api/users')).items as Json[];
          return [ada, bo].map((agent) => users.find((u) => u.id === agent.id)?.availability);
        },
        { timeout: 15_000 },
      )
      .toEqual(['online', 'online']);

    const numbers: string[] = [];
    for (let i = 1; i <= 5; i++) {
      // An anonymous visitor: no session, no token, the public endpoint the contact page posts to.
      const response = await fetch(`${app.url}/api/contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Visitor ${i}`,
          email: `visitor${i}-${process.pid}@example.test`,
          subject: `Question ${i}`,
          message: `Question number ${i}.`,
        }),
      });
      expect(response.status, await response.clone().text()).toBe(201);
      numbers.push(((await response.json()) as Json).number);
    }

    const list = (await app.api<Json>(app.admin, 'GET', '/api/conversations?channel=ticket&limit=50')).items as Json[];
    const tickets = numbers.map((number) => list.find((c) => c.number === number)!);
    expect(tickets.map((c) => c.team)).toEqual(Array(5).fill({ id: teamId, name: 'Front desk' }));
    const assignees = tickets.map((c) => c.assignedTo);
    // Strictly in turn, whoever starts: A, B, A, B, A.
    expect(new Set(assignees)).toEqual(new Set([ada.id, bo.id]));
    for (let i = 1; i < assignees.length; i++) expect(assignees[i]).not.toBe(assignees[i - 1]);
    expect(assignees.filter((a) => a === assignees[0])).toHaveLength(3);

    for (const [agentId, page] of inboxes) {
      const mine = tickets.filter((c) => c.assignedTo === agentId).map((c) => c.id);
      for (const id of mine) await page.locator(`.row[data-conversation-id="${id}"]`).waitFor({ timeout: 10_000 });
      await expect.poll(() => page.locator('.row').count()).toBe(mine.length);
      const shown = await page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-conversation-id'))));
      expect(shown.sort((a, b) => a - b)).toEqual([...mine].sort((a, b) => a - b));
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    }
    // Still none of the other's, now that every frame has had time to reach both.
    for (const [agentId, page] of inboxes) expect(await page.locator('.row').count()).toBe(assignees.filter((a) => a === agentId).length);
  });
  it('saves capacities, a member override and the arrivals, and the rule without a team, from the forms', async () => {
    const form = card().getByRole('form', { name: 'Assignment in Front desk' });
    await form.getByRole('radio', { name: 'Balanced', exact: true }).check();
    await form.getByRole('spinbutton', { name: 'Open conversations per member' }).fill('4');
    await form.getByRole('spinbutton', { name: 'Open conversations for Ada Agent' }).fill('2');
    await form.getByRole('checkbox', { name: 'Chats the bot hands over' }).uncheck();
    await form.getByRole('button', { name: /^Save assignment/ }).click();
    await expect
      .poll(async () => (await rules()).find((r) => r.team?.id === teamId))
      .toMatchObject({
        mode: 'balanced',
        capacity: 4,
        capacities: [{ userId: ada.id, capacity: 2 }],
        arrivals: { new: true, reopened: true, handover: false },
      });

    const none = admin.getByRole('form', { name: 'Assignment without a team' });
    await none.getByRole('radio', { name: 'Round robin', exact: true }).check();
    await none.getByRole('checkbox', { name: 'New conversations' }).uncheck();
    await none.getByRole('button', { name: /^Save assignment/ }).click();
    await expect
      .poll(async () => (await rules())[0])
      .toMatchObject({ team: null, mode: 'round_robin', capacity: null, arrivals: { new: false, reopened: true, handover: true } });

    // What was saved is what the page shows after a reload.
    await admin.reload();
    const again = admin.locator(`.team-card[data-team-id="${teamId}"]`).getByRole('form', { name: 'Assignment in Front desk' });
    await again.getByRole('radio', { name: 'Balanced', exact: true }).waitFor({ timeout: 10_000 });
    expect(await again.getByRole('radio', { name: 'Balanced', exact: true }).isChecked()).toBe(true);
    expect(await again.getByRole('spinbutton', { name: 'Open conversations per member' }).inputValue()).toBe('4');
    expect(await again.getByRole('spinbutton', { name: 'Open conversations for Ada Agent' }).inputValue()).toBe('2');
    expect(await again.getByRole('spinbutton', { name: 'Open conversations for Bo Agent' }).inputValue()).toBe('');
    expect(await again.getByRole('checkbox', { name: 'Chats the bot hands over' }).isChecked()).toBe(false);
  });
});
