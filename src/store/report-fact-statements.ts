import { CompiledQuery } from 'kysely';
import type { Dialect } from './database.js';
import type { Tx } from './transaction.js';

// The statements that write a reply's facts, rollup rows and care cycle, as fixed SQL texts
// (issue 19's write cost). They run on every message, so they skip Kysely's builder and
// compiler: a reply's rows go as one JSON parameter per table, and each text is the same
// however many rows, prepared once by each database. PostgreSQL runs the three as ONE
// statement (data-modifying CTEs: one round trip where there were three).

/** A fact's columns, in the order of each fact's JSON array. */
export const FACT_COLUMNS = [
  'conversationId',
  'originConversationId',
  'cycle',
  'metric',
  'at',
  'agentId',
  'teamId',
  'channel',
  'type',
  'priority',
  'seconds',
  'businessSeconds',
  'messageId',
] as const;

/** PostgreSQL's type of each, for the casts out of JSON (the columns' types, migration 0033). */
const FACT_TYPES: Record<(typeof FACT_COLUMNS)[number], string> = {
  conversationId: 'bigint',
  originConversationId: 'bigint',
  cycle: 'integer',
  metric: 'text',
  at: 'bigint',
  agentId: 'bigint',
  teamId: 'bigint',
  channel: 'text',
  type: 'text',
  priority: 'text',
  seconds: 'bigint',
  businessSeconds: 'bigint',
  messageId: 'bigint',
};

/** A rollup delta's columns, in the order of each delta's JSON array. */
const ROLLUP_COLUMNS = ['metric', 'dimension', 'key', 'span', 'start', 'bin', 'count', 'sum'] as const;
const ROLLUP_TYPES = ['text', 'text', 'text', 'integer', 'bigint', 'integer', 'bigint', 'bigint'];
const CYCLE_COLUMNS = ['conversationId', 'cycle', 'startedAt', 'respondedAt', 'waitingSince', 'repliers'] as const;

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(', ');
/** The n-th (from 1) parameter's placeholder. */
const placeholder = (dialect: Dialect, n: number) => (dialect === 'sqlite' ? '?' : `$${n}`);

/** The SELECT expanding a JSON array of arrays into rows of `types` (SQLite converts by column affinity). */
function rowsOf(dialect: Dialect, json: string, types: readonly string[]): string {
  return dialect === 'sqlite'
    ? `select ${types.map((_, i) => `j.value->>${i}`).join(', ')} from json_each(${json}) j`
    : `select ${types.map((type, i) => `cast(j.value->>${i} as ${type})`).join(', ')} from jsonb_array_elements(cast(${json} as jsonb)) j`;
}

const factInsert = (dialect: Dialect, n: number) =>
  `insert into report_facts (${quoted(FACT_COLUMNS)}) ${rowsOf(
    dialect,
    placeholder(dialect, n),
    FACT_COLUMNS.map((c) => FACT_TYPES[c]),
  )}`;

// `where true`: SQLite's parser needs it between a SELECT and ON CONFLICT.
const rollupUpsert = (dialect: Dialect, n: number) =>
  `insert into report_rollups (${quoted(ROLLUP_COLUMNS)}) ${rowsOf(dialect, placeholder(dialect, n), ROLLUP_TYPES)} where true
   on conflict (metric, dimension, key, span, start, bin) do update set count = report_rollups.count + excluded.count, sum = report_rollups.sum + excluded.sum`;

const cycleUpsert = (dialect: Dialect, n: number) =>
  `insert into report_cycles (${quoted(CYCLE_COLUMNS)}) values (${CYCLE_COLUMNS.map((_, i) => placeholder(dialect, n + i)).join(', ')})
   on conflict ("conversationId") do update set cycle = excluded.cycle, "startedAt" = excluded."startedAt",
     "respondedAt" = excluded."respondedAt", "waitingSince" = excluded."waitingSince", repliers = excluded.repliers`;

type Rows = readonly (readonly unknown[])[];

/** What one write holds: facts, rollup deltas, the cycle's new state; any of them. */
export type FactWrite = {
  facts?: Rows;
  rollups?: Rows;
  cycle?: readonly [conversationId: number, cycle: number, startedAt: number, respondedAt: number | null, waitingSince: number | null, repliers: string];
};

const PARTS = [
  { has: (w: FactWrite) => w.facts !== undefined, text: factInsert, params: (w: FactWrite) => [JSON.stringify(w.facts)] },
  { has: (w: FactWrite) => w.rollups !== undefined, text: rollupUpsert, params: (w: FactWrite) => [JSON.stringify(w.rollups)] },
  { has: (w: FactWrite) => w.cycle !== undefined, text: cycleUpsert, params: (w: FactWrite) => [...w.cycle!] },
];

const texts = new Map<string, string[]>();

/** The statement texts for a write's parts: SQLite one per table, PostgreSQL one in all. */
function textsFor(dialect: Dialect, parts: typeof PARTS): string[] {
  const key = dialect + parts.map((part) => PARTS.indexOf(part)).join('');
  let found = texts.get(key);
  if (!found) {
    if (dialect === 'sqlite' || parts.length === 1) found = parts.map((part) => part.text(dialect, 1));
    else {
      // Numbered on: one parameter for each JSON, and the cycle's six come last.
      const numbered = parts.map((part, i) => part.text(dialect, i + 1));
      const last = numbered.pop()!;
      found = [`with ${numbered.map((text, i) => `w${i} as (${text})`).join(', ')} ${last}`];
    }
    texts.set(key, found);
  }
  return found;
}

export async function runFactWrite(tx: Tx, dialect: Dialect, write: FactWrite): Promise<void> {
  const parts = PARTS.filter((part) => part.has(write));
  if (parts.length === 0) return;
  const statements = textsFor(dialect, parts);
  const params = parts.map((part) => part.params(write));
  if (statements.length === 1) await tx.executeQuery(CompiledQuery.raw(statements[0]!, params.flat()));
  else for (const [i, text] of statements.entries()) await tx.executeQuery(CompiledQuery.raw(text, params[i]!));
}
