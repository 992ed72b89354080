import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, parseBusinessHours, setDefaultCalendar } from '../src/calendar/index.js';
import { AVAILABILITY_GRACE_MS, effectiveAvailability } from '../src/inbox/availability.js';
import { call, type Method, startTestApp, type TestApp } from './support/app.js';
import { Live, type Person, person } from './support/live.js';

// Issue 16, availability: a team member is online while an inbox socket of theirs is open
// and for a grace after the last one closes, unless they chose busy or offline by hand; the
// state is in the users' rows, and the chat widget's "online" is read from there. The
// accounts' clock is injected, so the grace passes without waiting for it.

const START = Date.parse('2026-12-07T10:00:00Z');
const HOUR = 60 * 60_000;
let now = START;
let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({ accountsClock: () => now });
});
afterAll(async () => {
  await server?.close();
});
// Whoever an earlier test left seen is past their grace in the next.
beforeEach(() => {
  now += HOUR;
});

const api = (who: Person | null, method: Method, path: string, body?: unknown) => call(server, who, method, path, body);

async function availabilityOf(member: Person, asker: Person = member): Promise<string> {
  const team = await api(asker, 'GET', '/api/users');
  expect(team.status).toBe(200);
  return team.body!.items.find((user: { id: number }) => user.id === member.id).availability;
}

const widgetOnline = async (): Promise<boolean> => (await api(null, 'GET', '/api/widget/config')).body!.online;

describe('effectiveAvailability', () => {
  const seen = START;
  it('is online within the grace of the last socket, offline after it', () => {
    expect(effectiveAvailability({ availabilityChoice: null, lastSeenAt: seen }, seen)).toBe('online');
    expect(effectiveAvailability({ availabilityChoice: null, lastSeenAt: seen }, seen + AVAILABILITY_GRACE_MS)).toBe('online');
    expect(effectiveAvailability({ availabilityChoice: null, lastSeenAt: seen }, seen + AVAILABILITY_GRACE_MS + 1)).toBe('offline');
    expect(effectiveAvailability({ availabilityChoice: null, lastSeenAt: null }, seen)).toBe('offline');
  });

  it('gives the manual choice, whatever the sockets say', () => {
    expect(effectiveAvailability({ availabilityChoice: 'busy', lastSeenAt: seen }, seen)).toBe('busy');
    expect(effectiveAvailability({ availabilityChoice: 'offline', lastSeenAt: seen }, seen)).toBe('offline');
    expect(effectiveAvailability({ availabilityChoice: 'busy', lastSeenAt: null }, seen)).toBe('busy');
  });
});

describe('a team member’s availability', () => {
  it('is online while an inbox socket is open, and until the grace has passed after the last one closed', async () => {
    const agent = await person(server, 'agent');
    const colleague = await person(server, 'agent');
    expect(await availabilityOf(agent, colleague)).toBe('offline');

    const first = await Live.as(agent, server);
    const second = await Live.as(agent, server);
    expect(await availabilityOf(agent, colleague)).toBe('online');
    expect((await api(agent, 'GET', '/api/auth/me')).body!.user).toMatchObject({ availability: 'online', availabilityChoice: 'auto' });

    // The last socket's closing starts the grace, not the first's.
    now += 60_000;
    await first.close();
    now += 60_000;
    expect(await availabilityOf(agent, colleague)).toBe('online');
    now += 60_000;
    await second.close();
    // The server has seen it close once its hub let the socket go.
    await expect.poll(() => server.composition.hub.clientCount).toBe(0);
    // Closed at `closedAt`: online through the grace, which the opening's time alone would not give.
    const closedAt = now;
    now = closedAt + AVAILABILITY_GRACE_MS - 1000;
    // The closing's write follows it (recorded as of the closing's moment).
    await expect.poll(() => availabilityOf(agent, colleague)).toBe('online');
    now = closedAt + AVAILABILITY_GRACE_MS + 1;
    expect(await availabilityOf(agent, colleague)).toBe('offline');
  });

  it('is the manual choice while one is set; auto goes back to the sockets', async () => {
    const agent = await person(server, 'agent');
    const socket = await Live.as(agent, server);
    try {
      expect(await availabilityOf(agent)).toBe('online');
      const busy = await api(agent, 'PATCH', '/api/auth/me', { availability: 'busy' });
      expect(busy.status).toBe(200);
      expect(busy.body!.user).toMatchObject({ availability: 'busy', availabilityChoice: 'busy' });
      expect(await availabilityOf(agent)).toBe('busy');
      expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'offline' })).body!.user.availability).toBe('offline');
      expect(await availabilityOf(agent)).toBe('offline');
      // `online` by hand is the automatic state: online because the inbox is open.
      expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'online' })).body!.user).toMatchObject({
        availability: 'online',
        availabilityChoice: 'auto',
      });
      expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'busy' })).status).toBe(200);
      expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'auto' })).body!.user.availability).toBe('online');
    } finally {
      await socket.close();
    }
    // The choice is stored, not remembered by this server.
    expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'busy' })).status).toBe(200);
    now += HOUR;
    expect(await availabilityOf(agent)).toBe('busy');
  });

  it('is refused to customers, and to values it does not know', async () => {
    const customer = await person(server, 'customer');
    const agent = await person(server, 'agent');
    expect((await api(customer, 'PATCH', '/api/auth/me', { availability: 'busy' })).status).toBe(403);
    expect((await api(customer, 'GET', '/api/auth/me')).body!.user.availability).toBeUndefined();
    expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'away' })).status).toBe(400);
    expect((await api(null, 'PATCH', '/api/auth/me', { availability: 'busy' })).status).toBe(401);
  });
});

describe('the chat widget', () => {
  it('is online only while some team member is online (busy does not count) and within the business hours', async () => {
    const agent = await person(server, 'agent');
    const admin = await person(server, 'admin');
    expect(await widgetOnline()).toBe(false);

    const socket = await Live.as(agent, server);
    try {
      expect(await widgetOnline()).toBe(true);
      expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'busy' })).status).toBe(200);
      expect(await widgetOnline()).toBe(false);
      expect((await api(agent, 'PATCH', '/api/auth/me', { availability: 'auto' })).status).toBe(200);
      expect(await widgetOnline()).toBe(true);

      // Open every day but today (UTC): closed now, whoever is online.
      const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
      const today = new Date().getUTCDay();
      const others = days
        .filter((_, i) => i !== today)
        .map((day) => `${day} 00:00-24:00`)
        .join(', ');
      const by = { id: admin.id, role: 'admin' as const, emailVerifiedAt: null };
      await setDefaultCalendar(server.store, parseBusinessHours(others), by);
      try {
        expect(await widgetOnline()).toBe(false);
      } finally {
        await setDefaultCalendar(server.store, ALWAYS_OPEN, by);
      }
      expect(await widgetOnline()).toBe(true);
    } finally {
      await socket.close();
    }
    await expect.poll(() => server.composition.hub.clientCount).toBe(0);
    // Within the grace the team still counts as online; after it, not.
    const closedAt = now;
    now = closedAt + AVAILABILITY_GRACE_MS + 1;
    expect(await widgetOnline()).toBe(false);
  });
});
