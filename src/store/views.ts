import type { SavedViewRow } from './schema.js';
import type { Tx } from './transaction.js';

// Saved views (migration 0018). Written by the view commands only (inbox/commands/views.ts).

export type SavedView = Omit<SavedViewRow, 'filter'> & { filter: Record<string, string> };

function toView(row: SavedViewRow): SavedView {
  return {
    ...row,
    id: Number(row.id),
    ownerId: Number(row.ownerId),
    teamId: row.teamId === null ? null : Number(row.teamId),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
    filter: JSON.parse(row.filter) as Record<string, string>,
  };
}

export async function findView(tx: Tx, id: number): Promise<SavedView | undefined> {
  const row = await tx.selectFrom('saved_views').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toView(row);
}

/** The user's own personal views and those shared with these teams, by name. */
export async function listVisibleViews(tx: Tx, userId: number, teamIds: readonly number[]): Promise<SavedView[]> {
  const rows = await tx
    .selectFrom('saved_views')
    .selectAll()
    .where((eb) => {
      const own = eb.and([eb('ownerId', '=', userId), eb('teamId', 'is', null)]);
      return teamIds.length > 0 ? eb.or([own, eb('teamId', 'in', [...teamIds])]) : own;
    })
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(toView);
}

/** How many personal views the user has, counting no further than `cap`. */
export async function countPersonalViews(tx: Tx, userId: number, cap: number): Promise<number> {
  const rows = await tx.selectFrom('saved_views').select('id').where('ownerId', '=', userId).where('teamId', 'is', null).limit(cap).execute();
  return rows.length;
}

export async function insertView(
  tx: Tx,
  view: { name: string; filter: Record<string, string>; ownerId: number; teamId: number | null; now: number },
): Promise<number> {
  const row = await tx
    .insertInto('saved_views')
    .values({ name: view.name, filter: JSON.stringify(view.filter), ownerId: view.ownerId, teamId: view.teamId, createdAt: view.now, updatedAt: view.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateViewRow(
  tx: Tx,
  id: number,
  patch: { name?: string; filter?: Record<string, string>; ownerId?: number; teamId?: number | null; now: number },
): Promise<void> {
  await tx
    .updateTable('saved_views')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.filter !== undefined ? { filter: JSON.stringify(patch.filter) } : {}),
      ...(patch.ownerId !== undefined ? { ownerId: patch.ownerId } : {}),
      ...(patch.teamId !== undefined ? { teamId: patch.teamId } : {}),
      updatedAt: patch.now,
    })
    .where('id', '=', id)
    .execute();
}

export async function deleteViewRow(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('saved_views').where('id', '=', id).execute();
}
