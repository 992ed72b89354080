import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { readRules, setAssignmentRule } from '../../inbox/commands/assignment-rules.js';
import type { InboxContext } from '../../inbox/context.js';
import { canManageTeams } from '../../inbox/policies.js';
import { MAX_CAPACITY, MAX_TEAM_MEMBERS } from '../../limits.js';
import { AssignmentRuleJson } from '../../present/schemas.js';
import { NO_TEAM } from '../../store/assignment.js';
import { ASSIGNMENT_MODES } from '../../store/schema.js';
import { listTeams } from '../../store/teams.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Assignment rules: how a team's new, reopened and handed-over conversations are given out
// (`none`: those without a team). The team reads them; admins set them. Customers: 403.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody };
const capacity = z.number().int().min(0).max(MAX_CAPACITY);

const RuleBody = z.strictObject({
  mode: z
    .enum(ASSIGNMENT_MODES)
    .describe('manual: nobody is given anything; round_robin: online members in turn; balanced: the online member with the fewest open and pending'),
  capacity: capacity.nullable().describe('most open and pending conversations a member may hold for the rule to give them another; null: no limit'),
  capacities: z
    .array(z.strictObject({ userId: z.number().int().positive(), capacity }))
    .max(MAX_TEAM_MEMBERS)
    .default([])
    .describe("members' own capacities, over the rule's"),
  arrivals: z
    .strictObject({ new: z.boolean(), reopened: z.boolean(), handover: z.boolean() })
    .default({ new: true, reopened: true, handover: true })
    .describe(
      'which arrivals the rule takes: new conversations (and ones moved into the team), reopened ones whose assignee is away, chats the bot hands over',
    ),
});

const Params = z.strictObject({
  team: z.union([z.literal('none'), z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)]).describe('a team id, or none'),
});

export const assignmentRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const present = async (scopes?: number[]) => {
    const teams = await listTeams(inbox.store.db);
    const rules = await readRules(inbox.store.db, scopes ?? teams.map((t) => t.id));
    return rules
      .filter((r) => !scopes || scopes.includes(r.scope))
      .map(({ scope, ...rule }) => {
        const team = teams.find((t) => t.id === scope);
        return { ...rule, team: team ? { id: team.id, name: team.name } : null };
      });
  };

  app.get(
    '/api/assignment-rules',
    {
      schema: {
        tags: ['teams'],
        summary: 'How conversations are given out: the rule without a team, then each team’s (team only)',
        response: { 200: z.object({ items: z.array(AssignmentRuleJson) }), ...errors },
      },
    },
    async (request) => {
      requireTeamMember(request);
      return { items: await present() };
    },
  );

  app.put(
    '/api/assignment-rules/:team',
    {
      schema: {
        tags: ['teams'],
        summary: "Sets a team's assignment rule, or the one without a team (admins only); what waits in the queue is given out at once if it can be",
        params: Params,
        body: RuleBody,
        response: { 200: z.object({ rule: AssignmentRuleJson }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      if (!canManageTeams(viewer)) throw new DomainError('forbidden', 'only admins set assignment rules');
      const scope = request.params.team === 'none' ? NO_TEAM : request.params.team;
      await setAssignmentRule(inbox, { ...request.body, scope, by: { userId: viewer.id } });
      const [rule] = await present([scope]);
      return { rule: rule! };
    },
  );
});
