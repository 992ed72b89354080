import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { parsePeriod } from '../src/inbox/reports/period.js';
import { answeredByRollups, readCells, WEEK_MS } from '../src/inbox/reports/source.js';
import { insertFacts, type NewFact } from '../src/store/report-facts.js';
import { transact } from '../src/store/transaction.js';
import { type Json, ok, type Person, person, startTestApp, type TestApp } from './support/app.js';

// Local days in a time zone, as reports count them: a DST week in Europe/Berlin (from the
// rollups: each UTC hour lands in its local day), and one day boundary in America/New_York
// (rollups) against Asia/Kolkata (+05:30: the facts, since a local day there starts in the
// middle of a UTC hour). The conversations are made in 2020, far from these periods.

let app: TestApp;
let admin: Person;
let conversationId: number;

const created = (iso: string, extra: Partial<NewFact> = {}): NewFact => ({
  metric: 'created',
  at: Date.parse(iso),
  conversationId,
  originConversationId: conversationId,
  cycle: 1,
  agentId: null,
  teamId: null,
  channel: 'email',
  type: 'support',
  priority: 'normal',
  seconds: null,
  businessSeconds: null,
  messageId: null,
  ...extra,
});

beforeAll(async () => {
  app = await startTestApp({ clock: () => Date.UTC(2020, 0, 6, 12) });
  admin = await person(app, 'admin');
  conversationId = (await createConversation(app.inbox, { from: { customerEmail: 'zones@example.test' }, channel: 'email', subject: 'Zones', body: 'hi' }))
    .conversation.id;
  await transact(app.store, (tx) =>
    insertFacts(tx, app.store.dialect, [
      // Berlin: clocks go from 02:00 to 03:00 on Sunday 2026-03-29 (01:00 UTC); +01:00 before, +02:00 after.
      created('2026-03-26T22:30:00Z'), // Thu 23:30 local: before the period
      created('2026-03-26T23:30:00Z'), // Fri 27th 00:30
      created('2026-03-28T23:30:00Z'), // Sun 29th 00:30 (+01:00), though the 28th in UTC
      created('2026-03-29T00:30:00Z'), // Sun 01:30 (+01:00)
      created('2026-03-29T01:30:00Z'), // Sun 03:30 (+02:00)
      created('2026-03-29T22:30:00Z'), // Mon 30th 00:30 (+02:00), though the 29th in UTC
      created('2026-03-30T22:30:00Z'), // Tue 31st 00:30: after the period
      // New York is at -04:00 (since 2026-03-08), Kolkata at +05:30.
      created('2026-03-09T18:15:00Z', { channel: 'ticket' }), // NY 9th 14:15 | Kolkata 9th 23:45
      created('2026-03-09T18:45:00Z', { channel: 'ticket' }), // NY 9th 14:45 | Kolkata 10th 00:15 (same UTC hour as the one above)
      created('2026-03-10T03:30:00Z', { channel: 'ticket' }), // NY 9th 23:30 | Kolkata 10th 09:00
      created('2026-03-10T04:30:00Z', { channel: 'ticket' }), // NY 10th 00:30 | Kolkata 10th 10:00
    ]),
  );
});

afterAll(async () => {
  await app?.close();
});

const get = (url: string) => ok(app, admin, 'GET', url);
const emailPerBucket = (series: Json) => series.points.map((p: Json) => [p.bucket, p.values.email]);
const ticketPerBucket = (series: Json) => series.points.map((p: Json) => [p.bucket, p.values.ticket]);

