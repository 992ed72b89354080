import { z } from 'zod';
import { DomainError, notFound } from '../../errors.js';
import { createTeam, deleteTeam, updateTeam } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { canManageTeams } from '../../inbox/policies.js';
import { getTeams } from '../../inbox/queries.js';
import { MAX_TEAM_DESCRIPTION, MAX_TEAM_MEMBERS, MAX_TEAM_NAME } from '../../limits.js';
import { TeamJson } from '../../present/schemas.js';
import { CHANNELS } from '../../store/schema.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Teams: the team reads them (the sidebar, a conversation's details), admins manage them.
// Customers never see a team: every route here answers them 403.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const memberIds = z.array(z.number().int().positive()).max(MAX_TEAM_MEMBERS).describe('the whole member list (user ids of team members)');
const channels = z
  .array(z.enum(CHANNELS))
  .max(CHANNELS.length)
  .describe('the channels whose new conversations go to this team (and its assignment rule); a channel another team had moves here');

const CreateBody = z.strictObject({
  name: z.string().min(1).max(MAX_TEAM_NAME),
  description: z.string().max(MAX_TEAM_DESCRIPTION).optional(),
  memberIds: memberIds.optional(),
  channels: channels.optional(),
});

const PatchBody = z
  .strictObject({
    name: CreateBody.shape.name.optional(),
    description: CreateBody.shape.description,
    memberIds: memberIds.optional(),
    channels: channels.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one of name, description, memberIds, channels');

export const teamRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  /** An admin, asking; anyone else of the team is refused. */
  const requireManager = (request: Parameters<typeof requireTeamMember>[0]) => {
    const viewer = requireTeamMember(request);
    if (!canManageTeams(viewer)) throw new DomainError('forbidden', 'only admins manage teams');
    return viewer;
  };
  const withOpen = async (id: number) => {
    const team = (await getTeams(inbox)).find((t) => t.id === id);
    if (!team) throw notFound('team');
    return team;
  };

  app.get(
    '/api/teams',
    { schema: { tags: ['teams'], summary: 'Every team with its members (team only)', response: { 200: z.object({ items: z.array(TeamJson) }), ...errors } } },
    async (request) => {
      requireTeamMember(request);
      return { items: await getTeams(inbox) };
    },
  );

  app.post(
    '/api/teams',
    { schema: { tags: ['teams'], summary: 'Creates a team (admins only)', body: CreateBody, response: { 201: z.object({ team: TeamJson }), ...errors } } },
    async (request, reply) => {
      const viewer = requireManager(request);
      const team = await createTeam(inbox, { ...request.body, by: { userId: viewer.id } });
      return reply.code(201).send({ team: await withOpen(team.id) });
    },
  );

  app.patch(
    '/api/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Renames a team, changes its description or its members (admins only)',
        params: Params,
        body: PatchBody,
        response: { 200: z.object({ team: TeamJson }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireManager(request);
      const team = await updateTeam(inbox, { ...request.body, id: request.params.id, by: { userId: viewer.id } });
      return { team: await withOpen(team.id) };
    },
  );

  app.delete(
    '/api/teams/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Deletes a team (admins only); its conversations stay, without a team',
        params: Params,
        response: { 200: z.object({ conversations: z.number().int().describe('how many conversations it took out of the team') }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireManager(request);
      return deleteTeam(inbox, { id: request.params.id, by: { userId: viewer.id } });
    },
  );
});
