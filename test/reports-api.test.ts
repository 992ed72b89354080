import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, createTeam } from '../src/inbox/commands.js';
import { binOf, binValue } from '../src/inbox/reports/metrics.js';
import { insertSurvey, saveAnswer } from '../src/store/csat.js';
import { insertFacts, type NewFact } from '../src/store/report-facts.js';
import type { Channel } from '../src/store/schema.js';
import { transact } from '../src/store/transaction.js';
import { call, type Json, ok, type Person, person, startTestApp, type TestApp } from './support/app.js';

// The reports API (issue 19) over facts seeded through the write path's own store function
// (insertFacts: facts and rollups in one transaction). Expected figures are worked out by
// hand below: a median is the nearest-rank value's histogram bin (binValue ∘ binOf).
// The conversations themselves are made in January 2020 (the app's clock), far from every
// period asked about, so facts the commands write for them never mix with these.

const at = (day: number, hour: number, minute = 0, second = 0) => Date.UTC(2025, 5, day, hour, minute, second);
const bin = (seconds: number) => binValue(binOf(seconds));
const WEEK = 'from=2025-06-02&to=2025-06-08';

let app: TestApp;
let admin: Person;
let ada: Person;
let bo: Person;
let customer: Person;
let teamId: number;
const conv: Record<'c1' | 'c2' | 'c3', { id: number; channel: Channel; teamId: number | null }> = {} as never;

type Extra = Partial<Pick<NewFact, 'agentId' | 'seconds' | 'businessSeconds'>>;
function fact(metric: string, which: keyof typeof conv, when: number, extra: Extra = {}): NewFact {
  const c = conv[which];
  return {
    metric,
    at: when,
    conversationId: c.id,
    originConversationId: c.id,
    cycle: 1,
    agentId: extra.agentId ?? null,
    teamId: c.teamId,
    channel: c.channel,
    type: 'support',
    priority: 'normal',
    seconds: extra.seconds ?? null,
    businessSeconds: extra.businessSeconds ?? null,
    messageId: null,
  };
}

