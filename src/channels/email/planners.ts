import type { SideEffectPlanner } from '../../inbox/context.js';
import type { InboxEvent } from '../../inbox/records.js';
import type { NewJob } from '../../store/outbox.js';
import { EMAIL_FORWARD_JOB, type ForwardJobPayload } from './forward.js';
import { type AcknowledgementJobPayload, EMAIL_ACKNOWLEDGEMENT_JOB } from './notifications.js';
import { EMAIL_REPLY_JOB, type ReplyJobPayload } from './outbound.js';

// What the email channel mails, decided in the command's transaction from its events, so
// a mail is queued exactly when its cause commits, and once (keyed jobs):
//
//   replied (agent, public)  email conversation → the reply, now;
//                            ticket or chat → the reply after `continuityDelayMs`, unless
//                            the customer has read it by then (continuity);
//   delivery_retried         the same mail again, now (a new job, the same Message-ID);
//   created (agent, email)   the agent's first message, now, like any reply: a conversation
//                            an agent starts by email is that mail;
//   created (customer)       with `acknowledge` (EMAIL_ACKNOWLEDGE) only: an acknowledgement
//                            of a new email or ticket conversation, or the contact form's
//                            confirmation (origin `contact`). Off, nothing goes to an address
//                            nobody proved just because someone typed it in (relay spam);
//                            on, notifications.ts still caps them per address and day;
//   forwarded                an agent's forward of a message or the thread (forward.ts), now.
//
// Internal notes, bot and customer messages, and anything imported (origin `import`) are
// never mailed; whether a mail is still wanted (noise, our own address, read meanwhile) is
// checked again when it is sent.

export type EmailPlannerOptions = {
  /** EMAIL_ACKNOWLEDGE */
  acknowledge: boolean;
  /** EMAIL_CONTINUITY_DELAY_SECONDS, in ms */
  continuityDelayMs: number;
  /** Whether a customer address can be mailed at all (outbound.ts isMailable). */
  mailable: (address: string) => boolean;
};

const messageIdOf = (value: unknown): number | null => {
  const id = (value as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'number' ? id : null;
};

export function emailPlanner(options: EmailPlannerOptions): SideEffectPlanner {
  return (event, conversation) => {
    // An import brings in what happened elsewhere, mailed back then if ever: nothing goes out again.
    if (!conversation || event.origin === 'import') return [];
    if (event.eventType === 'forwarded') return [forwardJob(event, conversation.id)];
    const value = event.newValue as { senderType?: unknown; origin?: unknown } | null;
    const messageId = messageIdOf(event.newValue);
    if (messageId === null) return [];
    const continuity = conversation.channel !== 'email';
    const reply = (key: string, runAt: number): NewJob => ({
      kind: EMAIL_REPLY_JOB,
      payload: { messageId, conversationId: conversation.id, ...(continuity ? { unlessRead: true } : {}) } satisfies ReplyJobPayload,
      idempotencyKey: key,
      runAt,
      delivers: { messageId, conversationId: conversation.id },
    });

    switch (event.eventType) {
      case 'replied':
        if (value?.senderType !== 'admin' || !options.mailable(conversation.customer.email)) return [];
        return [reply(`${EMAIL_REPLY_JOB}:${messageId}`, event.createdAt + (continuity ? options.continuityDelayMs : 0))];
      case 'delivery_retried':
        return [reply(`${EMAIL_REPLY_JOB}:${messageId}:retry:${event.id}`, event.createdAt)];
      case 'created': {
        if (value?.senderType === 'admin') {
          if (conversation.channel !== 'email' || !options.mailable(conversation.customer.email)) return [];
          return [reply(`${EMAIL_REPLY_JOB}:${messageId}`, event.createdAt)];
        }
        const confirm = value?.origin === 'contact';
        if (!options.acknowledge || !(conversation.channel === 'email' || conversation.channel === 'ticket')) return [];
        const payload: AcknowledgementJobPayload = { conversationId: conversation.id, messageId, confirm };
        return [{ kind: EMAIL_ACKNOWLEDGEMENT_JOB, payload, idempotencyKey: `${EMAIL_ACKNOWLEDGEMENT_JOB}:${conversation.id}`, runAt: event.createdAt }];
      }
      default:
        return [];
    }
  };
}

function forwardJob(event: InboxEvent, conversationId: number): NewJob {
  const value = event.newValue as Omit<ForwardJobPayload, 'conversationId' | 'agentId' | 'agentName'>;
  const payload: ForwardJobPayload = {
    conversationId,
    to: value.to,
    messageId: value.messageId,
    note: value.note,
    withReplyAddress: value.withReplyAddress,
    agentId: event.performedBy,
    agentName: event.performedByName,
  };
  return { kind: EMAIL_FORWARD_JOB, payload, idempotencyKey: `${EMAIL_FORWARD_JOB}:${event.id}`, runAt: event.createdAt };
}