describe('a DST week in Europe/Berlin, from the rollups', () => {
  const berlin = 'from=2026-03-27&to=2026-03-30&tz=Europe/Berlin&series=volume';

  it('puts each conversation in its local day', async () => {
    expect(answeredByRollups({ period: parsePeriod('2026-03-27', '2026-03-30', 'Europe/Berlin'), filters: {} }, ['created'], 'channel')).toBe(true);
    expect(emailPerBucket(await get(`/api/reports/timeseries?${berlin}`))).toEqual([
      ['2026-03-27', 1],
      ['2026-03-28', 0],
      ['2026-03-29', 3],
      ['2026-03-30', 1],
    ]);
    // The same instants in UTC days.
    expect(emailPerBucket(await get('/api/reports/timeseries?from=2026-03-27&to=2026-03-30&series=volume'))).toEqual([
      ['2026-03-27', 0],
      ['2026-03-28', 1],
      ['2026-03-29', 3],
      ['2026-03-30', 1],
    ]);
    expect((await get('/api/reports/summary?from=2026-03-27&to=2026-03-30&tz=Europe/Berlin')).created).toBe(5);
  });

  it('groups by local hour (02:00 does not exist that night) and by local week', async () => {
    const hourly = await get('/api/reports/timeseries?from=2026-03-29&to=2026-03-29&tz=Europe/Berlin&series=volume&groupBy=hour');
    const busy = emailPerBucket(hourly).filter(([, n]: [string, number]) => n > 0);
    expect(busy).toEqual([
      ['2026-03-29T00', 1],
      ['2026-03-29T01', 1],
      ['2026-03-29T03', 1],
    ]);
    const weekly = await get(`/api/reports/timeseries?${berlin}&groupBy=week`);
    expect(emailPerBucket(weekly)).toEqual([
      ['2026-03-23', 4],
      ['2026-03-30', 1],
    ]);
  });

  it('reads the same cells from the facts as from the rollups', async () => {
    const period = parsePeriod('2026-03-20', '2026-04-05', 'Europe/Berlin');
    const scope = { store: app.store, clock: 'calendar' as const, filters: {} };
    const sorted = (cells: Json[]) => [...cells].sort((a, b) => a.slot - b.slot || a.key.localeCompare(b.key));
    for (const unitMs of [3_600_000, 86_400_000]) {
      const fromRollups = await readCells({ ...scope, period }, ['created'], { groupBy: 'channel', unitMs });
      const fromFacts = await readCells({ ...scope, period: { ...period, wholeHours: false } }, ['created'], { groupBy: 'channel', unitMs });
      expect(fromRollups.length).toBeGreaterThan(0);
      expect(sorted(fromFacts)).toEqual(sorted(fromRollups));
    }
  });
});

describe('a day boundary in America/New_York and Asia/Kolkata', () => {
  it('counts New York’s 10th from the rollups', async () => {
    expect(parsePeriod('2026-03-10', '2026-03-10', 'America/New_York').wholeHours).toBe(true);
    expect((await get('/api/reports/summary?from=2026-03-10&to=2026-03-10&tz=America/New_York')).created).toBe(1);
    expect(ticketPerBucket(await get('/api/reports/timeseries?from=2026-03-09&to=2026-03-10&tz=America/New_York&series=volume'))).toEqual([
      ['2026-03-09', 3],
      ['2026-03-10', 1],
    ]);
  });

  it('counts Kolkata’s 10th from the facts, splitting a UTC hour at local midnight', async () => {
    expect(parsePeriod('2026-03-10', '2026-03-10', 'Asia/Kolkata').wholeHours).toBe(false);
    expect((await get('/api/reports/summary?from=2026-03-10&to=2026-03-10&tz=Asia/Kolkata')).created).toBe(3);
    expect(ticketPerBucket(await get('/api/reports/timeseries?from=2026-03-09&to=2026-03-10&tz=Asia/Kolkata&series=volume'))).toEqual([
      ['2026-03-09', 1],
      ['2026-03-10', 3],
    ]);
    const hourly = await get('/api/reports/timeseries?from=2026-03-10&to=2026-03-10&tz=Asia/Kolkata&series=volume&groupBy=hour');
    expect(ticketPerBucket(hourly).filter(([, n]: [string, number]) => n > 0)).toEqual([
      ['2026-03-10T00', 1],
      ['2026-03-10T09', 1],
      ['2026-03-10T10', 1],
    ]);
  });
});

