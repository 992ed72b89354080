import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/database.js';
import { claimDueTimers } from '../src/store/timers.js';
import { explainOf, recordingStore } from './support/query-capture.js';
import { makeTestStore } from './support/store.js';

// A tick of the worker costs the timers that are due, never the armed ones: with a million
// timers armed for later (and many fired ones kept), the claim still reads only the front
// of the partial index `timers_due`. The SQL explained is the SQL claimDueTimers really
// sends (recorded, then EXPLAINed with its own parameters); the rows go in by bulk SQL,
// as setting a million timers one by one would take minutes. PostgreSQL is ANALYZEd first,
// as autovacuum would have; SQLite is checked as deployed (nothing runs ANALYZE) and after.

const ARMED_LATER = 1_000_000;
const FIRED = 100_000;
const DUE = 100;
/** Snoozed conversations' wake-ups (inbox/commands/snooze.ts), armed for the coming weeks. */
const SNOOZED = 100_000;
const NOW = Date.UTC(2026, 0, 1);
const LATER = NOW + 30 * 86_400_000;

let store: Store;

function numbers(count: number): RawBuilder<unknown> {
  return store.dialect === 'sqlite'
    ? sql.raw(`(with recursive s(n) as (select 0 union all select n + 1 from s where n < ${count - 1}) select n from s) as seq`)
    : sql.raw(`generate_series(0, ${count - 1}) as seq(n)`);
}

/** Inserts `count` timers keyed `<prefix>:<n>`; `dueAt` and `firedAt` are SQL over `n`. */
async function insertTimers(prefix: string, count: number, dueAt: string, firedAt: string): Promise<void> {
  // Constants are inlined: better-sqlite3 binds every JS number as a REAL.
  await sql`
    insert into timers (key, kind, "dueAt", payload, version, attempts, "firedAt", outcome, "createdAt", "updatedAt")
    select ${sql.lit(prefix)} || ':' || n, 'sla', ${sql.raw(dueAt)}, '{}', 1, ${sql.raw(firedAt === 'null' ? '0' : '1')}, ${sql.raw(firedAt)},
      ${sql.raw(firedAt === 'null' ? 'null' : "'fired'")}, ${sql.lit(NOW - 86_400_000)}, ${sql.lit(NOW - 86_400_000)}
    from ${numbers(count)}`.execute(store.db);
}

beforeAll(async () => {
  store = await makeTestStore();
  // Due later, spread over the next month and beyond; due now, in the last 100 seconds;
  // fired, all in the past: a dueAt index that kept them would be stepped over at every tick.
  await insertTimers('later', ARMED_LATER, `${LATER} + n * 1000`, 'null');
  await insertTimers('fired', FIRED, `${NOW - 86_400_000} + n`, `${NOW - 3_600_000}`);
  await insertTimers('due', DUE, `${NOW} - n * 1000`, 'null');
  await insertTimers('snooze', SNOOZED, `${NOW} + 60000 + n * 10000`, 'null');
  await sql`update timers set kind = 'conversation.wake' where key like 'snooze:%'`.execute(store.db);
  if (store.dialect === 'postgres') await sql`analyze timers`.execute(store.db);
}, 120_000);

afterAll(async () => {
  await store?.close();
});

type PgNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PgNode[] };

