import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignConversation, createConversation, updateConversationStatus } from '../src/inbox/commands.js';
import { insertFacts, type NewFact } from '../src/store/report-facts.js';
import { transact } from '../src/store/transaction.js';
import { call, type Json, ok, type Person, person, startTestApp, type TestApp } from './support/app.js';

// The drill-down (the facts behind a figure, newest first, keyset pages, and all of them
// as CSV) and the live panel (counters and who has waited longest, no fact scan).

let app: TestApp;
let admin: Person;
let ada: Person;
let now = Date.UTC(2020, 0, 6, 12);
const conversations: { id: number; number: string; subject: string }[] = [];

const SEPT = 'from=2025-09-01&to=2025-09-07';
const at = (day: number, hour: number) => Date.UTC(2025, 8, day, hour);

beforeAll(async () => {
  app = await startTestApp({ clock: () => now });
  admin = await person(app, 'admin', 'Ann Admin');
  ada = await person(app, 'agent', 'Ada Agent');
  const subjects = ['Refund, "urgent"', "=cmd|' /C calc'!A0", 'Plain', 'Fourth', 'Fifth', 'Sixth'];
  for (const [i, subject] of subjects.entries()) {
    now += 60_000;
    const { conversation } = await createConversation(app.inbox, { from: { customerEmail: `drill-${i}@example.test` }, channel: 'email', subject, body: 'hi' });
    conversations.push({ id: conversation.id, number: conversation.number, subject });
  }
  const reply = (i: number, when: number, agentId: number | null, seconds: number): NewFact => ({
    metric: 'reply_time',
    at: when,
    conversationId: conversations[i]!.id,
    originConversationId: conversations[i]!.id,
    cycle: 1,
    agentId,
    teamId: null,
    channel: 'email',
    type: 'support',
    priority: 'normal',
    seconds,
    businessSeconds: Math.floor(seconds / 2),
    messageId: null,
  });
  await transact(app.store, (tx) =>
    insertFacts(tx, app.store.dialect, [
      reply(0, at(1, 9), ada.id, 60),
      reply(1, at(2, 9), ada.id, 120),
      // Two at the same instant: the keyset's id breaks the tie.
      reply(2, at(3, 9), null, 180),
      reply(0, at(3, 9), ada.id, 240),
      reply(1, at(4, 9), admin.id, 300),
      reply(2, at(5, 9), ada.id, 360),
      reply(0, at(7, 23), admin.id, 420),
      // Outside the period, and another metric inside it.
      reply(0, at(8, 0), ada.id, 480),
      { ...reply(0, at(2, 10), ada.id, 0), metric: 'first_response' },
    ]),
  );
});

afterAll(async () => {
  await app?.close();
});

const get = (url: string, who: Person = admin) => ok(app, who, 'GET', url);

async function allPages(url: string, limit: number): Promise<Json[][]> {
  const pages: Json[][] = [];
  let cursor: string | null = null;
  do {
    const page: Json = await get(`${url}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 20);
  return pages;
}

describe('the drill-down', () => {
  it('lists a metric’s facts of the period newest first, in keyset pages without repeats', async () => {
    const pages = await allPages(`/api/reports/conversations?${SEPT}&metric=reply_time`, 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    const items = pages.flat();
    expect(items.map((item) => item.seconds)).toEqual([420, 360, 300, 240, 180, 120, 60]);
    expect(items[0]).toEqual({
      conversationId: conversations[0]!.id,
      number: conversations[0]!.number,
      subject: 'Refund, "urgent"',
      at: at(7, 23),
      agentId: admin.id,
      agentName: 'Ann Admin',
      channel: 'email',
      seconds: 420,
      businessSeconds: 210,
    });
    expect(items.find((item) => item.seconds === 180)).toMatchObject({ agentId: null, agentName: null });
    const single = await get(`/api/reports/conversations?${SEPT}&metric=reply_time`);
    expect(single.items.map((item: Json) => item.seconds)).toEqual([420, 360, 300, 240, 180, 120, 60]);
    expect(single.nextCursor).toBeNull();
  });

  it('filters by agent, and a period shows only its own facts', async () => {
    const adas = await get(`/api/reports/conversations?${SEPT}&metric=reply_time&agent=${ada.id}`, ada);
    expect(adas.items.map((item: Json) => item.seconds)).toEqual([360, 240, 120, 60]);
    const day = await get('/api/reports/conversations?from=2025-09-03&to=2025-09-03&metric=reply_time');
    expect(day.items.map((item: Json) => item.seconds)).toEqual([240, 180]);
    const first = await get(`/api/reports/conversations?${SEPT}&metric=first_response`);
    expect(first.items.map((item: Json) => item.seconds)).toEqual([0]);
  });

  it('streams every row from the cursor on as CSV, subjects quoted and never run as formulas', async () => {
    const response = await app.app.inject({
      method: 'GET',
      url: `/api/reports/conversations?${SEPT}&metric=reply_time&format=csv`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="onethread-conversations-reply_time-2025-09-01-2025-09-07.csv"');
    const lines = response.body.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('conversationId,number,subject,at,agentId,agentName,channel,seconds,businessSeconds');
    expect(lines).toHaveLength(8);
    expect(lines[1]).toBe(`${conversations[0]!.id},${conversations[0]!.number},"Refund, ""urgent""",${at(7, 23)},${admin.id},Ann Admin,email,420,210`);
    expect(lines.find((line) => line.includes('calc'))).toContain(`,'=cmd|' /C calc'!A0,`);

    const firstPage = await get(`/api/reports/conversations?${SEPT}&metric=reply_time&limit=3`);
    const rest = await app.app.inject({
      method: 'GET',
      url: `/api/reports/conversations?${SEPT}&metric=reply_time&format=csv&cursor=${firstPage.nextCursor}`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(
      rest.body
        .split('\r\n')
        .filter(Boolean)
        .slice(1)
        .map((line) => Number(line.split(',').at(-2))),
    ).toEqual([240, 180, 120, 60]);
  });
});

describe('the live panel', () => {
  it('counts open, unassigned and pending, and lists who has waited longest', async () => {
    // Six open conversations, oldest first; the oldest is set pending, the second assigned.
    await updateConversationStatus(app.inbox, { conversation: conversations[0]!.id, status: 'pending', by: { userId: admin.id } });
    await assignConversation(app.inbox, { conversation: conversations[1]!.id, assigneeId: ada.id, by: { userId: admin.id } });
    const live = await get('/api/reports/live');
    expect([live.open, live.unassigned, live.pending]).toEqual([5, 4, 1]);
    expect(live.waitingLongest.map((row: Json) => row.subject)).toEqual([1, 2, 3, 4, 5].map((i) => conversations[i]!.subject));
    expect(live.waitingLongest[0].waitingSince).toBeLessThan(live.waitingLongest[1].waitingSince);

    const csv = await app.app.inject({ method: 'GET', url: '/api/reports/live?format=csv', headers: { authorization: `Bearer ${admin.token}` } });
    const lines = csv.body.split('\r\n').filter(Boolean);
    expect(lines.slice(0, 4)).toEqual(['figure,count,conversationId,number,subject,waitingSince', 'open,5,,,,', 'unassigned,4,,,,', 'pending,1,,,,']);
    expect(lines.slice(4).map((line) => line.split(',')[0])).toEqual(['waiting', 'waiting', 'waiting', 'waiting', 'waiting']);
    expect((await call(app, ada, 'GET', '/api/reports/live')).status).toBe(403);
  });
});
