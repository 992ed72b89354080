import { sql } from 'kysely';
import type { Tx } from './transaction.js';

/**
 * Adds each delta to its counter row. Keys are applied in sorted order so that two
 * transactions touching the same counters lock them in the same order and cannot deadlock.
 */
export async function addToCounters(tx: Tx, deltas: ReadonlyMap<string, number>): Promise<void> {
  const rows = [...deltas].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (rows.length === 0) return;
  await tx
    .insertInto('inbox_counts')
    .values(rows.map(([key, n]) => ({ key, n })))
    .onConflict((oc) => oc.column('key').doUpdateSet({ n: sql`inbox_counts.n + excluded.n` }))
    .execute();
}

export async function readCounters(tx: Tx, keys: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(keys.map((key) => [key, 0]));
  if (keys.length === 0) return counts;
  const rows = await tx.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'in', keys).execute();
  for (const row of rows) counts.set(row.key, Number(row.n));
  return counts;
}

export function nextSequenceValue(tx: Tx, name: string): Promise<number> {
  return tx
    .updateTable('sequences')
    .set({ value: sql`value + 1` })
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.value));
}
