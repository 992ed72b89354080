import { sql } from 'kysely';
import { runCompiled } from './compiled.js';
import type { Tx } from './transaction.js';

/**
 * Adds each delta to its counter row. Keys are applied in sorted order so that two
 * transactions touching the same counters lock them in the same order and cannot deadlock.
 */
export async function addToCounters(tx: Tx, deltas: ReadonlyMap<string, number>): Promise<void> {
  const rows = [...deltas].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (rows.length === 0) return;
  await runCompiled(
    tx,
    'addToCounters',
    rows.map(([key, n]) => ({ key, n })),
    (slots) =>
      tx
        .insertInto('inbox_counts')
        .values(slots)
        .onConflict((oc) => oc.column('key').doUpdateSet({ n: sql`inbox_counts.n + excluded.n` })),
  );
}

export async function readCounters(tx: Tx, keys: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(keys.map((key) => [key, 0]));
  if (keys.length === 0) return counts;
  const rows = await tx.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'in', keys).execute();
  for (const row of rows) counts.set(row.key, Number(row.n));
  return counts;
}

export async function nextSequenceValue(tx: Tx, name: string): Promise<number> {
  const [row] = await runCompiled(tx, 'nextSequenceValue', [{ name }], ([by]) =>
    tx.updateTable('sequences').set({ value: sql`value + 1` }).where('name', '=', by!.name).returning('value'),
  );
  if (!row) throw new Error(`no sequence ${name}`);
  return Number(row.value);
}
