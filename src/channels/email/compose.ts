import type { MailHeaders, Participant } from '../../inbox/records.js';
import { escapeHtml } from './quotes.js';

// The text and HTML of the mail we write, and the addresses it goes to, shared by replies
// (outbound.ts) and forwards (forward.ts).
//
// The threading marker [ot:<token>] rides only in the HTML, hidden: a customer whose client
// reads text only would see it as noise at the end of every mail. Their answers still find
// the conversation by the signed Reply-To and by In-Reply-To/References (threading.ts);
// the marker is the fallback for HTML clients behind providers that rewrite both.

/** A nodemailer address: it encodes a name that needs it (RFC 2047) and quotes the rest. */
export type MailAddress = { name: string; address: string };

export const toMailAddress = (person: Participant): MailAddress => ({ name: person.name, address: person.email });

/** The mail's parts: the body, the agent's signature under the usual "-- " line, and in HTML the hidden marker. */
export function mailBodies(
  content: { body: string; htmlBody: string | null },
  options: { signature: string | null; markerHtml: string | null },
): { text: string; html: string } {
  const signature = options.signature?.trim() || null;
  const text = `${content.body}${signature ? `\n\n-- \n${signature}` : ''}\n`;
  const html =
    (content.htmlBody ?? `<div style="white-space:pre-wrap">${escapeHtml(content.body)}</div>`) +
    (signature ? `<div class="ot-signature" style="white-space:pre-wrap;color:#555555">-- \n${escapeHtml(signature)}</div>` : '') +
    (options.markerHtml ?? '');
  return { text, html };
}

/** Who a reply goes to: the recipients its command recorded, else the customer; never one of ours or an address nobody reads. */
export function replyRecipients(
  headers: MailHeaders | null,
  customer: Participant,
  mailable: (address: string) => boolean,
): { to: Participant[]; cc: Participant[] } {
  const to = headers?.to.length ? headers.to : [customer];
  const cc = (headers?.cc ?? []).filter((p) => mailable(p.email) && !to.some((t) => t.email === p.email));
  return { to: to.filter((p) => mailable(p.email)), cc };
}
