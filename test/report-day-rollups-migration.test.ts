import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { makeTestStore } from './support/store.js';

// Migration 0035 gives the rollups their day tier: an existing deployment's hourly rows
// must come through unchanged (as span 1) and be summed into UTC days (span 24), calendar
// and business bins apart, rows at zero dropped.

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const H = 3_600_000;
const DAY = 24 * H;
const monday = Date.UTC(2026, 2, 2);

describe('migration 0035 (report rollups by hour and by day)', () => {
  it('keeps the hourly rows and sums them into UTC days', async () => {
    store = await makeTestStore({ upTo: '0034_csat' });
    const old = [
      ['created', 'all', '', monday + 9 * H, -1, 2, 0],
      ['created', 'all', '', monday + 23 * H, -1, 1, 0],
      ['created', 'all', '', monday + DAY, -1, 4, 0],
      ['created', 'channel', 'email', monday + 9 * H, -1, 2, 0],
      ['first_response', 'all', '', monday + 9 * H, 7, 1, 120],
      ['first_response', 'all', '', monday + 15 * H, 7, 2, 250],
      ['first_response', 'all', '', monday + 15 * H, 103, 2, 40],
      ['first_response', 'agent', '5', monday + 15 * H, 7, 0, 0],
    ] as const;
    for (const [metric, dimension, key, hour, bin, count, sum] of old) {
      await sql`insert into report_rollups (metric, dimension, key, hour, bin, count, sum) values (${metric}, ${dimension}, ${key}, ${hour}, ${bin}, ${count}, ${sum})`.execute(
        store.db,
      );
    }
    // Facts of conversations created give the new team × channel rows (the conversation a
    // fact names must exist).
    const customer = await sql<{ id: number }>`insert into users (name, email, role, "createdAt", "updatedAt")
      values ('C', 'c@example.test', 'customer', 0, 0) returning id`.execute(store.db);
    const conversation = await sql<{ id: number }>`insert into conversations (number, channel, type, "customerId", "customerName", "customerEmail", subject,
      status, priority, "firstMessageAt", "lastMessageAt", "createdAt", "updatedAt")
      values (1, 'email', 'support', ${customer.rows[0]!.id}, 'C', 'c@example.test', 'S', 'open', 'normal', 0, 0, 0, 0) returning id`.execute(store.db);
    const id = conversation.rows[0]!.id;
    for (const at of [monday + 9 * H + 5, monday + 9 * H + 7, monday + DAY + 60])
      await sql`insert into report_facts ("conversationId", "originConversationId", cycle, metric, at, "agentId", "teamId", channel, type, priority)
        values (${id}, ${id}, 1, 'created', ${at}, null, 3, 'email', 'support', 'normal')`.execute(store.db);
    // Replies by agents 5 (twice) and 6 in cycle 1, and 5 again in cycle 2 (the cycle now):
    // `handled` at each one's first reply per cycle; the cycle's repliers so far.
    for (const [cycle, agent, at] of [
      [1, 5, monday + 10 * H],
      [1, 5, monday + 10 * H + 60_000],
      [1, 6, monday + 11 * H],
      [2, 5, monday + DAY + 2 * H],
    ] as const)
      await sql`insert into report_facts ("conversationId", "originConversationId", cycle, metric, at, "agentId", "teamId", channel, type, priority)
        values (${id}, ${id}, ${cycle}, 'message_out', ${at}, ${agent}, null, 'email', 'support', 'normal')`.execute(store.db);
    await sql`insert into report_cycles ("conversationId", cycle, "startedAt") values (${id}, 2, ${monday + DAY})`.execute(store.db);
    expect(await migrateToLatest(store)).toContain('0035_report_day_rollups');
    const handled = await store.db.selectFrom('report_facts').select(['cycle', 'agentId', 'at']).where('metric', '=', 'handled').orderBy('at').execute();
    expect(handled.map((f) => [Number(f.cycle), Number(f.agentId), Number(f.at)])).toEqual([
      [1, 5, monday + 10 * H],
      [1, 6, monday + 11 * H],
      [2, 5, monday + DAY + 2 * H],
    ]);
    const cycle = await store.db.selectFrom('report_cycles').select('repliers').executeTakeFirstOrThrow();
    expect(JSON.parse(cycle.repliers)).toEqual([5]);
    const rows = (await store.db.selectFrom('report_rollups').selectAll().execute())
      .map((r) => [r.metric, r.dimension, r.key, Number(r.span), Number(r.start), Number(r.bin), Number(r.count), Number(r.sum)].join(' '))
      .sort();
    expect(rows).toEqual(
      [
        ...old.filter((r) => r[5] !== 0).map(([metric, dimension, key, hour, bin, count, sum]) => [metric, dimension, key, 1, hour, bin, count, sum].join(' ')),
        `created all  24 ${monday} -1 3 0`,
        `created all  24 ${monday + DAY} -1 4 0`,
        `created channel email 24 ${monday} -1 2 0`,
        `first_response all  24 ${monday} 7 3 370`,
        `first_response all  24 ${monday} 103 2 40`,
        `created team_channel 3|email 1 ${monday + 9 * H} -1 2 0`,
        `created team_channel 3|email 1 ${monday + DAY} -1 1 0`,
        `created team_channel 3|email 24 ${monday} -1 2 0`,
        `created team_channel 3|email 24 ${monday + DAY} -1 1 0`,
        `handled all  1 ${monday + 10 * H} -1 1 0`,
        `handled all  1 ${monday + 11 * H} -1 1 0`,
        `handled all  1 ${monday + DAY + 2 * H} -1 1 0`,
        `handled all  24 ${monday} -1 2 0`,
        `handled all  24 ${monday + DAY} -1 1 0`,
        `handled agent 5 1 ${monday + 10 * H} -1 1 0`,
        `handled agent 6 1 ${monday + 11 * H} -1 1 0`,
        `handled agent 5 1 ${monday + DAY + 2 * H} -1 1 0`,
        `handled agent 5 24 ${monday} -1 1 0`,
        `handled agent 6 24 ${monday} -1 1 0`,
        `handled agent 5 24 ${monday + DAY} -1 1 0`,
        `handled channel email 1 ${monday + 10 * H} -1 1 0`,
        `handled channel email 1 ${monday + 11 * H} -1 1 0`,
        `handled channel email 1 ${monday + DAY + 2 * H} -1 1 0`,
        `handled channel email 24 ${monday} -1 2 0`,
        `handled channel email 24 ${monday + DAY} -1 1 0`,
      ].sort(),
    );
  });
});
