import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignConversation } from '../src/inbox/commands.js';
import { recordDeliveries } from '../src/store/notification-deliveries.js';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// Notification preferences (issue 18): each team member's matrix over the team's defaults,
// the admins' team settings and mail switches, the delivery log — and what derive writes
// once the preferences say where a kind goes.

let server: TestApp;
let admin: Person;
let ann: Person;
let bob: Person;
let customer: Person;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role) => newPerson(server, role);
const prefs = (who: Person) => ok(who, 'GET', '/api/me/notification-preferences');
const putPrefs = (who: Person, body: unknown) => ok(who, 'PUT', '/api/me/notification-preferences', body);
const unreadCount = async (who: Person) => (await ok(who, 'GET', '/api/notifications/count')).unreadCount as number;
const listed = async (who: Person, conversationId: number) =>
  ((await ok(who, 'GET', '/api/notifications')).items as Json[]).filter((i) => i.conversation.id === conversationId);
/** The rows about a conversation's customer replies, silent or not, straight from the table. */
const repliesRows = (userId: number, conversationId: number) =>
  server.store.db
    .selectFrom('notifications')
    .select(['kind', 'silent', 'count'])
    .where('userId', '=', userId)
    .where('conversationId', '=', conversationId)
    .where('kind', '=', 'customer_replied')
    .execute();

/** A customer's conversation assigned to `who` by the admin, everything read. */
async function assignedTo(who: Person) {
  const c = (await ok(customer, 'POST', '/api/conversations', { subject: `Question ${++n}`, body: 'Hello' })).conversation as Json;
  await assignConversation(server.inbox, { conversation: c.id, assigneeId: who.id, by: { userId: admin.id } });
  await ok(who, 'POST', '/api/notifications/read', { all: true });
  return c;
}
const customerReply = (id: number) => ok(customer, 'POST', `/api/conversations/${id}/messages`, { body: 'Any news?' });

beforeAll(async () => {
  server = await startTestApp();
  admin = await person('admin');
  ann = await person('agent');
  bob = await person('agent');
  customer = await person('customer');
});
afterAll(() => server?.close());

