import { z } from 'zod';
import { type AccountsContext, getUserByEmail } from '../../accounts/index.js';
import { DomainError } from '../../errors.js';
import { normalizeEmail } from '../../inbox/actors.js';
import { createConversation } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { isTeam } from '../../inbox/policies.js';
import { MAX_EMAIL, MAX_NAME, MAX_SUBJECT, MAX_VISITOR_MESSAGE } from '../../limits.js';
import { errorBody } from '../errors.js';
import { SlidingWindowLimiter } from '../rate-limiter.js';
import { defineRoutes } from '../routing.js';

// POST /api/contact: the public contact form (/contact, also embedded on other sites).
// No account: the customer is found or created by address (unverified, without a
// password) and the ticket opened through the same command as every other. What keeps
// bots out: a honeypot field people never see, and limits per client address and per
// email address (in memory, per instance, like the login limits).

export type ContactLimits = { perIp: number; perEmail: number };
export const DEFAULT_CONTACT_LIMITS: ContactLimits = { perIp: 5, perEmail: 3 };
const IP_WINDOW_MS = 10 * 60_000;
const EMAIL_WINDOW_MS = 60 * 60_000;

const ContactBody = z.strictObject({
  name: z.string().trim().min(1).max(MAX_NAME),
  email: z.string().trim().min(3).max(MAX_EMAIL),
  subject: z.string().trim().min(1).max(MAX_SUBJECT),
  message: z.string().trim().min(1).max(MAX_VISITOR_MESSAGE),
  website: z.string().max(500).optional().describe('leave empty: a field hidden from people, which bots fill in'),
});

export const contactRoutes = defineRoutes<{ inbox: InboxContext; accounts: AccountsContext; limits?: ContactLimits }>(
  async (app, { inbox, accounts, limits = DEFAULT_CONTACT_LIMITS }) => {
    const refusal = 'Too many messages from here; please wait a while, or write to us by email';
    const perIp = new SlidingWindowLimiter(limits.perIp, IP_WINDOW_MS, Date.now, refusal);
    const perEmail = new SlidingWindowLimiter(limits.perEmail, EMAIL_WINDOW_MS, Date.now, refusal);

    app.post(
      '/api/contact',
      {
        schema: {
          tags: ['contact'],
          summary: 'Sends the public contact form: opens a ticket, no account needed',
          description:
            `At most ${limits.perIp} messages per 10 minutes from one client address and ${limits.perEmail} per hour for one email address (429 beyond). ` +
            'A filled-in `website` (the honeypot) is refused with 400 and stores nothing. The customer is created if the address is new; ' +
            'they see the conversation in the portal once they have confirmed the address.',
          body: ContactBody,
          response: { 201: z.object({ number: z.string().describe('CONV-000123') }), 400: errorBody, 403: errorBody, 429: errorBody },
        },
      },
      async (request, reply) => {
        const { name, subject, message, website } = request.body;
        perIp.take(request.ip);
        const email = normalizeEmail(request.body.email);
        // Refused openly rather than faked: a person whose browser autofilled the field learns to write another way.
        if (website?.trim()) throw new DomainError('validation_failed', 'This message could not be sent; please write to us by email', 'website');
        perEmail.take(email);
        // A team member's address would make the ticket the team's own message, with no customer.
        const known = await getUserByEmail(accounts, email);
        if (known && isTeam(known)) {
          throw new DomainError('validation_failed', 'This address cannot send the contact form; please use another one', 'email');
        }
        const { conversation } = await createConversation(inbox, {
          from: { customerEmail: email, name },
          channel: 'ticket',
          subject,
          body: message,
          origin: 'contact',
        });
        return reply.code(201).send({ number: conversation.number });
      },
    );
  },
);
