import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AccountsContext, MAX_NAME, renameCustomer } from '../../accounts/index.js';
import { notFound } from '../../errors.js';
import type { InboxContext } from '../../inbox/context.js';
import { getCustomer, listCustomerConversations, searchCustomers } from '../../inbox/customers.js';
import { isTeam } from '../../inbox/policies.js';
import { MAX_PAGE, MAX_QUERY } from '../../limits.js';
import { CustomerConversationJson, CustomerJson, CustomerSummaryJson } from '../../present/schemas.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The team's view of its customers (issue 16): who they are, the channels they wrote
// through, their conversations, and a list to search. Customers are answered 404 here,
// their own record too: these routes do not exist for them.

const errors = { 400: errorBody, 401: errorBody, 404: errorBody };
const Params = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const Paging = {
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
};
const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

function requireTeamOr404(request: FastifyRequest) {
  const user = requireUser(request);
  if (!isTeam(user)) throw notFound('route');
  return user;
}

export const customerRoutes = defineRoutes<{ inbox: InboxContext; accounts: AccountsContext }>(async (app, { inbox, accounts }) => {
  app.get(
    '/api/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Lists customers, newest first; `q` finds those whose name or email address starts with it',
        querystring: z.strictObject({ q: z.string().max(MAX_QUERY).optional(), ...Paging }),
        response: { 200: Page(CustomerSummaryJson), ...errors },
      },
    },
    async (request) => {
      requireTeamOr404(request);
      return searchCustomers(inbox, request.query);
    },
  );

  app.get(
    '/api/customers/:id',
    { schema: { tags: ['customers'], params: Params, response: { 200: z.object({ customer: CustomerJson }), ...errors } } },
    async (request) => {
      requireTeamOr404(request);
      return { customer: await getCustomer(inbox, request.params.id) };
    },
  );

  app.get(
    '/api/customers/:id/conversations',
    {
      schema: {
        tags: ['customers'],
        summary: 'The customer’s conversations, latest activity first',
        params: Params,
        querystring: z.strictObject(Paging),
        response: { 200: Page(CustomerConversationJson), ...errors },
      },
    },
    async (request) => {
      requireTeamOr404(request);
      return listCustomerConversations(inbox, request.params.id, request.query);
    },
  );

  app.patch(
    '/api/customers/:id',
    {
      schema: {
        tags: ['customers'],
        summary: 'Corrects a customer’s name (the team)',
        description: 'One line, invisible characters removed. Conversations already opened keep the name they were opened under.',
        params: Params,
        body: z.strictObject({ name: z.string().min(1).max(MAX_NAME) }),
        response: { 200: z.object({ customer: CustomerJson }), ...errors },
      },
    },
    async (request) => {
      requireTeamOr404(request);
      await renameCustomer(accounts, request.params.id, request.body.name);
      return { customer: await getCustomer(inbox, request.params.id) };
    },
  );
});
