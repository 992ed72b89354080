import { z } from 'zod';
import { getTeam, type AccountsContext } from '../../accounts/index.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { presentUser } from '../presenters.js';
import { defineRoutes } from '../routing.js';
import { UserJson } from '../schemas.js';

export const userRoutes = defineRoutes<{ accounts: AccountsContext }>(async (app, { accounts }) => {
  // The people a conversation can be assigned to. Customers are never listed.
  app.get('/api/users', {
    schema: {
      tags: ['users'],
      querystring: z.strictObject({
        role: z.enum(['admin', 'agent']).optional().describe('agent: everyone who can be assigned (admins answer conversations too); admin: admins only'),
      }),
      response: { 200: z.object({ items: z.array(UserJson) }), 401: errorBody, 403: errorBody, 400: errorBody },
    },
  }, async (request) => {
    requireTeamMember(request);
    const team = await getTeam(accounts, { role: request.query.role === 'admin' ? 'admin' : undefined });
    return { items: team.map(presentUser) };
  });
});
