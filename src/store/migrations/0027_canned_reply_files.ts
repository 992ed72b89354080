import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Files that go with a canned reply (issue 17): the same content-addressed blobs as message
// attachments (`sha256`), so a reply sent with them attaches the stored file again without
// an upload, and the orphan cleaner counts these rows as references.

export function cannedReplyFilesMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('canned_reply_files')
      .addColumn('id', idType, identity(dialect))
      .addColumn('cannedReplyId', idType, (c) => c.notNull().references('canned_replies.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('contentType', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('canned_reply_files_reply').on('canned_reply_files').columns(['cannedReplyId', 'id']).execute();
    await db.schema.createIndex('canned_reply_files_sha256').on('canned_reply_files').column('sha256').execute();
  }
  return { up };
}
