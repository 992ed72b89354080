import { DomainError, notFound } from '../../errors.js';
import { type PreferenceRow, readPreferenceRows, writeNotificationSetting, writePreferenceRow } from '../../store/notification-preferences.js';
import type { Tx } from '../../store/transaction.js';
import { findUserById } from '../../store/users.js';
import { type Actor, resolveActor } from '../actors.js';
import {
  type DigestSchedule,
  type MatrixOverrides,
  mergeMatrix,
  NOTIFICATION_KINDS,
  type PreferenceMatrix,
  readTeamSettings,
  TEAM_SETTINGS_NAME,
  type TeamNotificationSettings,
} from '../notifications/preferences.js';
import { canManageNotificationSettings, isTeam } from '../policies.js';
import { type CommandTarget, runCommand } from './unit.js';

// Writing notification preferences (issue 18 "Preferences"). No conversation events: what
// one person wants to hear concerns nobody else, and the team settings are configuration.
// A user's row keeps only the cells that differ from the team's defaults, so a cell the user
// never changed (or set back to the default) follows the defaults when an admin changes them.

export type SavePreferencesInput = {
  userId: number;
  /** The cells to set; cells not named keep what the user had. */
  overrides: MatrixOverrides;
  /** The user's own digest schedule; null: the team's; undefined: unchanged. */
  digest?: DigestSchedule | null;
};

/** Keeps only what differs from `defaults`, cell by cell. */
export function pruneOverrides(wanted: PreferenceMatrix, defaults: PreferenceMatrix): MatrixOverrides {
  const result: MatrixOverrides = {};
  for (const kind of NOTIFICATION_KINDS) {
    const cell: Record<string, unknown> = {};
    for (const channel of ['inApp', 'email', 'desktop'] as const) if (wanted[kind][channel] !== defaults[kind][channel]) cell[channel] = wanted[kind][channel];
    if (Object.keys(cell).length > 0) result[kind] = cell;
  }
  return result;
}

const emptyRow = (userId: number, now: number): PreferenceRow => ({ userId, matrix: '{}', digest: null, mailDisabled: false, updatedAt: now });

async function teamMemberRow(tx: Tx, userId: number, now: number): Promise<PreferenceRow> {
  const user = await findUserById(tx, userId);
  // Customers have no notifications: for them this page does not exist.
  if (!user || !isTeam(user)) throw notFound('team member');
  return (await readPreferenceRows(tx, [userId]))[0] ?? emptyRow(userId, now);
}

function parseOverrides(json: string): MatrixOverrides {
  try {
    return JSON.parse(json) as MatrixOverrides;
  } catch {
    return {};
  }
}

/** A team member's own choices, merged over what they had and stored as the differences from the team's defaults. */
export function saveNotificationPreferences(target: CommandTarget, input: SavePreferencesInput): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const row = await teamMemberRow(unit.tx, input.userId, now);
    const team = await readTeamSettings(unit.tx);
    const before = mergeMatrix(team.defaults, parseOverrides(row.matrix));
    const wanted = mergeMatrix(before, input.overrides);
    const digest = input.digest === undefined ? row.digest : input.digest === null ? null : JSON.stringify(input.digest);
    await writePreferenceRow(unit.tx, { ...row, matrix: JSON.stringify(pruneOverrides(wanted, team.defaults)), digest, updatedAt: now });
  });
}

/** The team's notification settings; what is not given stays as it is (a default cell as well). */
export type TeamSettingsChange = Partial<Omit<TeamNotificationSettings, 'defaults'>> & { defaults?: MatrixOverrides };

export function saveTeamNotificationSettings(target: CommandTarget, input: { by: Actor; settings: TeamSettingsChange }): Promise<TeamNotificationSettings> {
  return runCommand(target, async (unit, now) => {
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!canManageNotificationSettings(actor)) throw new DomainError('forbidden', 'only an admin changes the team’s notification settings');
    const current = await readTeamSettings(unit.tx);
    const { defaults, ...rest } = input.settings;
    const next: TeamNotificationSettings = { ...current, ...rest, defaults: mergeMatrix(current.defaults, defaults ?? {}) };
    await writeNotificationSetting(unit.tx, TEAM_SETTINGS_NAME, JSON.stringify(next));
    return next;
  });
}

/** An admin switches one person's notification mail off (or on again); it wins over the person's own choices. */
export function setNotificationMailDisabled(target: CommandTarget, input: { userId: number; disabled: boolean; by: Actor }): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!canManageNotificationSettings(actor)) throw new DomainError('forbidden', 'only an admin switches someone’s notification mail off or on');
    const row = await teamMemberRow(unit.tx, input.userId, now);
    await writePreferenceRow(unit.tx, { ...row, mailDisabled: input.disabled, updatedAt: now });
  });
}
