import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type Dialect as KyselyDialect,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type RawBuilder,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import type { Store } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';

/**
 * A Kysely instance that compiles exactly as the store's does (same adapter and query
 * compiler for its dialect) and runs every statement on the store's own connection, while
 * its `log` callback records each compiled statement: SQL text and parameters. Passing it
 * in place of `store.db` lets a test call the real query functions and then look at the
 * SQL they really sent. Transactions are not supported: the list queries run none.
 */
export function recordingStore(store: Store): { store: Store; queries: CompiledQuery[]; clear(): void } {
  const queries: CompiledQuery[] = [];
  const target = store.db;
  const connection: DatabaseConnection = {
    executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      return target.executeQuery<R>(query);
    },
    // biome-ignore lint/correctness/useYield: the driver interface wants a generator; this one only refuses.
    async *streamQuery() {
      throw new Error('streaming is not supported by the recording store');
    },
  };
  const unsupported = () => Promise.reject(new Error('transactions are not supported by the recording store'));
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: unsupported,
    commitTransaction: unsupported,
    rollbackTransaction: unsupported,
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const dialect: KyselyDialect =
    store.dialect === 'sqlite'
      ? {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => driver,
          createIntrospector: (db) => new SqliteIntrospector(db),
          createQueryCompiler: () => new SqliteQueryCompiler(),
        }
      : {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => driver,
          createIntrospector: (db) => new PostgresIntrospector(db),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        };
  const db = new Kysely<Database>({
    dialect,
    log(event) {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  return {
    store: { ...store, db, close: async () => {} },
    queries,
    clear: () => void queries.splice(0),
  };
}

/** The same statement prefixed with EXPLAIN, its parameters unchanged. */
export function explainOf(query: CompiledQuery, prefix: string): CompiledQuery {
  return CompiledQuery.raw(`${prefix} ${query.sql}`, [...query.parameters]);
}

/** The integers 0 … count-1 as a table `seq(n)`, to load many rows through one INSERT … SELECT. */
export function numbersTable(dialect: Store['dialect'], count: number): RawBuilder<unknown> {
  return dialect === 'sqlite'
    ? sql.raw(`(with recursive s(n) as (select 0 union all select n + 1 from s where n < ${count - 1}) select n from s) as seq`)
    : sql.raw(`generate_series(0, ${count - 1}) as seq(n)`);
}
