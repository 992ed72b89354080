import type { Tx } from './transaction.js';

// Whose notification mail an admin switched off (notification_preferences.mailDisabled,
// migration 0029), for the admins' list on the team page. Few rows: the table has one per
// user who ever changed a preference, and this reads it whole.

export async function listMailDisabledUserIds(tx: Tx): Promise<number[]> {
  const rows = await tx.selectFrom('notification_preferences').select('userId').where('mailDisabled', '=', 1).orderBy('userId').execute();
  return rows.map((r) => Number(r.userId));
}
