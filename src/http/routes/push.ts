import { z } from 'zod';
import type { PushChannel } from '../../channels/push/index.js';
import { notFound } from '../../errors.js';
import type { PushSubscriptionRecord } from '../../store/push-subscriptions.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Web Push (issue 18 "Desktop"): the key browsers subscribe with, and each team member's
// own subscriptions. A customer is refused (403): notifications are the team's. Someone
// else's subscription is not found (404), whichever exists.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody };
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url');

const SubscribeBody = z
  .object({
    endpoint: z.string().min(1).max(2048).describe("the push service's URL for this browser (PushSubscription.endpoint): https"),
    keys: z.strictObject({
      p256dh: base64url(200).describe("the browser's P-256 public key"),
      auth: base64url(100).describe('the 16-byte auth secret'),
    }),
    // PushSubscription.toJSON() has it; accepted so the browser's object can be posted as it is.
    expirationTime: z.number().nullable().optional(),
  })
  .strict();

const PushSubscriptionJson = z
  .object({
    id: z.number().int(),
    endpoint: z.string(),
    userAgent: z.string().nullable().describe('the browser that subscribed, as it said'),
    createdAt: z.number().int(),
    lastSuccessAt: z.number().int().nullable().describe('the last push its push service accepted'),
    failures: z.number().int().describe('sends in a row that did not get through'),
  })
  .meta({ id: 'PushSubscription' });

const present = (s: PushSubscriptionRecord) => ({
  id: s.id,
  endpoint: s.endpoint,
  userAgent: s.userAgent,
  createdAt: s.createdAt,
  lastSuccessAt: s.lastSuccessAt,
  failures: s.failures,
});

export const pushRoutes = defineRoutes<{ push: PushChannel }>(async (app, { push }) => {
  app.get(
    '/api/push/public-key',
    {
      schema: {
        tags: ['notifications'],
        summary: "The server's VAPID public key (base64url), the applicationServerKey to subscribe with (team only)",
        response: { 200: z.object({ publicKey: z.string() }), ...errors },
      },
    },
    async (request) => {
      requireTeamMember(request);
      return { publicKey: await push.publicKey() };
    },
  );

  app.post(
    '/api/me/push-subscriptions',
    {
      schema: {
        tags: ['notifications'],
        summary: "Adds this browser's push subscription (idempotent on the endpoint; one someone else registered becomes the caller's) (team only)",
        body: SubscribeBody,
        response: { 200: z.object({ subscription: PushSubscriptionJson }), 201: z.object({ subscription: PushSubscriptionJson }), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      const { endpoint, keys } = request.body;
      const userAgent = request.headers['user-agent'] ?? null;
      const { subscription, created } = await push.subscribe(viewer.id, { endpoint, keys, userAgent });
      return reply.code(created ? 201 : 200).send({ subscription: present(subscription) });
    },
  );

  app.get(
    '/api/me/push-subscriptions',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's push subscriptions, one per browser (team only)",
        response: { 200: z.object({ items: z.array(PushSubscriptionJson) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      return { items: (await push.list(viewer.id)).map(present) };
    },
  );

  app.delete(
    '/api/me/push-subscriptions/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: "Removes one of the caller's push subscriptions (another user's: 404) (team only)",
        params: z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
        response: { 204: z.null().describe('removed'), 404: errorBody, ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      if (!(await push.unsubscribe(viewer.id, request.params.id))) throw notFound('push subscription');
      return reply.code(204).send(null);
    },
  );
});
