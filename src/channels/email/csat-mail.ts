import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import type { InboxContext } from '../../inbox/context.js';
import { CSAT_RATING_WORDS, surveyById } from '../../inbox/csat.js';
import type { JobHandler } from '../../jobs/outbox-worker.js';
import { findNotification, finishNotification, recordMessageIds, startNotification } from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import { existingConversation } from './existing-conversation.js';
import type { EmailChannel } from './index.js';
import { isMailable } from './outbound.js';
import { escapeHtml } from './quotes.js';
import { ourMessageId, replySubject, threadHeaders } from './thread-headers.js';
import { automaticHeaders, createMailTransport, describeFailure, isPermanentFailure } from './transport.js';

// The CSAT survey by mail (issue 19): five one-click links to /csat/<token>?r=N, threaded
// into the conversation as our other mail to the customer is (Re: subject [CONV-n],
// In-Reply-To, References, the reply address), so an answer by mail lands there too.
// The links only open the page with the rating chosen; the page's POST records it, since
// mail security scanners open every link of a mail.
//
// Once per job, as notifications.ts sends: the attempt is recorded by the job's key in
// email_notifications before the SMTP transaction, `sent` after the 250.

const Payload = z.object({ surveyId: z.number().int().positive(), token: z.string().min(1) });

export type CsatMailer = { handler: JobHandler; close(): void };

export function createCsatMailer(options: {
  inbox: InboxContext;
  channel: EmailChannel;
  smtpUrl: string;
  publicUrl: string;
  clock?: () => number;
}): CsatMailer {
  const { inbox, channel } = options;
  const { support, tokens } = channel;
  const store = inbox.store;
  const clock = options.clock ?? Date.now;
  const base = options.publicUrl.replace(/\/+$/, '');
  const domain = support.primary.split('@')[1]!;
  const transport: Transporter = createMailTransport(options.smtpUrl);

  const handler: JobHandler = async (payload, job) => {
    const { surveyId, token } = Payload.parse(payload);
    const previous = await findNotification(store.db, job.idempotencyKey);
    if (previous?.status === 'sent' || previous?.status === 'failed') return;
    const survey = await surveyById(inbox, surveyId);
    const conversation = survey ? await existingConversation(inbox, Number(survey.conversationId)) : null;
    // Deleted meanwhile, or an address we must not write to (our own, a placeholder).
    if (!survey || !conversation || !isMailable(support, conversation.customer.email)) return;
    const recipient = conversation.customer.email;
    const headerMessageId = previous?.headerMessageId ?? ourMessageId(domain, `csat.${conversation.id}`, [job.idempotencyKey]);
    const { inReplyTo, references } = await threadHeaders(store, conversation.id, headerMessageId);
    await transact(store, async (tx) => {
      if (!previous) {
        await startNotification(tx, { key: job.idempotencyKey, kind: 'csat', recipient, headerMessageId }, clock());
        // In the thread table, so an answer to this mail threads by In-Reply-To too.
        await recordMessageIds(
          tx,
          [{ messageId: headerMessageId, exactId: headerMessageId, conversationId: conversation.id, messageRowId: null, direction: 'out' }],
          clock(),
        );
      }
    });
    const links = CSAT_RATING_WORDS.map((words, i) => ({ rating: i + 1, words, url: `${base}/csat/${token}?r=${i + 1}` }));
    const question = `How would you rate the help you got with “${conversation.subject}”? One click is enough; you can add a comment on the page.`;
    const text = [
      'Hello,',
      '',
      question,
      '',
      ...links.map((l) => `${l.rating} – ${l.words}: ${l.url}`),
      '',
      `Your reference is ${conversation.number}.`,
      '',
    ].join('\n');
    const html =
      `<p>Hello,</p><p>${escapeHtml(question)}</p><p>` +
      links
        .map((l) => `<a href="${escapeHtml(l.url)}" style="display:inline-block;padding:6px 10px;margin:2px">${l.rating} – ${escapeHtml(l.words)}</a>`)
        .join(' ') +
      `</p><p style="font-size:small;color:#666">Your reference is ${escapeHtml(conversation.number)}.</p>${tokens.markerHtml(conversation.id)}`;
    try {
      await transport.sendMail({
        from: { name: 'Support', address: support.primary },
        to: recipient,
        replyTo: tokens.replyAddress(support.primary, conversation.id),
        subject: replySubject(conversation.subject, conversation.number),
        messageId: `<${headerMessageId}>`,
        inReplyTo,
        references,
        text,
        html,
        headers: { ...automaticHeaders('auto-generated'), 'X-Onethread-Conversation': conversation.number },
      });
    } catch (error) {
      // A refusal for good (5xx) is not retried; anything else is, until the last attempt.
      if (!isPermanentFailure(error) && !job.lastAttempt) throw error;
      await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'failed', error: describeFailure(error) }, clock()));
      return;
    }
    await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'sent' }, clock()));
  };

  return { handler, close: () => transport.close() };
}
