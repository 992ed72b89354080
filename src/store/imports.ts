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

/** Which of these source ids of `kind` were imported already. */
export async function findImportedSourceIds(tx: Tx, source: string, kind: ImportRecord['kind'], sourceIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < sourceIds.length; i += 1000) {
    const rows = await tx
      .selectFrom('import_records')
      .select('sourceId')
      .where('source', '=', source)
      .where('kind', '=', kind)
      .where('sourceId', 'in', sourceIds.slice(i, i + 1000))
      .execute();
    for (const row of rows) found.add(row.sourceId);
  }
  return found;
}

/** Which of a conversation's messages an earlier run imported, or null when it did not import the conversation. */
export async function findImportedMessagesOf(
  tx: Tx,
  source: string,
  conversationSourceId: string,
  messageSourceIds: readonly string[],
): Promise<Set<string> | null> {
  if ((await findImportedId(tx, { source, kind: 'conversation', sourceId: conversationSourceId })) === null) return null;
  return findImportedSourceIds(tx, source, 'message', messageSourceIds);
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
