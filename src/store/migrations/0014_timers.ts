import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Durable timers (issue 15): something to do at a time (an SLA warning, a snooze wake-up,
// a digest), one row per key, drained by the outbox worker (jobs/timers.ts). A fired
// timer keeps its row, so setting its key again arms it anew in place.
//
// `timers_due` holds only the armed rows, in the order they fall due: a tick reads the
// due ones off its front and never steps over the (possibly millions of) timers due
// later, nor over the fired ones. The claim's WHERE states the predicate word for word
// (store/timers.ts), which both planners need to use a partial index.

export function timersMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('timers')
      .addColumn('id', idType, identity(dialect))
      .addColumn('key', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('dueAt', time, (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('lockedUntil', time)
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lastError', 'text')
      .addColumn('firedAt', time)
      .addColumn('outcome', 'text')
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('timers_due').on('timers').columns(['dueAt', 'id']).where(sql.ref('firedAt'), 'is', null).execute();
  }
  return { up };
}
