import path from 'node:path';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { EventBus } from '../src/inbox/bus.js';
import { createInboxContext } from '../src/inbox/context.js';
import { getConversations, searchConversations } from '../src/inbox/queries.js';
import type { Store } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';
import { TEAMS } from './generate.js';
import { extraViews, loadedTeams, requiredViews } from './views.js';
import { createVocabulary } from './vocabulary.js';

// `npx tsx bench/explain.ts --data-dir DIR` (or DATABASE_URL=<kept bench database>):
// runs each bench view and search once through the real query functions, captures
// every statement they send, and prints its plan with its own run time, so a slow
// figure in the bench can be traced to a statement and an index (or its absence).

const { values: args } = parseArgs({ options: { 'data-dir': { type: 'string' }, analyze: { type: 'boolean', default: false } } });

type Captured = { query: CompiledQuery; ms: number };

function open(captured: Captured[]): Store {
  const log = (event: { level: string; query: CompiledQuery; queryDurationMillis: number }) => {
    if (event.level === 'query') captured.push({ query: event.query, ms: event.queryDurationMillis });
  };
  const url = process.env.DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, types: { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) } });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
    return { db, dialect: 'postgres', location: 'postgres', close: () => db.destroy() };
  }
  if (!args['data-dir']) throw new Error('give --data-dir (a kept SQLite bench database) or DATABASE_URL');
  const file = path.join(args['data-dir'], 'onethread.db');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(file, { readonly: true }) }), log });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

async function plan(store: Store, query: CompiledQuery): Promise<string[]> {
  const prefix = store.dialect === 'sqlite' ? 'explain query plan ' : args.analyze ? 'explain (analyze, buffers) ' : 'explain ';
  const result = await store.db.executeQuery(CompiledQuery.raw(prefix + query.sql, [...query.parameters]));
  return (result.rows as Record<string, unknown>[]).map((row) => String(row.detail ?? row['QUERY PLAN']));
}

async function main(): Promise<void> {
  const captured: Captured[] = [];
  const store = open(captured);
  const ctx = createInboxContext({ store, bus: new EventBus() });
  const agents = await store.db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').execute();
  const range = await store.db
    .selectFrom('conversations')
    .select((eb) => [eb.fn.min<number>('id').as('lo'), eb.fn.max<number>('id').as('hi')])
    .executeTakeFirstOrThrow();
  const teams = await loadedTeams(
    store,
    TEAMS.map((t) => t.name),
  );
  const population = { agentIds: agents.map((a) => Number(a.id)), minId: Number(range.lo), maxId: Number(range.hi), teams };
  const vocabulary = createVocabulary();
  const runs: [string, () => Promise<unknown>][] = [
    ...Object.entries({ ...requiredViews(population), ...extraViews(population) }).map(
      ([name, query]) => [name, () => getConversations(ctx, query(0))] as [string, () => Promise<unknown>],
    ),
    ...[vocabulary.rare, vocabulary.medium, vocabulary.common].map(
      (word) => [`search "${word}"`, () => searchConversations(ctx, word)] as [string, () => Promise<unknown>],
    ),
  ];
  for (const [name, run] of runs) {
    captured.length = 0;
    await run();
    const statements = [...captured];
    console.log(`\n=== ${name}`);
    for (const { query, ms } of statements) {
      console.log(`-- ${ms.toFixed(1)} ms: ${query.sql.replace(/\s+/g, ' ').slice(0, 300)}${query.sql.length > 300 ? '…' : ''}`);
      for (const line of await plan(store, query)) console.log(`   ${line}`);
    }
  }
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
