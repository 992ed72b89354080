import { z } from 'zod';
import { CalendarJson, getDefaultCalendar, setDefaultCalendar } from '../../calendar/index.js';
import type { Store } from '../../store/database.js';
import { requireTeamMember, requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The business hours: the default calendar every instance reads (the widget's opening
// hours today; SLA clocks and reports next). The team reads it, admins change it.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody };

const BusinessHoursJson = z
  .object({
    calendar: CalendarJson,
    updatedAt: z.number().int().nullable().describe('null: none stored yet, so always open'),
    updatedBy: z.number().int().nullable().describe('the admin who set it; null when seeded from BUSINESS_HOURS'),
  })
  .meta({ id: 'BusinessHours' });

export const calendarRoutes = defineRoutes<{ store: Store; clock?: () => number }>(async (app, { store, clock }) => {
  app.get(
    '/api/settings/business-hours',
    {
      schema: { tags: ['settings'], response: { 200: BusinessHoursJson, ...errors } },
    },
    async (request) => {
      requireTeamMember(request);
      return getDefaultCalendar(store);
    },
  );

  app.put(
    '/api/settings/business-hours',
    {
      schema: {
        tags: ['settings'],
        description:
          'Replaces the business hours (admins only). An interval whose `to` is at or before its `from` runs past midnight; no intervals: always open.',
        body: CalendarJson,
        response: { 200: BusinessHoursJson, ...errors },
      },
    },
    async (request) => setDefaultCalendar(store, request.body, requireUser(request), clock),
  );
});
