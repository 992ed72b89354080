import { z } from 'zod';
import { DomainError, notFound } from '../../errors.js';
import { saveNotificationPreferences, saveTeamNotificationSettings, setNotificationMailDisabled } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import {
  isTeamMember,
  listNotificationDeliveries,
  notificationKinds,
  readNotificationPreferences,
  readTeamNotificationSettings,
} from '../../inbox/notifications/preference-queries.js';
import { DigestSchedule, MatrixOverrides, NOTIFICATION_KINDS, PreferenceMatrix, TeamNotificationSettings } from '../../inbox/notifications/preferences.js';
import { canManageNotificationSettings, canReadDeliveriesOf, type Viewer } from '../../inbox/policies.js';
import { formatConversationNumber } from '../../inbox/records.js';
import { MAX_PAGE } from '../../limits.js';
import type { DeliveryRecord } from '../../store/notification-deliveries.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Notification preferences, the team's notification settings and the delivery log (issue
// 18). Everyone on the team has their own preferences and deliveries; the team settings, a
// person's mail switch and someone else's deliveries are the admins'. Customers have no
// notifications: 403 on all of it.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };
const UserParams = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const KindJson = z.object({ kind: z.enum(NOTIFICATION_KINDS), label: z.string(), description: z.string() });
const PreferencesJson = z
  .object({
    kinds: z.array(KindJson).describe('the kinds, in the order the page lists them'),
    matrix: PreferenceMatrix.describe('what applies now: the team defaults with your overrides over them'),
    overrides: MatrixOverrides.describe('only the cells you set that differ from the defaults'),
    defaults: PreferenceMatrix.describe('the team defaults an admin sets'),
    digest: DigestSchedule.describe('the digest schedule that applies: yours, else the team’s'),
    ownDigest: DigestSchedule.nullable().describe('your own digest schedule; null: the team’s'),
    teamDigest: DigestSchedule.describe('the team’s digest schedule'),
    mailAllowed: z.boolean().describe('false: no notification mail goes to you, whatever the matrix says'),
    mailDisabledByAdmin: z.boolean().describe('an admin switched your notification mail off'),
    teamMailEnabled: z.boolean().describe('notification mail is on for the team'),
  })
  .meta({ id: 'NotificationPreferences' });
const PreferencesBody = z.strictObject({
  matrix: MatrixOverrides.optional().describe('a full or partial matrix: the cells given are set, the others kept'),
  digest: DigestSchedule.nullable().optional().describe('your digest schedule; null: follow the team’s; absent: unchanged'),
});

const SettingsJson = TeamNotificationSettings.extend({
  mailDisabledFor: z.array(z.number().int()).describe('the team members whose notification mail an admin switched off'),
}).meta({ id: 'TeamNotificationSettings' });
const SettingsBody = TeamNotificationSettings.omit({ defaults: true })
  .partial()
  .extend({ defaults: MatrixOverrides.optional().describe('a full or partial default matrix') })
  .strict();

const DeliveryJson = z
  .object({
    id: z.number().int(),
    notificationId: z.number().int().nullable(),
    conversation: z
      .object({ id: z.number().int(), number: z.string().describe('CONV-000123') })
      .nullable()
      .describe('null when it is gone'),
    channel: z.enum(['email', 'digest', 'push']),
    status: z.enum(['queued', 'sent', 'skipped', 'failed']),
    reason: z.string().nullable().describe('why it was skipped: read, preference, no_address, no_subscription, deleted'),
    error: z.string().nullable().describe('what the mail server or push service answered, when it failed'),
    target: z.string().nullable().describe('where it went: an address, a push service’s host'),
    createdAt: z.number().describe('epoch milliseconds'),
    updatedAt: z.number().describe('epoch milliseconds: the outcome'),
  })
  .meta({ id: 'NotificationDelivery' });
const DeliveriesQuery = z.strictObject({
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().describe("the previous page's nextBefore"),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
});
const DeliveriesJson = z.object({ items: z.array(DeliveryJson), nextBefore: z.number().int().nullable() });

function presentDelivery(d: DeliveryRecord): z.infer<typeof DeliveryJson> {
  return {
    id: d.id,
    notificationId: d.notificationId,
    conversation:
      d.conversationId !== null && d.conversationNumber !== null ? { id: d.conversationId, number: formatConversationNumber(d.conversationNumber) } : null,
    channel: d.channel,
    status: d.status,
    reason: d.reason,
    error: d.error,
    target: d.target,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

function requireAdmin(viewer: Viewer, what: string): void {
  if (!canManageNotificationSettings(viewer)) throw new DomainError('forbidden', `Only an admin can ${what}`);
}

export const notificationPreferenceRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const mine = async (userId: number) => {
    const p = await readNotificationPreferences(inbox, userId);
    return {
      kinds: notificationKinds(),
      matrix: p.matrix,
      overrides: p.overrides,
      defaults: p.team.defaults,
      digest: p.digest,
      ownDigest: p.ownDigest,
      teamDigest: p.team.digest,
      mailAllowed: p.mailAllowed,
      mailDisabledByAdmin: p.mailDisabledByAdmin,
      teamMailEnabled: p.team.mailEnabled,
    };
  };

  app.get(
    '/api/me/notification-preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's notification preferences: what applies, what they set, the team's defaults (team only)",
        response: { 200: PreferencesJson, ...errors },
      },
    },
    async (request) => mine(requireTeamMember(request).id),
  );

  app.put(
    '/api/me/notification-preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: "Sets the caller's notification preferences; only what differs from the team's defaults is kept (team only)",
        body: PreferencesBody,
        response: { 200: PreferencesJson, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      await saveNotificationPreferences(inbox, { userId: viewer.id, overrides: request.body.matrix ?? {}, digest: request.body.digest });
      return mine(viewer.id);
    },
  );

  app.get(
    '/api/notification-settings',
    { schema: { tags: ['notifications'], summary: "The team's notification settings (admins)", response: { 200: SettingsJson, ...errors } } },
    async (request) => {
      requireAdmin(requireTeamMember(request), 'read the team’s notification settings');
      const { settings, mailDisabledFor } = await readTeamNotificationSettings(inbox);
      return { ...settings, mailDisabledFor };
    },
  );

  app.put(
    '/api/notification-settings',
    {
      schema: {
        tags: ['notifications'],
        summary: "Changes the team's notification settings; what is not given stays (admins)",
        body: SettingsBody,
        response: { 200: SettingsJson, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      await saveTeamNotificationSettings(inbox, { by: { userId: viewer.id }, settings: request.body });
      const { settings, mailDisabledFor } = await readTeamNotificationSettings(inbox);
      return { ...settings, mailDisabledFor };
    },
  );

  app.put(
    '/api/users/:id/notification-mail',
    {
      schema: {
        tags: ['notifications'],
        summary: "Switches a team member's notification mail off or on again; it wins over their own preferences (admins)",
        params: UserParams,
        body: z.strictObject({ disabled: z.boolean() }),
        response: { 200: z.object({ userId: z.number().int(), disabled: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      await setNotificationMailDisabled(inbox, { userId: request.params.id, disabled: request.body.disabled, by: { userId: viewer.id } });
      return { userId: request.params.id, disabled: request.body.disabled };
    },
  );

  app.get(
    '/api/me/notification-deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's notification deliveries (mail, digest, push) and what became of each, newest first (team only)",
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesJson, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const page = await listNotificationDeliveries(inbox, viewer.id, request.query);
      return { items: page.items.map(presentDelivery), nextBefore: page.nextBefore };
    },
  );

  app.get(
    '/api/users/:id/notification-deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: "A team member's notification deliveries, newest first (admins; anyone their own)",
        params: UserParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesJson, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      if (!canReadDeliveriesOf(viewer, request.params.id)) throw new DomainError('forbidden', 'Only an admin reads someone else’s notification deliveries');
      if (!(await isTeamMember(inbox, request.params.id))) throw notFound('team member');
      const page = await listNotificationDeliveries(inbox, request.params.id, request.query);
      return { items: page.items.map(presentDelivery), nextBefore: page.nextBefore };
    },
  );
});
