import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { Role } from './schema.js';
import type { Tx } from './transaction.js';

// Everything deriving a command's notifications needs to know about the people it may tell,
// in ONE statement (issue 18's write-overhead target): the active users among the explicit
// candidates and the conversation's followers, each with what the visibility policy needs,
// their stored preference row, whether they have any Web Push subscription, and the team's
// settings row. Five reads before, each a round trip and (in Kysely) a compiled statement.

export type AudienceUser = {
  id: number;
  role: Role;
  emailVerifiedAt: number | null;
  /** When they started following the conversation; null when they do not follow it. */
  followedAt: number | null;
  /** The notification_preferences row, when they have one. */
  preferences: { matrix: string; digest: string | null; mailDisabled: boolean } | null;
  pushSubscribed: boolean;
};

export type NotificationAudience = {
  users: AudienceUser[];
  /** The named notification_settings row's value (null when unset, or when no user qualified). */
  setting: string | null;
};

type Row = {
  id: number | string;
  role: Role;
  emailVerifiedAt: number | string | null;
  followedAt: number | string | null;
  matrix: string | null;
  digest: string | null;
  mailDisabled: number | null;
  hasPreferences: number | boolean;
  push: number | boolean;
  setting: string | null;
};

/**
 * Active users among `userIds` and, when `followersOf` is given, that conversation's
 * followers (deactivated ones are left out: they are told nothing). The ids go as one JSON
 * parameter, so the statement's text is the same whatever their number.
 */
export async function readNotificationAudience(
  tx: Tx,
  dialect: Dialect,
  options: { userIds: readonly number[]; followersOf: number | null; settingName: string },
): Promise<NotificationAudience> {
  if (options.userIds.length === 0 && options.followersOf === null) return { users: [], setting: null };
  const ids = JSON.stringify([...new Set(options.userIds)]);
  // -1 names no conversation: the follower half of the union is then empty.
  const followersOf = options.followersOf ?? -1;
  const explicit =
    dialect === 'sqlite' ? sql`select value from json_each(${ids})` : sql`select value::bigint from jsonb_array_elements_text(cast(${ids} as jsonb))`;
  const result = await sql<Row>`
    select u.id, u.role, u."emailVerifiedAt", f."createdAt" as "followedAt",
      p.matrix, p.digest, p."mailDisabled", p."userId" is not null as "hasPreferences",
      exists(select 1 from push_subscriptions s where s."userId" = u.id) as push,
      (select value from notification_settings where name = ${options.settingName}) as setting
    from users u
    left join conversation_participants f on f."conversationId" = ${followersOf} and f."userId" = u.id
    left join notification_preferences p on p."userId" = u.id
    where u."deactivatedAt" is null
      and u.id in (${explicit} union all select "userId" from conversation_participants where "conversationId" = ${followersOf})`.execute(tx);
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  const users = result.rows.map(
    (r): AudienceUser => ({
      id: Number(r.id),
      role: r.role,
      emailVerifiedAt: num(r.emailVerifiedAt),
      followedAt: num(r.followedAt),
      preferences: r.hasPreferences && r.matrix !== null ? { matrix: r.matrix, digest: r.digest, mailDisabled: Number(r.mailDisabled) === 1 } : null,
      pushSubscribed: Boolean(r.push),
    }),
  );
  return { users, setting: result.rows[0]?.setting ?? null };
}
