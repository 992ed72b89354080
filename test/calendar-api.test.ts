import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateProfile } from '../src/accounts/index.js';
import { applyBusinessHoursSetting, getDefaultCalendar } from '../src/calendar/index.js';
import { loadConfig } from '../src/config.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';
import { Live } from './support/live.js';
import { makeTestStore } from './support/store.js';

// The business hours over real HTTP on the test's database: the team reads them, admins
// change them, bad input changes nothing, BUSINESS_HOURS only seeds an empty store, and the
// chat widget is online only inside them.

const PATH = '/api/settings/business-hours';
const noEnvFile = '/nonexistent/.env';
const ALL_WEEK = { timezone: 'UTC', intervals: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, from: '00:00', to: '24:00' })), holidays: [] };
const OFFICE = {
  timezone: 'Europe/Berlin',
  intervals: [1, 2, 3, 4, 5]
    .flatMap((day) => [
      { day, from: '09:00', to: '12:30' },
      { day, from: '13:30', to: '18:00' },
    ])
    .concat([{ day: 5, from: '22:00', to: '02:00' }]),
  holidays: [
    { date: '2026-12-24', yearly: false, name: 'Christmas Eve' },
    { date: '2026-12-25', yearly: true },
  ],
};

let server: TestApp;
let admin: Person;
let agent: Person;
let customer: Person;

beforeAll(async () => {
  server = await startTestApp();
  admin = await person(server, 'admin');
  agent = await person(server, 'agent');
  customer = await person(server, 'customer');
});
afterAll(async () => {
  await server?.close();
});

async function request(who: Person | null, method: 'GET' | 'PUT', body?: unknown) {
  const response = await fetch(server.http + PATH, {
    method,
    headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

describe('business hours API', () => {
  it('is always open until someone sets hours', async () => {
    expect(await request(agent, 'GET')).toEqual({
      status: 200,
      json: { calendar: { timezone: 'UTC', intervals: [], holidays: [] }, updatedAt: null, updatedBy: null },
    });
  });

  it('an admin sets them; the team reads them back', async () => {
    const put = await request(admin, 'PUT', OFFICE);
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ calendar: OFFICE, updatedBy: admin.id });
    expect(put.json.updatedAt).toBeGreaterThan(0);
    expect(await request(agent, 'GET')).toEqual({ status: 200, json: put.json });
    // A holiday's `yearly` defaults to false.
    const defaulted = await request(admin, 'PUT', { ...OFFICE, holidays: [{ date: '2026-12-31' }] });
    expect(defaulted.json.calendar.holidays).toEqual([{ date: '2026-12-31', yearly: false }]);
    expect((await request(admin, 'PUT', OFFICE)).status).toBe(200);
  });

  it('agents may not change them (403), strangers not even read them (401), customers neither (403)', async () => {
    const before = await getDefaultCalendar(server.store);
    expect((await request(agent, 'PUT', ALL_WEEK)).status).toBe(403);
    expect((await request(null, 'PUT', ALL_WEEK)).status).toBe(401);
    expect((await request(null, 'GET')).status).toBe(401);
    expect((await request(customer, 'GET')).status).toBe(403);
    expect((await request(customer, 'PUT', ALL_WEEK)).status).toBe(403);
    expect(await getDefaultCalendar(server.store)).toEqual(before);
  });

  it.each([
    [{ ...OFFICE, timezone: 'Mars/Olympus' }, 'body.timezone'],
    [{ ...OFFICE, intervals: [{ day: 1, from: '25:00', to: '26:00' }] }, 'body.intervals.0.from'],
    [
      {
        ...OFFICE,
        intervals: [
          { day: 1, from: '09:00', to: '17:00' },
          { day: 7, from: '09:00', to: '17:00' },
        ],
      },
      'body.intervals.1.day',
    ],
    [{ ...OFFICE, intervals: [{ day: 1, from: '09:00', to: '09:00' }] }, 'body.intervals.0.to'],
    [{ ...OFFICE, holidays: [{ date: '2026-02-30', yearly: false }] }, 'body.holidays.0.date'],
    [{ ...OFFICE, timezone: undefined }, 'body.timezone'],
    [{ ...OFFICE, weekends: true }, 'body.weekends'],
  ])('refuses %o with 400 naming %s, and keeps the stored hours', async (body, field) => {
    const before = await getDefaultCalendar(server.store);
    const response = await request(admin, 'PUT', body);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'validation_failed', field });
    expect(await getDefaultCalendar(server.store)).toEqual(before);
  });
});

describe('BUSINESS_HOURS at start', () => {
  it('seeds the stored hours only while none are stored', async () => {
    const store = await makeTestStore();
    try {
      const first = loadConfig({ BUSINESS_HOURS: 'Mon-Fri 09:00-17:00', BUSINESS_TIMEZONE: 'Europe/Berlin' }, noEnvFile).businessHours;
      expect(await applyBusinessHoursSetting(store, first)).toEqual([]);
      const seeded = await getDefaultCalendar(store);
      expect(seeded).toMatchObject({ calendar: first.calendar, updatedBy: null });
      // A later start with other hours changes nothing, and says so.
      const second = loadConfig({ BUSINESS_HOURS: 'Sat 10:00-14:00' }, noEnvFile).businessHours;
      expect(await applyBusinessHoursSetting(store, second)).toEqual([
        expect.stringMatching(/^Note: BUSINESS_HOURS only seeds the business hours on a first start/),
      ]);
      expect(await getDefaultCalendar(store)).toEqual(seeded);
      // The same hours again: nothing to say.
      expect(await applyBusinessHoursSetting(store, first)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('never replaces hours set through the API', async () => {
    const before = await getDefaultCalendar(server.store);
    expect(before.updatedBy).toBe(admin.id);
    const setting = loadConfig({ WIDGET_HOURS: 'Sat 10:00-14:00', BUSINESS_HOURS: 'Sun 10:00-14:00' }, noEnvFile).businessHours;
    const notes = await applyBusinessHoursSetting(server.store, setting);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/WIDGET_HOURS is ignored: BUSINESS_HOURS is set too/);
    expect(await getDefaultCalendar(server.store)).toEqual(before);
  });
});

describe('the chat widget', () => {
  const online = async () => ((await (await fetch(`${server.http}/api/widget/config`)).json()) as { online: boolean }).online;

  it('is online inside the stored hours and offline outside them, at once after a change', async () => {
    const socket = await Live.as(agent, server);
    try {
      expect((await request(admin, 'PUT', ALL_WEEK)).status).toBe(200);
      expect(await online()).toBe(true);
      // Every day open, but today (UTC) a holiday: closed now by construction.
      const today = new Date().toISOString().slice(0, 10);
      expect((await request(admin, 'PUT', { ...ALL_WEEK, holidays: [{ date: today, yearly: false }] })).status).toBe(200);
      expect(await online()).toBe(false);
      expect((await request(admin, 'PUT', ALL_WEEK)).status).toBe(200);
      expect(await online()).toBe(true);
    } finally {
      await socket.close();
    }
    // Nobody of the team online (the agent, whose grace after closing has not passed, says so by hand): offline even inside the hours.
    await updateProfile(server.accounts, agent.id, { availability: 'offline' });
    expect(await online()).toBe(false);
  });
});