/** How the claim reads `timers`: one line per read of the table, and the whole plan for messages. */
async function claimPlan(): Promise<{ reads: string[]; sorts: string[]; text: string; claimed: number; dueKeys: string[] }> {
  const recording = recordingStore(store);
  // The claim runs for real (outside a transaction, which does not change its plan): it must take exactly the due ones.
  const claimed = await claimDueTimers(recording.store.db, recording.store, NOW, NOW + 60_000, 1_000);
  const claim = recording.queries.find((q) => /^\s*update timers/.test(q.sql));
  if (!claim) throw new Error('no claim statement recorded');
  const dueKeys = claimed.map((t) => t.key);
  // Put them back, so a second plan check claims them again.
  await sql`update timers set "lockedUntil" = null, attempts = 0 where key like 'due:%'`.execute(store.db);

  if (store.dialect === 'sqlite') {
    const { rows } = await store.db.executeQuery<{ detail: string }>(explainOf(claim, 'explain query plan'));
    const text = rows.map((r) => r.detail).join('\n');
    return {
      reads: rows.map((r) => r.detail).filter((d) => /^(SCAN|SEARCH) timers\b/.test(d)),
      sorts: rows.map((r) => r.detail).filter((d) => d.startsWith('USE TEMP B-TREE')),
      text,
      claimed: claimed.length,
      dueKeys,
    };
  }
  const { rows } = await store.db.executeQuery<{ 'QUERY PLAN': [{ Plan: PgNode }] }>(explainOf(claim, 'explain (format json)'));
  const reads: string[] = [];
  const sorts: string[] = [];
  const lines: string[] = [];
  const walk = (node: PgNode, depth: number) => {
    const line = `${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`;
    lines.push(`${'  '.repeat(depth)}${line}`);
    if (node['Relation Name'] === 'timers' && node['Node Type'] !== 'ModifyTable') reads.push(line);
    if (/Sort/.test(node['Node Type'])) sorts.push(line);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(rows[0]!['QUERY PLAN'][0].Plan, 0);
  return { reads, sorts, text: lines.join('\n'), claimed: claimed.length, dueKeys };
}

/** The definition of timers_due as the database keeps it. */
async function dueIndexDefinition(): Promise<string> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ definition: string }>`select sql as definition from sqlite_master where type = 'index' and name = 'timers_due'`
      : sql<{ definition: string }>`select indexdef as definition from pg_indexes where indexname = 'timers_due'`;
  return (await query.execute(store.db)).rows[0]?.definition ?? '';
}

it('keeps only armed timers in timers_due, so fired ones are never stepped over', async () => {
  expect(await dueIndexDefinition()).toMatch(/\bwhere\s+\(?"firedAt" is null\)?\s*$/i);
});

it("claims none of 100,000 snoozed conversations' wake-ups before they are due", async () => {
  const armed = await sql<{ n: number }>`select count(*) as n from timers where kind = 'conversation.wake' and "firedAt" is null`.execute(store.db);
  expect(Number(armed.rows[0]!.n)).toBe(SNOOZED);
  const plan = await claimPlan();
  expect(plan.dueKeys.filter((key) => key.startsWith('snooze:'))).toEqual([]);
  expect(plan.claimed).toBe(DUE);
});

function planChecks(): void {
  it('claims exactly the due timers, walking the front of timers_due: no scan of the table, no sort', async () => {
    const plan = await claimPlan();
    if (process.env.PRINT_PLANS) console.log(plan.text);
    expect(plan.claimed).toBe(DUE);
    expect(new Set(plan.dueKeys)).toEqual(new Set(Array.from({ length: DUE }, (_, n) => `due:${n}`)));

    expect(plan.reads.length, plan.text).toBeGreaterThan(0);
    // The due ones are found through the partial index; the rows to update by their key.
    expect(
      plan.reads.some((r) => /timers_due/.test(r)),
      plan.text,
    ).toBe(true);
    for (const read of plan.reads) {
      if (store.dialect === 'sqlite') expect(read, plan.text).toMatch(/^SEARCH timers USING (INDEX timers_due \(dueAt<\?\)|INTEGER PRIMARY KEY)/);
      else expect(read, plan.text).toMatch(/^Index (Only )?Scan on timers using (timers_due|timers_pkey)$/);
    }
    expect(plan.sorts, plan.text).toEqual([]);
  });
}

if (process.env.DATABASE_URL) {
  describe('the timer claim on PostgreSQL, after ANALYZE', planChecks);
} else {
  describe('the timer claim on SQLite without statistics (as deployed)', planChecks);
  describe('the timer claim on SQLite after ANALYZE', () => {
    beforeAll(async () => {
      await sql`analyze`.execute(store.db);
    }, 60_000);
    planChecks();
  });
}
