import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AccountsContext, createUser, getTeam, MAX_PASSWORD, MIN_PASSWORD, updateTeamMember } from '../../accounts/index.js';
import { DomainError } from '../../errors.js';
import { canManageUsers } from '../../inbox/policies.js';
import { MAX_EMAIL, MAX_NAME } from '../../limits.js';
import { presentUser } from '../../present/presenters.js';
import { UserJson } from '../../present/schemas.js';
import { requireTeamMember, requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The team: who conversations can be assigned to, and the admins' page to manage them.
// Customers are never listed or changed here.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const TeamRole = z.enum(['agent', 'admin']);
const Name = z.string().min(1).max(MAX_NAME);

const ListQuery = z.strictObject({
  role: z.enum(['admin', 'agent']).optional().describe('agent: everyone who can be assigned (admins answer conversations too); admin: admins only'),
  includeInactive: z.enum(['true', 'false']).optional().describe('admins only: also list deactivated team members'),
});

const CreateBody = z.strictObject({
  name: Name,
  email: z.string().min(3).max(MAX_EMAIL),
  password: z.string().min(MIN_PASSWORD).max(MAX_PASSWORD),
  role: TeamRole,
});

const PatchBody = z
  .strictObject({
    name: Name.optional(),
    role: TeamRole.optional(),
    active: z.boolean().optional().describe('false deactivates: their sessions end and their API tokens stop working'),
  })
  .refine((body) => body.name !== undefined || body.role !== undefined || body.active !== undefined, 'give at least one of name, role, active');

const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

function requireAdmin(request: FastifyRequest) {
  const user = requireUser(request);
  if (!canManageUsers(user)) throw new DomainError('forbidden', 'Only an admin can manage the team');
  return user;
}

export const userRoutes = defineRoutes<{ accounts: AccountsContext }>(async (app, { accounts }) => {
  app.get(
    '/api/users',
    {
      schema: { tags: ['users'], querystring: ListQuery, response: { 200: z.object({ items: z.array(UserJson) }), ...errors } },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const includeDeactivated = request.query.includeInactive === 'true';
      if (includeDeactivated && !canManageUsers(viewer))
        throw new DomainError('forbidden', 'Only an admin sees deactivated team members', 'query.includeInactive');
      const team = await getTeam(accounts, { role: request.query.role === 'admin' ? 'admin' : undefined, includeDeactivated });
      return { items: team.map((user) => presentUser(user, viewer, accounts.clock())) };
    },
  );

  app.post(
    '/api/users',
    {
      schema: { tags: ['users'], body: CreateBody, response: { 201: z.object({ user: UserJson }), ...errors } },
    },
    async (request, reply) => {
      const viewer = requireAdmin(request);
      const user = await createUser(accounts, request.body);
      return reply.code(201).send({ user: presentUser(user, viewer) });
    },
  );

  app.patch(
    '/api/users/:id',
    {
      schema: { tags: ['users'], params: Params, body: PatchBody, response: { 200: z.object({ user: UserJson }), ...errors } },
    },
    async (request) => {
      const viewer = requireAdmin(request);
      const user = await updateTeamMember(accounts, request.params.id, request.body);
      return { user: presentUser(user, viewer) };
    },
  );
});