describe('local days as UTC ranges', () => {
  // Zones with DST at 02:00, at midnight (Havana, Santiago: some midnights never happen),
  // half-hour offsets and a half-hour DST change (Lord Howe), and none.
  const zones = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'America/Havana',
    'America/Santiago',
    'Asia/Kolkata',
    'Asia/Tehran',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
  ];

  it('starts every day where luxon starts it, for every day of two years', () => {
    for (const tz of zones) {
      for (let day = DateTime.fromISO('2025-01-01', { zone: 'utc' }); day.year < 2027; day = day.plus({ days: 1 })) {
        const iso = day.toISODate()!;
        const period = parsePeriod(iso, iso, tz);
        const startOf = (d: DateTime) => DateTime.fromISO(d.toISODate()!, { zone: tz }).startOf('day').toMillis();
        // A day ends where the next one starts (no hour falls between two days).
        expect([tz, iso, period.from, period.to]).toEqual([tz, iso, startOf(day), startOf(day.plus({ days: 1 }))]);
      }
    }
  });

  it('splits a period where the offset changes, and says which zones the rollups answer', () => {
    const berlin = parsePeriod('2026-03-01', '2026-11-30', 'Europe/Berlin');
    expect(berlin.spans.map((span) => [new Date(span.from).toISOString(), span.offsetMs / 3_600_000])).toEqual([
      ['2026-02-28T23:00:00.000Z', 1],
      ['2026-03-29T01:00:00.000Z', 2],
      ['2026-10-25T01:00:00.000Z', 1],
    ]);
    expect(berlin.wholeHours).toBe(true);
    expect(parsePeriod('2026-01-01', '2026-12-31', 'Australia/Lord_Howe').wholeHours).toBe(false);
    expect(parsePeriod('2026-01-01', '2026-12-31', 'Asia/Tehran').wholeHours).toBe(false);
    expect(parsePeriod('2026-01-01', '2026-12-31', 'America/Havana').wholeHours).toBe(true);
  });
});

describe('the day rows and the hours that correct them', () => {
  // Migration 0035: whole UTC days come from the day rows, the hours a local day or the
  // period's edge cuts off them from the hourly rows. Whatever the zone (east and west of
  // UTC, +13 and +14, DST changes at 02:00 and at midnight), the rollups must give the cells
  // the facts give: counts, first-response bins and their sums, per local day and for the
  // whole period. Facts in Oct–Nov 2025, where no other test of this file looks.
  it('give the cells the facts give, in every whole-hour zone', { timeout: 60_000 }, async () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const start = Date.UTC(2025, 9, 1);
    const facts: NewFact[] = [];
    for (let i = 0; i < 400; i++) {
      const at = start + Math.floor(next() * 60 * 86_400_000);
      const seconds = Math.round(30 * Math.exp(next() * 8));
      const teamId = i % 3 === 0 ? null : (i % 3) + 40;
      const channel = (['email', 'ticket', 'chatbot'] as const)[i % 4 === 0 ? 1 : i % 3]!;
      facts.push(created(new Date(at).toISOString(), { teamId, channel }));
      facts.push(
        created(new Date(at).toISOString(), {
          metric: 'first_response',
          agentId: i % 5 === 0 ? admin.id + 1 : admin.id,
          teamId,
          channel,
          seconds,
          businessSeconds: Math.round(seconds / 3),
        }),
      );
    }
    await transact(app.store, (tx) => insertFacts(tx, app.store.dialect, facts));
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'America/Havana',
      'America/Santiago',
      'Pacific/Auckland',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
    ];
    const sorted = (cells: Json[]) =>
      [...cells].sort((a, b) => a.metric.localeCompare(b.metric) || a.key.localeCompare(b.key) || a.slot - b.slot || a.bin - b.bin);
    for (const tz of zones) {
      for (const [from, to] of [
        ['2025-10-03', '2025-11-20'],
        ['2025-10-26', '2025-10-26'],
        ['2025-11-01', '2025-11-03'],
      ]) {
        const period = parsePeriod(from!, to!, tz);
        expect(period.wholeHours, tz).toBe(true);
        for (const clock of ['calendar', 'business'] as const) {
          for (const unitMs of [undefined, 86_400_000, WEEK_MS]) {
            // Unfiltered; conversations created by channel for one team (the pair rows); per agent, every key.
            for (const [metrics, filters, groupBy] of [
              [['created', 'first_response'], {}, undefined],
              [['created'], { teamId: 41 }, 'channel'],
              [['first_response'], {}, 'agent'],
            ] as const) {
              const scope = { store: app.store, clock, filters };
              const fromRollups = await readCells({ ...scope, period }, metrics, { unitMs, groupBy });
              const fromFacts = await readCells({ ...scope, period: { ...period, wholeHours: false } }, metrics, { unitMs, groupBy });
              expect(answeredByRollups({ period, filters }, metrics, groupBy)).toBe(true);
              expect(sorted(fromRollups), `${tz} ${from}..${to} ${clock} ${unitMs ?? 'period'} ${metrics} ${groupBy}`).toEqual(sorted(fromFacts));
            }
          }
        }
      }
    }
  });
});