describe('notification preferences', () => {
  it('reads the team defaults before anything is saved, with a label and description per kind', async () => {
    const p = await prefs(bob);
    expect(p.kinds.map((k: Json) => k.kind)).toEqual(['assigned', 'customer_replied', 'unassigned_activity', 'mentioned', 'participating', 'csat_low_rating']);
    expect(p.kinds.every((k: Json) => k.label && k.description)).toBe(true);
    expect(p.matrix).toEqual(p.defaults);
    expect(p.overrides).toEqual({});
    expect(p).toMatchObject({ ownDigest: null, mailAllowed: true, mailDisabledByAdmin: false, teamMailEnabled: true });
  });

  it('saves a partial matrix over the defaults, keeps only the differences, and merges later changes', async () => {
    const defaults = (await prefs(ann)).defaults;
    const saved = await putPrefs(ann, { matrix: { mentioned: { email: 'digest' }, participating: { inApp: true, desktop: true } } });
    expect(saved.matrix.mentioned).toEqual({ ...defaults.mentioned, email: 'digest' });
    expect(saved.matrix.participating).toEqual({ ...defaults.participating, desktop: true });
    // participating.inApp is already the default: not stored.
    expect(saved.overrides).toEqual({ mentioned: { email: 'digest' }, participating: { desktop: true } });
    // A second PUT changes its cells and keeps the others.
    const again = await putPrefs(ann, { matrix: { assigned: { desktop: false } } });
    expect(again.overrides).toEqual({ mentioned: { email: 'digest' }, participating: { desktop: true }, assigned: { desktop: false } });
    // Setting a cell back to the default removes the override.
    const back = await putPrefs(ann, { matrix: { assigned: { desktop: defaults.assigned.desktop } } });
    expect(back.overrides.assigned).toBeUndefined();
    expect(await prefs(ann)).toEqual(back);
  });

  it('a change of the team defaults shows through for the cells the user did not override', async () => {
    await putPrefs(bob, { matrix: { unassigned_activity: { desktop: false } } });
    const settings = await ok(admin, 'PUT', '/api/notification-settings', { defaults: { unassigned_activity: { email: 'digest', desktop: true } } });
    expect(settings.defaults.unassigned_activity).toMatchObject({ email: 'digest', desktop: true });
    const p = await prefs(bob);
    expect(p.matrix.unassigned_activity).toMatchObject({ email: 'digest', desktop: false });
    expect(p.defaults.unassigned_activity).toMatchObject({ email: 'digest', desktop: true });
    await ok(admin, 'PUT', '/api/notification-settings', { defaults: { unassigned_activity: { email: 'off' } } });
  });

  it('keeps an own digest schedule, and null goes back to the team’s', async () => {
    const own = { every: 'daily', at: '08:30', timeZone: 'Europe/Berlin' };
    const p = await putPrefs(ann, { digest: own });
    expect(p).toMatchObject({ ownDigest: own, digest: own });
    // Absent: unchanged.
    expect((await putPrefs(ann, { matrix: {} })).ownDigest).toEqual(own);
    const team = await putPrefs(ann, { digest: null });
    expect(team.ownDigest).toBeNull();
    expect(team.digest).toEqual((await ok(admin, 'GET', '/api/notification-settings')).digest);
  });

  it('refuses an unknown time zone, a bad time, an unknown kind or mode with 400', async () => {
    for (const body of [
      { digest: { every: 'daily', at: '09:00', timeZone: 'Mars/Olympus' } },
      { digest: { every: 'daily', at: '25:00', timeZone: 'UTC' } },
      { digest: { every: 'weekly', at: '09:00', timeZone: 'UTC' } },
      { matrix: { birthdays: { inApp: true } } },
      { matrix: { mentioned: { email: 'sometimes' } } },
    ]) {
      const response = await call(ann, 'PUT', '/api/me/notification-preferences', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    const settings = await call(admin, 'PUT', '/api/notification-settings', { digest: { every: 'daily', at: '9am', timeZone: 'UTC' } });
    expect(settings.status).toBe(400);
    expect((await call(admin, 'PUT', '/api/notification-settings', { mailDelaySeconds: -1 })).status).toBe(400);
  });

  it('admin switches: mail off for a person, or for everyone, make mailAllowed false', async () => {
    await ok(admin, 'PUT', `/api/users/${bob.id}/notification-mail`, { disabled: true });
    expect(await prefs(bob)).toMatchObject({ mailAllowed: false, mailDisabledByAdmin: true, teamMailEnabled: true });
    expect((await ok(admin, 'GET', '/api/notification-settings')).mailDisabledFor).toEqual([bob.id]);
    // The person's own saves keep the admin's switch.
    await putPrefs(bob, { matrix: { mentioned: { email: 'immediate' } } });
    expect((await prefs(bob)).mailDisabledByAdmin).toBe(true);
    await ok(admin, 'PUT', `/api/users/${bob.id}/notification-mail`, { disabled: false });
    expect((await prefs(bob)).mailAllowed).toBe(true);

    await ok(admin, 'PUT', '/api/notification-settings', { mailEnabled: false });
    expect(await prefs(ann)).toMatchObject({ mailAllowed: false, mailDisabledByAdmin: false, teamMailEnabled: false });
    await ok(admin, 'PUT', '/api/notification-settings', { mailEnabled: true });
    expect((await prefs(ann)).mailAllowed).toBe(true);

    expect((await call(admin, 'PUT', '/api/users/999999/notification-mail', { disabled: true })).status).toBe(404);
    expect((await call(admin, 'PUT', `/api/users/${customer.id}/notification-mail`, { disabled: true })).status).toBe(404);
  });

  it('team settings and mail switches are the admins’: an agent gets 403', async () => {
    expect((await call(ann, 'GET', '/api/notification-settings')).status).toBe(403);
    expect((await call(ann, 'PUT', '/api/notification-settings', { pushPreviews: true })).status).toBe(403);
    expect((await call(ann, 'PUT', `/api/users/${bob.id}/notification-mail`, { disabled: true })).status).toBe(403);
    expect((await ok(admin, 'GET', '/api/notification-settings')).pushPreviews).toBe(false);
    expect((await prefs(bob)).mailDisabledByAdmin).toBe(false);
  });

  it('deliveries: one’s own; someone else’s for an admin only; keyset pages', async () => {
    // Deliveries are written by the mail and push planners; here three are recorded for a
    // new agent, about a conversation that came before them (so nothing else is planned for them).
    const c = await assignedTo(ann);
    const gil = await person('agent');
    const ids = await server.store.db.transaction().execute((tx) =>
      recordDeliveries(
        tx,
        [1, 2, 3].map((i) => ({
          userId: gil.id,
          notificationId: null,
          conversationId: c.id,
          channel: 'email' as const,
          status: i === 3 ? ('skipped' as const) : ('sent' as const),
          reason: i === 3 ? ('read' as const) : null,
          target: gil.email,
        })),
        Date.now(),
      ),
    );
    const first = await ok(gil, 'GET', '/api/me/notification-deliveries?limit=2');
    expect(first.items.map((d: Json) => d.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).toMatchObject({
      channel: 'email',
      status: 'skipped',
      reason: 'read',
      target: gil.email,
      conversation: { id: c.id, number: c.number },
    });
    const second = await ok(gil, 'GET', `/api/me/notification-deliveries?limit=2&before=${first.nextBefore}`);
    expect(second.items.map((d: Json) => d.id)).toEqual([ids[0]]);
    expect(second.nextBefore).toBeNull();

    expect((await call(bob, 'GET', `/api/users/${gil.id}/notification-deliveries`)).status).toBe(403);
    expect((await ok(admin, 'GET', `/api/users/${gil.id}/notification-deliveries`)).items).toHaveLength(3);
    expect((await ok(gil, 'GET', `/api/users/${gil.id}/notification-deliveries`)).items).toHaveLength(3);
    expect((await call(admin, 'GET', '/api/users/999999/notification-deliveries')).status).toBe(404);
  });

  it('a customer gets 403 everywhere', async () => {
    for (const [method, url, body] of [
      ['GET', '/api/me/notification-preferences'],
      ['PUT', '/api/me/notification-preferences', { matrix: {} }],
      ['GET', '/api/notification-settings'],
      ['PUT', '/api/notification-settings', { mailEnabled: false }],
      ['PUT', `/api/users/${customer.id}/notification-mail`, { disabled: true }],
      ['GET', '/api/me/notification-deliveries'],
      ['GET', `/api/users/${customer.id}/notification-deliveries`],
      ['GET', `/api/users/${ann.id}/notification-deliveries`],
    ] as [Method, string, unknown?][]) {
      expect((await call(customer, method, url, body)).status, `${method} ${url}`).toBe(403);
    }
    expect((await call(null, 'GET', '/api/me/notification-preferences')).status).toBe(401);
  });
});

describe('preferences decide what derive writes', () => {
  it('in-app off: the notification is written silent, neither listed nor counted', async () => {
    const dana = await person('agent');
    await putPrefs(dana, { matrix: { customer_replied: { inApp: false, email: 'immediate' } } });
    const c = await assignedTo(dana);
    await customerReply(c.id);
    expect(await repliesRows(dana.id, c.id)).toEqual([{ kind: 'customer_replied', silent: 1, count: 1 }]);
    expect((await listed(dana, c.id)).map((i) => i.kind)).not.toContain('customer_replied');
    expect(await unreadCount(dana)).toBe(0);
    // A second reply folds into the silent row; the bell stays at 0.
    await customerReply(c.id);
    expect((await repliesRows(dana.id, c.id))[0]).toMatchObject({ silent: 1, count: 2 });
    expect(await unreadCount(dana)).toBe(0);
    await ok(dana, 'POST', '/api/notifications/read', { all: true });
    expect(await unreadCount(dana)).toBe(0);
  });

  it('all three off: no row at all; an admin’s mail switch counts as email off', async () => {
    const eve = await person('agent');
    await putPrefs(eve, { matrix: { customer_replied: { inApp: false, email: 'off', desktop: false } } });
    const c = await assignedTo(eve);
    await customerReply(c.id);
    expect(await repliesRows(eve.id, c.id)).toEqual([]);

    const finn = await person('agent');
    await putPrefs(finn, { matrix: { customer_replied: { inApp: false, email: 'immediate', desktop: false } } });
    await ok(admin, 'PUT', `/api/users/${finn.id}/notification-mail`, { disabled: true });
    const d = await assignedTo(finn);
    await customerReply(d.id);
    expect(await repliesRows(finn.id, d.id)).toEqual([]);
    expect(await unreadCount(finn)).toBe(0);
  });
});
