import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// The knowledge base: articles the help center shows and the bot answers from. The
// Markdown is what authors wrote; `bodyText` is its plain text, kept by the commands, so
// search and the bot's passages never parse Markdown per query.

type Db = Kysely<unknown>;

export function knowledgeBaseMigration(dialect: Dialect) {
  const id = identity(dialect);
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    await db.schema
      .createTable('kb_categories')
      .addColumn('id', idType, id)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('kb_articles')
      .addColumn('id', idType, id)
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('bodyText', 'text', (c) => c.notNull())
      .addColumn('categoryId', idType, (c) => c.references('kb_categories.id').onDelete('set null'))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('published', 'draft')`))
      .addColumn('authorId', idType, (c) => c.references('users.id').onDelete('set null'))
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .addColumn('publishedAt', time)
      .execute();
    // The help center lists published articles newest first, per category or all.
    await db.schema.createIndex('kb_articles_status_updated').on('kb_articles').columns(['status', 'updatedAt', 'id']).execute();
    await db.schema.createIndex('kb_articles_category').on('kb_articles').columns(['categoryId', 'status', 'updatedAt', 'id']).execute();

    if (dialect === 'sqlite') {
      const statements = [
        sql`create virtual table kb_articles_fts using fts5(title, "bodyText", content='kb_articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')`,
        sql`create trigger kb_articles_fts_insert after insert on kb_articles begin
              insert into kb_articles_fts(rowid, title, "bodyText") values (new.id, new.title, new."bodyText"); end`,
        sql`create trigger kb_articles_fts_delete after delete on kb_articles begin
              insert into kb_articles_fts(kb_articles_fts, rowid, title, "bodyText") values ('delete', old.id, old.title, old."bodyText"); end`,
        sql`create trigger kb_articles_fts_update after update of title, "bodyText" on kb_articles begin
              insert into kb_articles_fts(kb_articles_fts, rowid, title, "bodyText") values ('delete', old.id, old.title, old."bodyText");
              insert into kb_articles_fts(rowid, title, "bodyText") values (new.id, new.title, new."bodyText"); end`,
      ];
      for (const statement of statements) await statement.execute(db);
    } else {
      // As for messages (0001_core): punctuation split first so both databases match alike.
      await sql`alter table kb_articles add column search tsvector generated always as
                (to_tsvector('simple', regexp_replace(title || ' ' || "bodyText", '[[:punct:][:space:]]+', ' ', 'g'))) stored`.execute(db);
      await sql`create index kb_articles_search on kb_articles using gin (search)`.execute(db);
    }
  }

  return { up };
}
