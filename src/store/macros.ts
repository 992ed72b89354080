import type { MacroRow } from './schema.js';
import type { Tx } from './transaction.js';

// Macros (migration 0022). Written by the macro commands only (inbox/commands/macros.ts);
// `actions` stays JSON text here: what it may hold is the inbox's rule (inbox/macros/actions.ts).

export type StoredMacro = Omit<MacroRow, 'id' | 'ownerId' | 'createdBy' | 'createdAt' | 'updatedAt'> & {
  id: number;
  ownerId: number | null;
  createdBy: number;
  createdAt: number;
  updatedAt: number;
};

function toMacro(row: MacroRow): StoredMacro {
  return {
    ...row,
    id: Number(row.id),
    ownerId: row.ownerId === null ? null : Number(row.ownerId),
    createdBy: Number(row.createdBy),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

export async function findMacro(tx: Tx, id: number): Promise<StoredMacro | undefined> {
  const row = await tx.selectFrom('macros').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toMacro(row);
}

/** The user's own macros and the team's shared ones, by name. */
export async function listMacros(tx: Tx, userId: number): Promise<StoredMacro[]> {
  const rows = await tx
    .selectFrom('macros')
    .selectAll()
    .where((eb) => eb.or([eb('ownerId', '=', userId), eb('ownerId', 'is', null)]))
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toMacro);
}

/** How many personal macros the user has, counting no further than `cap`. */
export async function countPersonalMacros(tx: Tx, userId: number, cap: number): Promise<number> {
  const rows = await tx.selectFrom('macros').select('id').where('ownerId', '=', userId).limit(cap).execute();
  return rows.length;
}

export type MacroFields = { name: string; actions: string };

export async function insertMacro(tx: Tx, macro: MacroFields & { ownerId: number | null; createdBy: number; now: number }): Promise<number> {
  const { now, ...fields } = macro;
  const row = await tx
    .insertInto('macros')
    .values({ ...fields, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateMacroRow(tx: Tx, id: number, patch: Partial<MacroFields> & { now: number }): Promise<void> {
  const { now, ...fields } = patch;
  const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  await tx
    .updateTable('macros')
    .set({ ...set, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

export async function deleteMacroRow(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('macros').where('id', '=', id).execute();
}
