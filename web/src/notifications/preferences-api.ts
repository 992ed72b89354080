import { api } from '../api/client';

// Notification preferences, the team's notification settings and the delivery log (issue
// 18): the shapes of src/http/routes/notification-preferences.ts, and its calls.

export const NOTIFICATION_KINDS = ['assigned', 'customer_replied', 'unassigned_activity', 'mentioned', 'participating', 'csat_low_rating'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export type EmailMode = 'off' | 'immediate' | 'digest';
export type KindPreference = { inApp: boolean; email: EmailMode; desktop: boolean };
export type PreferenceMatrix = Record<NotificationKind, KindPreference>;
export type MatrixOverrides = Partial<Record<NotificationKind, Partial<KindPreference>>>;
export type DigestSchedule = { every: '15m' | 'hourly' | 'daily'; at: string; timeZone: string };

export type NotificationPreferences = {
  kinds: { kind: NotificationKind; label: string; description: string }[];
  matrix: PreferenceMatrix;
  overrides: MatrixOverrides;
  defaults: PreferenceMatrix;
  digest: DigestSchedule;
  ownDigest: DigestSchedule | null;
  teamDigest: DigestSchedule;
  mailAllowed: boolean;
  mailDisabledByAdmin: boolean;
  teamMailEnabled: boolean;
};

export type TeamNotificationSettings = {
  defaults: PreferenceMatrix;
  digest: DigestSchedule;
  mailEnabled: boolean;
  pushPreviews: boolean;
  mailDelaySeconds: number;
  mailDisabledFor: number[];
};

export type Delivery = {
  id: number;
  notificationId: number | null;
  conversation: { id: number; number: string } | null;
  channel: 'email' | 'digest' | 'push';
  status: 'queued' | 'sent' | 'skipped' | 'failed';
  reason: string | null;
  error: string | null;
  target: string | null;
  createdAt: number;
  updatedAt: number;
};
export type DeliveryPage = { items: Delivery[]; nextBefore: number | null };

export const preferenceKeys = {
  mine: ['notification-preferences'] as const,
  team: ['notification-settings'] as const,
  deliveries: (userId: number | 'me') => ['notification-deliveries', userId] as const,
};

export const getMyPreferences = () => api<NotificationPreferences>('GET', '/api/me/notification-preferences');

export const saveMyPreferences = (body: { matrix?: MatrixOverrides; digest?: DigestSchedule | null }) =>
  api<NotificationPreferences>('PUT', '/api/me/notification-preferences', { body });

export const getTeamSettings = () => api<TeamNotificationSettings>('GET', '/api/notification-settings');

export const saveTeamSettings = (body: Partial<Omit<TeamNotificationSettings, 'defaults' | 'mailDisabledFor'>> & { defaults?: MatrixOverrides }) =>
  api<TeamNotificationSettings>('PUT', '/api/notification-settings', { body });

export const setPersonMailDisabled = (userId: number, disabled: boolean) =>
  api<{ userId: number; disabled: boolean }>('PUT', `/api/users/${userId}/notification-mail`, { body: { disabled } });

export function getDeliveries(userId: number | 'me', before: number | null, limit = 20): Promise<DeliveryPage> {
  const base = userId === 'me' ? '/api/me/notification-deliveries' : `/api/users/${userId}/notification-deliveries`;
  return api<DeliveryPage>('GET', `${base}?limit=${limit}${before ? `&before=${before}` : ''}`);
}

/** The browser's own time zone: the default for a new digest schedule. */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
