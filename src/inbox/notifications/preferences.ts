import { z } from 'zod';
import { type PreferenceRow, readNotificationSetting, readPreferenceRows } from '../../store/notification-preferences.js';
import type { Tx } from '../../store/transaction.js';

// Notification preferences (issue 18): a matrix kind × (in-app, email, desktop) per user
// over the team's defaults, which admins set. Admins can also switch notification mail off
// for one person or for everyone; that wins over any choice of the user's. Read in the
// command's transaction (derive.ts) and again when a mail is about to go (a change made
// during the delay counts).

export const NOTIFICATION_KINDS = ['assigned', 'customer_replied', 'unassigned_activity', 'mentioned', 'participating', 'csat_low_rating'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const EMAIL_MODES = ['off', 'immediate', 'digest'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

export const KindPreference = z.strictObject({
  inApp: z.boolean(),
  email: z.enum(EMAIL_MODES),
  desktop: z.boolean(),
});
export type KindPreference = z.infer<typeof KindPreference>;
export type PreferenceMatrix = Record<NotificationKind, KindPreference>;

export const PreferenceMatrix = z.strictObject(
  Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, KindPreference])) as Record<NotificationKind, typeof KindPreference>,
);
/** What a user stores: only the cells that differ from the defaults may be given. */
export const MatrixOverrides = z.strictObject(
  Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, KindPreference.partial().optional()])) as Record<
    NotificationKind,
    z.ZodOptional<ReturnType<typeof KindPreference.partial>>
  >,
);
export type MatrixOverrides = z.infer<typeof MatrixOverrides>;

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
export const DigestSchedule = z.strictObject({
  every: z.enum(['15m', 'hourly', 'daily']),
  /** Daily digests: the local time of day, HH:MM. */
  at: z.string().regex(TIME_OF_DAY, 'a time of day, HH:MM'),
  /** IANA time zone the time of day is in. */
  timeZone: z.string().min(1).max(64).refine(isTimeZone, 'an IANA time zone, such as Europe/Berlin'),
});
export type DigestSchedule = z.infer<typeof DigestSchedule>;

export const TeamNotificationSettings = z.strictObject({
  defaults: PreferenceMatrix,
  digest: DigestSchedule,
  /** Notification mail for everyone; off, nobody gets any (the in-app bell and desktop stay). */
  mailEnabled: z.boolean(),
  /** Message text in Web Push payloads (they pass through the browser vendor's push service). */
  pushPreviews: z.boolean(),
  /** How long a notification waits before it is mailed: read or viewed meanwhile, it is not. */
  mailDelaySeconds: z
    .number()
    .int()
    .min(0)
    .max(24 * 60 * 60),
});
export type TeamNotificationSettings = z.infer<typeof TeamNotificationSettings>;

export const BUILT_IN_SETTINGS: TeamNotificationSettings = {
  defaults: {
    assigned: { inApp: true, email: 'immediate', desktop: true },
    customer_replied: { inApp: true, email: 'immediate', desktop: true },
    unassigned_activity: { inApp: true, email: 'off', desktop: true },
    mentioned: { inApp: true, email: 'immediate', desktop: true },
    participating: { inApp: true, email: 'off', desktop: false },
    csat_low_rating: { inApp: true, email: 'immediate', desktop: false },
  },
  digest: { every: 'hourly', at: '09:00', timeZone: 'UTC' },
  mailEnabled: true,
  pushPreviews: false,
  mailDelaySeconds: 120,
};

export const TEAM_SETTINGS_NAME = 'team';

/** The team's settings: the stored ones over the built-in (a setting added later takes its built-in value). */
export async function readTeamSettings(tx: Tx): Promise<TeamNotificationSettings> {
  return parseTeamSettings(await readNotificationSetting(tx, TEAM_SETTINGS_NAME));
}

/** The team's settings from the stored row's value (null: none stored), as readTeamSettings gives them. */
export function parseTeamSettings(stored: string | null): TeamNotificationSettings {
  if (!stored) return BUILT_IN_SETTINGS;
  const parsed = TeamNotificationSettings.partial().safeParse(JSON.parse(stored));
  if (!parsed.success) return BUILT_IN_SETTINGS;
  const value = parsed.data;
  return { ...BUILT_IN_SETTINGS, ...value, defaults: mergeMatrix(BUILT_IN_SETTINGS.defaults, value.defaults ?? {}) };
}

/** What applies to one user now. */
export type EffectivePreferences = {
  userId: number;
  matrix: PreferenceMatrix;
  digest: DigestSchedule;
  /** Mail may go to this user at all: on for the team, not switched off for them by an admin. */
  mailAllowed: boolean;
  /** The user's own overrides and the admin switch, as stored (for the preferences page). */
  overrides: MatrixOverrides;
  ownDigest: DigestSchedule | null;
  mailDisabledByAdmin: boolean;
  /**
   * Whether the user has any Web Push subscription, when it was read along (derive.ts reads it
   * with the audience); undefined: not known, push-plan.ts looks it up.
   */
  pushSubscribed?: boolean;
};

export async function loadPreferences(tx: Tx, userIds: readonly number[], team?: TeamNotificationSettings): Promise<Map<number, EffectivePreferences>> {
  const settings = team ?? (await readTeamSettings(tx));
  const rows = new Map((await readPreferenceRows(tx, userIds)).map((r) => [r.userId, r]));
  const result = new Map<number, EffectivePreferences>();
  for (const userId of new Set(userIds)) result.set(userId, effectivePreferences(userId, rows.get(userId) ?? null, settings));
  return result;
}

/** One user's preferences from their stored row (null: they have none) over the team's settings. */
export function effectivePreferences(
  userId: number,
  row: Pick<PreferenceRow, 'matrix' | 'digest' | 'mailDisabled'> | null,
  settings: TeamNotificationSettings,
): EffectivePreferences {
  const overrides = row ? parseOr(MatrixOverrides, row.matrix, {}) : {};
  const ownDigest = row?.digest ? parseOr(DigestSchedule.nullable(), row.digest, null) : null;
  const mailDisabledByAdmin = row?.mailDisabled ?? false;
  return {
    userId,
    matrix: mergeMatrix(settings.defaults, overrides),
    digest: ownDigest ?? settings.digest,
    mailAllowed: settings.mailEnabled && !mailDisabledByAdmin,
    overrides,
    ownDigest,
    mailDisabledByAdmin,
  };
}

/** The channels one notification of `kind` goes to for this user. */
export function channelsFor(prefs: EffectivePreferences, kind: NotificationKind): KindPreference {
  const cell = prefs.matrix[kind];
  return { inApp: cell.inApp, email: prefs.mailAllowed ? cell.email : 'off', desktop: cell.desktop };
}

export function mergeMatrix(base: PreferenceMatrix, overrides: MatrixOverrides): PreferenceMatrix {
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { ...base[k], ...(overrides[k] ?? {}) }])) as PreferenceMatrix;
}

export const isNotificationKind = (kind: string): kind is NotificationKind => (NOTIFICATION_KINDS as readonly string[]).includes(kind);

function parseOr<T>(schema: z.ZodType<T>, json: string, fallback: T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
