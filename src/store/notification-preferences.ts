import type { Tx } from './transaction.js';

// Notification preferences and team-wide notification settings (migration 0029). The
// values are JSON the inbox parses (inbox/notifications/preferences.ts); this module only
// moves them.

export type PreferenceRow = { userId: number; matrix: string; digest: string | null; mailDisabled: boolean; updatedAt: number };

export async function readPreferenceRows(tx: Tx, userIds: readonly number[]): Promise<PreferenceRow[]> {
  if (userIds.length === 0) return [];
  const rows = await tx
    .selectFrom('notification_preferences')
    .selectAll()
    .where('userId', 'in', [...new Set(userIds)])
    .execute();
  return rows.map((r) => ({
    userId: Number(r.userId),
    matrix: r.matrix,
    digest: r.digest,
    mailDisabled: Number(r.mailDisabled) === 1,
    updatedAt: Number(r.updatedAt),
  }));
}

/** Writes a user's row whole (insert or replace). */
export async function writePreferenceRow(tx: Tx, row: PreferenceRow): Promise<void> {
  const values = { userId: row.userId, matrix: row.matrix, digest: row.digest, mailDisabled: row.mailDisabled ? 1 : 0, updatedAt: row.updatedAt };
  await tx
    .insertInto('notification_preferences')
    .values(values)
    .onConflict((oc) =>
      oc.column('userId').doUpdateSet({ matrix: values.matrix, digest: values.digest, mailDisabled: values.mailDisabled, updatedAt: values.updatedAt }),
    )
    .execute();
}

export async function readNotificationSetting(tx: Tx, name: string): Promise<string | null> {
  const row = await tx.selectFrom('notification_settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

export async function writeNotificationSetting(tx: Tx, name: string, value: string): Promise<void> {
  await tx
    .insertInto('notification_settings')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
    .execute();
}

/** The stored value, inserting `fallback` first when there is none: the first writer wins (the VAPID keys every instance shares). */
export async function notificationSettingOrInsert(tx: Tx, name: string, fallback: string): Promise<string> {
  await tx
    .insertInto('notification_settings')
    .values({ name, value: fallback })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await tx.selectFrom('notification_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
