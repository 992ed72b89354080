import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Bulk actions (issue 17): one row per job an agent starts on many conversations. `ids` is
// the SNAPSHOT of the targets taken when the job starts (a view's rows move while the job
// changes them, so "all matching" is fixed first); `action` the checked action, as JSON.
// Progress is `done + failed`, the position in `ids`: each conversation's unit of work moves
// it on in the same transaction as its change, so a job resumed after a restart neither
// repeats nor skips one. `failures` keeps the first ones ({id, number?, code, error}).
// A job is read by its id; the start of the app looks for running ones (`bulk_jobs_status`).

export function bulkJobsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('bulk_jobs')
      .addColumn('id', idType, identity(dialect))
      .addColumn('createdBy', idType, (c) => c.notNull().references('users.id'))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('ids', 'text', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failures', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('running'))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .addColumn('finishedAt', 'bigint')
      .execute();
    await db.schema.createIndex('bulk_jobs_status').on('bulk_jobs').column('status').execute();
  }
  return { up };
}
