import { formatConversationNumber } from '../../inbox/records.js';
import type { NotificationForMail } from '../../store/notification-mail.js';
import { escapeHtml } from './quotes.js';

// The words of notification mail (issue 18 "Email"): what happened, with counts, a link to
// the conversation and one to the preferences. Only what the recipient may see in the app:
// an excerpt of a public message, never a note's text (a mention in a note says so, no more).

export type MailText = { subject: string; text: string; html: string };

const EXCERPT_CHARS = 300;

/** The subject every mail about one conversation carries, so clients thread it by subject too. */
export function notificationSubject(n: Pick<NotificationForMail, 'conversationNumber' | 'subject'>): string {
  // No "[CONV-n]" token: that would thread an answer to this mail into the conversation as the customer's mail.
  return `${formatConversationNumber(n.conversationNumber)}: ${n.subject}`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** One line of what happened: "3 new replies from Ann Lee on CONV-000012 “Invoice”". */
export function whatHappened(n: NotificationForMail, count: number): string {
  const on = `on ${formatConversationNumber(n.conversationNumber)} “${n.subject}”`;
  switch (n.kind) {
    case 'assigned':
      return `${n.actorName} assigned ${formatConversationNumber(n.conversationNumber)} “${n.subject}” to you`;
    case 'customer_replied':
      return `${plural(count, 'new reply', 'new replies')} from ${n.actorName} ${on}`;
    case 'unassigned_activity':
      return `${plural(count, 'new customer message')} in your team's unassigned queue, latest from ${n.actorName}, ${on}`;
    case 'mentioned':
      return `${n.actorName} mentioned you ${count > 1 ? `(${count} times) ` : ''}${on}`;
    case 'csat_low_rating':
      // The rating and its comment are in the conversation's timeline, for those who may see it.
      return `${n.actorName} rated their conversation ${formatConversationNumber(n.conversationNumber)} “${n.subject}” 1 or 2 out of 5`;
    default:
      return `${plural(count, 'update')} ${on}, latest by ${n.actorName}`;
  }
}

export type Links = { conversation: (conversationId: number) => string; preferences: string };

const footer = (links: Links) => ({
  text: `You get this mail because of your notification settings. Change them: ${links.preferences}`,
  html: `<p style="font-size:small;color:#666">You get this mail because of your notification settings. <a href="${escapeHtml(links.preferences)}">Change them</a>.</p>`,
});

/** One notification's mail. `excerpt`: the message's text when it is public (null for a note). */
export function notificationMailText(n: NotificationForMail, count: number, excerpt: string | null, links: Links): MailText {
  const line = whatHappened(n, count);
  const url = links.conversation(n.conversationId);
  const quoted = excerpt === null ? null : excerpt.length > EXCERPT_CHARS ? `${excerpt.slice(0, EXCERPT_CHARS).trimEnd()}…` : excerpt;
  const end = footer(links);
  const text = [`${line}.`, '', ...(quoted ? [quoted.replace(/^/gm, '> '), ''] : []), `Open the conversation: ${url}`, '', '-- ', end.text, ''].join('\n');
  const html =
    `<p>${escapeHtml(line)}.</p>` +
    (quoted ? `<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:8px">${escapeHtml(quoted)}</blockquote>` : '') +
    `<p><a href="${escapeHtml(url)}">Open the conversation</a></p>${end.html}`;
  return { subject: notificationSubject(n), text, html };
}

/** The digest: one line per conversation (number, subject, count, latest actor), newest first. */
export function digestMailText(items: readonly NotificationForMail[], links: Links): MailText {
  const byConversation = new Map<number, { n: NotificationForMail; count: number }>();
  for (const n of items) {
    const seen = byConversation.get(n.conversationId);
    if (seen) seen.count += n.count;
    else byConversation.set(n.conversationId, { n, count: n.count });
  }
  const lines = [...byConversation.values()];
  const subject = `${plural(lines.length, 'conversation')} with news`;
  const end = footer(links);
  const text = [
    `${subject}:`,
    '',
    ...lines.map(
      ({ n, count }) =>
        `- ${formatConversationNumber(n.conversationNumber)} “${n.subject}”: ${plural(count, 'update')}, latest from ${n.actorName}\n  ${links.conversation(n.conversationId)}`,
    ),
    '',
    '-- ',
    end.text,
    '',
  ].join('\n');
  const html =
    `<p>${escapeHtml(subject)}:</p><ul>` +
    lines
      .map(
        ({ n, count }) =>
          `<li><a href="${escapeHtml(links.conversation(n.conversationId))}">${escapeHtml(formatConversationNumber(n.conversationNumber))} “${escapeHtml(n.subject)}”</a>: ${escapeHtml(plural(count, 'update'))}, latest from ${escapeHtml(n.actorName)}</li>`,
      )
      .join('') +
    `</ul>${end.html}`;
  return { subject: `Notification digest: ${subject}`, text, html };
}