beforeAll(async () => {
  app = await startTestApp({ clock: () => Date.UTC(2020, 0, 6, 12) });
  admin = await person(app, 'admin', 'Ann Admin');
  ada = await person(app, 'agent', 'Ada Agent');
  bo = await person(app, 'agent', 'Bo Agent');
  customer = await person(app, 'customer');
  teamId = (await createTeam(app.inbox, { name: 'Billing', memberIds: [ada.id], by: { userId: admin.id } })).id;
  const open = async (channel: Channel, subject: string) =>
    (await createConversation(app.inbox, { from: { customerEmail: `c-${subject.length}-${channel}@example.test` }, channel, subject, body: 'hello' }))
      .conversation.id;
  conv.c1 = { id: await open('email', 'Refund, "urgent"'), channel: 'email', teamId };
  conv.c2 = { id: await open('chatbot', 'Opening hours'), channel: 'chatbot', teamId: null };
  conv.c3 = { id: await open('ticket', '=HYPERLINK("http://example.test")'), channel: 'ticket', teamId };

  const A = { agentId: ada.id };
  const B = { agentId: bo.id };
  await transact(app.store, (tx) =>
    insertFacts(tx, app.store.dialect, [
      fact('created', 'c1', at(2, 9)),
      fact('created', 'c2', at(3, 10)),
      fact('created', 'c3', at(3, 23, 59, 59)),
      // Either side of the week: not in it.
      fact('created', 'c3', at(1, 23, 59, 59)),
      fact('created', 'c1', at(9, 0)),
      fact('first_response', 'c1', at(2, 9, 10), { ...A, seconds: 600, businessSeconds: 300 }),
      fact('first_response', 'c2', at(3, 10, 20), { ...B, seconds: 1200, businessSeconds: 1200 }),
      fact('first_response', 'c3', at(4, 8), { ...A, seconds: 3600, businessSeconds: 90 }),
      fact('reply_time', 'c1', at(5, 12), { ...B, seconds: 300, businessSeconds: 300 }),
      fact('resolved', 'c1', at(6, 10), { ...A, seconds: 349_200, businessSeconds: 30_000 }),
      fact('resolved', 'c2', at(7, 9), { ...B, seconds: 7200, businessSeconds: 0 }),
      fact('message_in', 'c1', at(2, 9)),
      fact('message_in', 'c1', at(5, 11, 55)),
      fact('message_in', 'c2', at(3, 10)),
      fact('message_in', 'c3', at(3, 23, 59, 59)),
      fact('message_out', 'c1', at(2, 9, 10), A),
      fact('message_out', 'c1', at(2, 9, 30), A),
      fact('message_out', 'c1', at(5, 12), B),
      fact('message_out', 'c2', at(3, 10, 20), B),
      fact('message_out', 'c3', at(4, 8), A),
      // Each agent's first public reply in a cycle (the per-agent table's "handled").
      fact('handled', 'c1', at(2, 9, 10), A),
      fact('handled', 'c1', at(5, 12), B),
      fact('handled', 'c2', at(3, 10, 20), B),
      fact('handled', 'c3', at(4, 8), A),
      fact('note', 'c1', at(2, 9, 5), A),
      fact('reopened', 'c1', at(6, 12)),
      fact('bot_handover', 'c2', at(3, 10, 5)),
    ]),
  );
  // CSAT surveys through the surveys' own store functions: four sent in the week (one
  // unanswered), one after it.
  const surveys: [keyof typeof conv, number | null, number, number | null][] = [
    ['c1', ada.id, at(6, 10, 10), 5],
    ['c2', bo.id, at(7, 9, 10), 2],
    ['c3', ada.id, at(4, 9), 4],
    ['c1', ada.id, at(8, 23), null],
    ['c1', ada.id, at(9, 1), 1],
  ];
  await transact(app.store, async (tx) => {
    for (const [i, [which, agentId, sentAt, rating]] of surveys.entries()) {
      const c = conv[which];
      const row = await insertSurvey(tx, {
        tokenHash: `token-${i}`,
        conversationId: c.id,
        resolvedEventId: 1000 + i,
        customerId: customer.id,
        agentId,
        teamId: c.teamId,
        channel: c.channel,
        sentVia: 'email',
        sentAt,
        expiresAt: sentAt + 14 * 86_400_000,
        updatedAt: sentAt,
      });
      if (rating !== null) await saveAnswer(tx, Number(row.id), { rating, comment: null, history: '[]', at: sentAt + 60_000 });
    }
  });
});

afterAll(async () => {
  await app?.close();
});

const get = (url: string, who: Person = admin) => ok(app, who, 'GET', url);

