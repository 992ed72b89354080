import { parseMessageIdList } from './message-ids.js';

// Mail no person wrote: auto-replies, bounces and bulk mail. They are stored and flagged,
// never answered automatically (the channel sends nothing on its own; see outbound.ts).
//
// - auto-reply (RFC 3834 and the usual vendor headers): Auto-Submitted other than "no",
//   X-Autoreply, X-Autorespond, Precedence: auto_reply, or an out-of-office subject;
// - bulk: Precedence bulk|junk|list, List-Id, List-Unsubscribe, X-Auto-Response-Suppress
//   (kept apart from auto-replies: a newsletter is not an answer to anything);
// - bounce: multipart/report; report-type=delivery-status, X-Failed-Recipients, a sender
//   that is MAILER-DAEMON (or postmaster / "Mail Delivery …" with a failure subject), or
//   an empty return path without an auto-reply marker (RFC 3834 auto-replies use the empty
//   return path too, so alone it would call every vacation notice a bounce).

export type HeaderLookup = (name: string) => string[];

export type Noise = {
  isAutoReply: boolean;
  isBounce: boolean;
  isBulk: boolean;
  /** Why, for people: `Auto-Submitted: auto-replied`, `multipart/report (delivery-status)`, … */
  reasons: string[];
};

const OUT_OF_OFFICE =
  /^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|absence|réponse automatique|respuesta automática|risposta automatica|automatisch antwoord|autosvar|vacation reply|i am (currently )?out of)/i;
const FAILURE_SUBJECT =
  /undeliver|delivery (status|fail|notification)|failure notice|returned mail|mail delivery failed|non[- ]?delivery|could not be delivered|rejected|delivery has failed/i;

export function classifyNoise(input: {
  header: HeaderLookup;
  contentType: { value: string; params: Record<string, string> };
  fromAddress: string | null;
  fromName: string | null;
  subject: string;
  /** SMTP MAIL FROM: '' for the null sender <>, null when unknown (IMAP). */
  envelopeFrom: string | null;
}): Noise {
  const { header } = input;
  const reasons: string[] = [];
  const first = (name: string) => header(name)[0]?.trim();

  let isAutoReply = false;
  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted && autoSubmitted.toLowerCase().split(/[;\s]/)[0] !== 'no') {
    isAutoReply = true;
    reasons.push(`Auto-Submitted: ${autoSubmitted}`);
  }
  for (const name of ['x-autoreply', 'x-autorespond']) {
    const value = first(name);
    if (value !== undefined && value.toLowerCase() !== 'no') {
      isAutoReply = true;
      reasons.push(`${name}: ${value}`);
    }
  }
  const precedence = first('precedence')?.toLowerCase();
  if (precedence === 'auto_reply') {
    isAutoReply = true;
    reasons.push('Precedence: auto_reply');
  }
  if (OUT_OF_OFFICE.test(input.subject.trim())) {
    isAutoReply = true;
    reasons.push('out-of-office subject');
  }

  let isBulk = false;
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') {
    isBulk = true;
    reasons.push(`Precedence: ${precedence}`);
  }
  for (const name of ['list-id', 'list-unsubscribe', 'x-auto-response-suppress']) {
    if (first(name) !== undefined) {
      isBulk = true;
      reasons.push(name);
    }
  }

  let isBounce = false;
  const type = input.contentType.value.toLowerCase();
  const reportType = (input.contentType.params['report-type'] ?? '').toLowerCase();
  if (type === 'multipart/report' && reportType === 'delivery-status') {
    isBounce = true;
    reasons.push('multipart/report (delivery-status)');
  }
  if (first('x-failed-recipients') !== undefined) {
    isBounce = true;
    reasons.push('X-Failed-Recipients');
  }
  const local = input.fromAddress?.split('@')[0]?.toLowerCase() ?? '';
  if (local === 'mailer-daemon') {
    isBounce = true;
    reasons.push('from MAILER-DAEMON');
  } else if ((local === 'postmaster' || /^mail delivery/i.test(input.fromName ?? '')) && FAILURE_SUBJECT.test(input.subject)) {
    isBounce = true;
    reasons.push('delivery failure notice');
  }
  const returnPath = header('return-path').map((v) => v.trim());
  const nullSender = input.envelopeFrom === '' || returnPath.some((v) => v === '<>' || v === '');
  if (nullSender && !isAutoReply && !isBounce) {
    isBounce = true;
    reasons.push('empty return path');
  }
  return { isAutoReply, isBounce, isBulk, reasons };
}

/**
 * The Message-ID of the mail a bounce returns: from the attached original (message/rfc822
 * or text/rfc822-headers), or else from a Message-ID line quoted in the report text.
 */
export function bouncedMessageIds(parts: { contentType: string; content: Buffer }[], text: string, ownMessageId: string | null): string[] {
  const found: string[] = [];
  for (const part of parts) {
    const type = part.contentType.toLowerCase();
    if (!/^(message\/(rfc822|global|rfc822-headers|global-headers)|text\/rfc822-headers)$/.test(type)) continue;
    const head = part.content.subarray(0, 256 * 1024).toString('latin1');
    const end = head.search(/\r?\n\r?\n/);
    const block = (end === -1 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
    for (const line of block.split(/\r?\n/)) {
      const match = /^message-id\s*:(.*)$/i.exec(line);
      if (match) found.push(...parseMessageIdList(match[1]!));
    }
  }
  for (const match of text.matchAll(/^[> \t]*message-id\s*:\s*(<[^>\s]+>)/gim)) found.push(...parseMessageIdList(match[1]!));
  return [...new Set(found)].filter((id) => id !== ownMessageId);
}
