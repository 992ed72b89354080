import type { Tx } from './transaction.js';

// What importers brought in (migration 0036): (source, kind, source id) → the row it became.
// Written by the import commands only (import/conversation.ts), in the transaction of the
// rows they record, so a record exists exactly when its row does.

export type ImportRecord = { source: string; kind: 'conversation' | 'message'; sourceId: string; targetId: number };

export async function findImportedId(tx: Tx, record: Omit<ImportRecord, 'targetId'>): Promise<number | null> {
  const row = await tx
    .selectFrom('import_records')
    .select('targetId')
    .where('source', '=', record.source)
    .where('kind', '=', record.kind)
    .where('sourceId', '=', record.sourceId)
    .executeTakeFirst();
  return row ? Number(row.targetId) : null;
}

export async function insertImportRecords(tx: Tx, records: readonly ImportRecord[], importedAt: number): Promise<void> {
  // In slices: SQLite takes at most 32,766 parameters a statement (a ticket may hold thousands of comments).
  for (let i = 0; i < records.length; i += 1000) {
    await tx
      .insertInto('import_records')
      .values(records.slice(i, i + 1000).map((r) => ({ ...r, importedAt })))
      .execute();
  }
}

/** The conversations an import gave this reference (exactly, as search looks it up). */
export async function findConversationIdsByLegacyRef(tx: Tx, legacyRef: string, limit: number): Promise<number[]> {
  const rows = await tx.selectFrom('conversations').select('id').where('legacyRef', '=', legacyRef).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}