/** A CSV download as its header and rows (RFC 4180, as a spreadsheet reads it). */
async function csv(url: string, who: Person = admin): Promise<{ headers: Record<string, unknown>; header: string[]; rows: string[][] }> {
  const response = await app.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${who.token}` } });
  expect(response.statusCode, response.body).toBe(200);
  const lines = parseCsv(response.body);
  return { headers: response.headers, header: lines[0]!, rows: lines.slice(1) };
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

/** The JSON's figures by CSV column name: nested names joined by `_`, a distribution's entries as _1.._5. */
function flatten(value: Json, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, inner] of Object.entries(value)) {
    const key = name === 'distribution' ? prefix.slice(0, -1) : `${prefix}${name}`;
    if (Array.isArray(inner)) {
      for (const [i, n] of inner.entries()) out[`${key}_${i + 1}`] = String(n);
    } else if (inner !== null && typeof inner === 'object') Object.assign(out, flatten(inner, `${key}_`));
    else out[key] = inner === null ? '' : String(inner);
  }
  return out;
}

/** Every CSV row equals its JSON row, column for column, and no column is missing or extra. */
function expectCsvEqualsJson(table: { header: string[]; rows: string[][] }, json: Json[]) {
  expect(table.rows).toHaveLength(json.length);
  json.forEach((item, i) => {
    const flat = flatten(item);
    expect([...table.header].sort()).toEqual(Object.keys(flat).sort());
    expect(Object.fromEntries(table.header.map((column, c) => [column, table.rows[i]![c]]))).toEqual(flat);
  });
}

describe('summary', () => {
  it('counts the week’s facts and measures durations from the histogram', async () => {
    const summary = await get(`/api/reports/summary?${WEEK}`);
    expect(summary).toEqual({
      from: '2025-06-02',
      to: '2025-06-08',
      tz: 'UTC',
      business: false,
      created: 3,
      reopened: 1,
      resolved: 2,
      botResolved: 0,
      botHandovers: 1,
      messagesIn: 4,
      messagesOut: 5,
      notes: 1,
      // 600, 1200, 3600: the median is the 2nd (1200), p90 the 3rd.
      firstResponse: { count: 3, median: bin(1200), p90: bin(3600), average: 1800 },
      replyTime: { count: 1, median: bin(300), p90: bin(300), average: 300 },
      // 7200, 349200.
      resolution: { count: 2, median: bin(7200), p90: bin(349_200), average: 178_200 },
      // Sent in the week: 5, 2, 4 and one unanswered (the 1 came after it).
      csat: { sent: 4, responses: 3, responseRate: 0.75, score: 2 / 3, average: 11 / 3, distribution: [0, 1, 0, 1, 1] },
    });
  });

  it('answers business time with businessHours=1', async () => {
    const summary = await get(`/api/reports/summary?${WEEK}&businessHours=1`);
    expect(summary.business).toBe(true);
    // 300, 1200, 90 → 90, 300, 1200.
    expect(summary.firstResponse).toEqual({ count: 3, median: bin(300), p90: bin(1200), average: 530 });
    // 30000, 0 → 0, 30000.
    expect(summary.resolution).toEqual({ count: 2, median: bin(0), p90: bin(30_000), average: 15_000 });
    expect(summary.created).toBe(3);
  });

  it('filters by one dimension from the rollups and by two from the facts, alike', async () => {
    const team = await get(`/api/reports/summary?${WEEK}&team=${teamId}`);
    expect([team.created, team.firstResponse.count, team.firstResponse.median, team.messagesOut]).toEqual([2, 2, bin(600), 4]);
    const teamEmail = await get(`/api/reports/summary?${WEEK}&team=${teamId}&channel=email`);
    expect([teamEmail.created, teamEmail.firstResponse.count, teamEmail.firstResponse.median, teamEmail.messagesOut]).toEqual([1, 1, bin(600), 3]);
    const chat = await get(`/api/reports/summary?${WEEK}&channel=chatbot`);
    expect([chat.created, chat.botHandovers, chat.resolution.median]).toEqual([1, 1, bin(7200)]);
    const adas = await get(`/api/reports/summary?${WEEK}&agent=${ada.id}`);
    expect([adas.messagesOut, adas.notes, adas.firstResponse.count, adas.resolution.count]).toEqual([3, 1, 2, 1]);
  });

  it('streams the same figures as CSV, business hours honoured', async () => {
    for (const business of ['', '&businessHours=1']) {
      const json = await get(`/api/reports/summary?${WEEK}${business}`);
      const table = await csv(`/api/reports/summary?${WEEK}${business}&format=csv`);
      expectCsvEqualsJson(table, [json]);
      expect(table.headers['content-type']).toMatch(/^text\/csv/);
      expect(table.headers['content-disposition']).toBe('attachment; filename="onethread-summary-2025-06-02-2025-06-08.csv"');
    }
  });
});

describe('timeseries', () => {
  it('counts conversations created per channel and day, every day present', async () => {
    const series = await get(`/api/reports/timeseries?${WEEK}&series=volume`);
    expect(series.groupBy).toBe('day');
    const zero = { ticket: 0, chatbot: 0, email: 0 };
    expect(series.points).toEqual([
      { bucket: '2025-06-02', values: { ...zero, email: 1 } },
      { bucket: '2025-06-03', values: { ...zero, chatbot: 1, ticket: 1 } },
      ...['04', '05', '06', '07', '08'].map((d) => ({ bucket: `2025-06-${d}`, values: zero })),
    ]);
    const weekly = await get(`/api/reports/timeseries?${WEEK}&series=volume&groupBy=week`);
    expect(weekly.points).toEqual([{ bucket: '2025-06-02', values: { ticket: 1, chatbot: 1, email: 1 } }]);
  });

  it('gives each day its first-response median, null where nothing was measured', async () => {
    const series = await get(`/api/reports/timeseries?from=2025-06-02&to=2025-06-05&series=first_response`);
    expect(series.points).toEqual([
      { bucket: '2025-06-02', values: { median: bin(600), p90: bin(600), count: 1 } },
      { bucket: '2025-06-03', values: { median: bin(1200), p90: bin(1200), count: 1 } },
      { bucket: '2025-06-04', values: { median: bin(3600), p90: bin(3600), count: 1 } },
      { bucket: '2025-06-05', values: { median: null, p90: null, count: 0 } },
    ]);
    const business = await get(`/api/reports/timeseries?from=2025-06-04&to=2025-06-04&series=first_response&businessHours=1`);
    expect(business.points[0].values.median).toBe(bin(90));
  });

  it('maps customer messages to weekday × hour for the heatmap', async () => {
    const series = await get(`/api/reports/timeseries?${WEEK}&series=inbound_heatmap`);
    expect(series.points).toHaveLength(168);
    const hot = series.points.filter((p: Json) => p.values.count > 0).map((p: Json) => [p.bucket, p.values.count]);
    // Mon 09:00, Tue 10:00, Tue 23:59, Thu 11:55.
    expect(hot).toEqual([
      ['1-9', 1],
      ['2-10', 1],
      ['2-23', 1],
      ['4-11', 1],
    ]);
  });

  it('streams a series as CSV with the JSON’s buckets and values', async () => {
    const json = await get(`/api/reports/timeseries?${WEEK}&series=first_response`);
    const table = await csv(`/api/reports/timeseries?${WEEK}&series=first_response&format=csv`);
    expectCsvEqualsJson(
      table,
      json.points.map((p: Json) => ({ bucket: p.bucket, ...p.values })),
    );
  });
});

describe('breakdowns', () => {
  it('has a row per agent: conversations replied to, replies, durations', async () => {
    const { rows } = await get(`/api/reports/agents?${WEEK}`);
    const byName = Object.fromEntries(rows.map((row: Json) => [row.name, row]));
    expect(Object.keys(byName).sort()).toEqual(['Ada Agent', 'Ann Admin', 'Bo Agent']);
    expect(byName['Ada Agent']).toMatchObject({
      key: String(ada.id),
      handled: 2,
      replies: 3,
      firstResponse: { count: 2, median: bin(600), p90: bin(3600), average: 2100 },
      replyTime: { count: 0, median: null },
      resolved: 1,
      resolution: { count: 1, median: bin(349_200) },
    });
    expect(byName['Bo Agent']).toMatchObject({ handled: 2, replies: 2, firstResponse: { count: 1, median: bin(1200) }, replyTime: { count: 1 }, resolved: 1 });
    expect(byName['Ann Admin']).toMatchObject({ handled: 0, replies: 0, resolved: 0, csat: { sent: 0, score: null } });
    expect(byName['Ada Agent'].csat).toEqual({ sent: 3, responses: 2, responseRate: 2 / 3, score: 1, average: 4.5, distribution: [0, 0, 0, 1, 1] });
    expect(byName['Bo Agent'].csat).toEqual({ sent: 1, responses: 1, responseRate: 1, score: 0, average: 2, distribution: [0, 1, 0, 0, 0] });
  });

  it('has a row per team and per channel', async () => {
    const teams = await get(`/api/reports/teams?${WEEK}`);
    expect(teams.rows).toHaveLength(1);
    expect(teams.rows[0]).toMatchObject({ key: String(teamId), name: 'Billing', handled: 2, replies: 4, resolved: 1 });
    const channels = await get(`/api/reports/channels?${WEEK}`);
    expect(channels.rows.map((row: Json) => [row.key, row.handled, row.replies, row.resolved, row.csat.sent, row.csat.responses])).toEqual([
      ['ticket', 1, 1, 0, 1, 1],
      ['chatbot', 1, 1, 1, 1, 1],
      ['email', 1, 3, 1, 2, 1],
    ]);
    const filtered = await get(`/api/reports/summary?${WEEK}&team=${teamId}&channel=email`);
    expect(filtered.csat).toMatchObject({ sent: 2, responses: 1, score: 1, average: 5 });
  });

  it('breaks one team down by agent from the facts', async () => {
    const { rows } = await get(`/api/reports/agents?${WEEK}&team=${teamId}`);
    expect(rows.map((row: Json) => [row.name, row.handled, row.replies, row.firstResponse.count])).toEqual([
      ['Ada Agent', 2, 3, 2],
      ['Bo Agent', 1, 1, 0],
    ]);
  });

  it('streams the per-agent table as CSV; business hours change its durations', async () => {
    const json = await get(`/api/reports/agents?${WEEK}`);
    const calendar = await csv(`/api/reports/agents?${WEEK}&format=csv`);
    expectCsvEqualsJson(calendar, json.rows);
    const businessJson = await get(`/api/reports/agents?${WEEK}&businessHours=1`);
    const business = await csv(`/api/reports/agents?${WEEK}&businessHours=1&format=csv`);
    expectCsvEqualsJson(business, businessJson.rows);
    expect(business.rows).not.toEqual(calendar.rows);
    const column = calendar.header.indexOf('firstResponse_median');
    const adaRow = (t: { rows: string[][] }) => t.rows.find((row) => row[0] === String(ada.id))!;
    expect([adaRow(calendar)[column], adaRow(business)[column]]).toEqual([String(bin(600)), String(bin(90))]);
  });
});

describe('who may see reports', () => {
  const routes = ['summary', 'timeseries', 'agents', 'teams', 'channels', 'conversations'];
  const extra: Record<string, string> = { timeseries: '&series=volume', conversations: '&metric=created' };

  it('refuses customers and those not signed in', async () => {
    for (const route of [...routes, 'live']) {
      const url = `/api/reports/${route}?${WEEK}${extra[route] ?? ''}`.replace(/\/live\?.*/, '/live');
      expect((await call(app, customer, 'GET', url)).status, url).toBe(403);
      expect((await call(app, null, 'GET', url)).status, url).toBe(401);
    }
  });

  it('lets an agent see their own figures only', async () => {
    for (const route of routes) {
      const url = `/api/reports/${route}?${WEEK}${extra[route] ?? ''}`;
      expect((await call(app, ada, 'GET', url)).status, url).toBe(403);
      expect((await call(app, ada, 'GET', `${url}&agent=${bo.id}`)).status, url).toBe(403);
      expect((await call(app, ada, 'GET', `${url}&agent=${ada.id}`)).status, url).toBe(200);
    }
    expect((await call(app, ada, 'GET', '/api/reports/live')).status).toBe(403);
    const own = await get(`/api/reports/summary?${WEEK}&agent=${ada.id}`, ada);
    expect(own.messagesOut).toBe(3);
    const { rows } = await get(`/api/reports/agents?${WEEK}&agent=${ada.id}`, ada);
    expect(rows.map((row: Json) => row.key)).toEqual([String(ada.id)]);
  });
});

describe('the API description', () => {
  it('documents every report route in OpenAPI', async () => {
    const doc = (await app.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const route of ['summary', 'timeseries', 'agents', 'teams', 'channels', 'conversations', 'live'])
      expect(doc.paths).toHaveProperty([`/api/reports/${route}`]);
  });
});

describe('bad requests', () => {
  it.each([
    ['to before from', '/api/reports/summary?from=2025-06-08&to=2025-06-02'],
    ['no such zone', `/api/reports/summary?${WEEK}&tz=Mars/Olympus`],
    ['not a date', '/api/reports/summary?from=2025-6-2&to=2025-06-08'],
    ['an impossible date', '/api/reports/summary?from=2025-02-30&to=2025-03-08'],
    ['an unknown parameter', `/api/reports/summary?${WEEK}&dimension=agent`],
    ['no from', '/api/reports/summary?to=2025-06-08'],
    ['too long', '/api/reports/summary?from=2020-01-01&to=2025-06-08'],
    ['hourly over months', '/api/reports/timeseries?from=2025-01-01&to=2025-06-08&series=volume&groupBy=hour'],
    ['no series', `/api/reports/timeseries?${WEEK}`],
    ['an unknown grouping', `/api/reports/timeseries?${WEEK}&series=volume&groupBy=year`],
    ['a bad businessHours', `/api/reports/summary?${WEEK}&businessHours=yes`],
    ['a made-up cursor', `/api/reports/conversations?${WEEK}&metric=created&cursor=abc`],
    ['an unknown metric', `/api/reports/conversations?${WEEK}&metric=everything`],
    ['a bad format', `/api/reports/agents?${WEEK}&format=xlsx`],
  ])('answers 400 for %s', async (_, url) => {
    const response = await call(app, admin, 'GET', url);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
  });
});
