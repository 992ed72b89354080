import { type AddressObject, type Attachment, type ParsedMail, simpleParser } from 'mailparser';
import { nameForCustomer } from '../../inbox/actors.js';
import { singleLine } from '../../inbox/rules.js';
import { exactMessageId, normalizeMessageId, parseMessageIdList } from './message-ids.js';
import { bouncedMessageIds, classifyNoise, type Noise } from './noise.js';
import { withoutNul } from './nul.js';

// A raw mail read with mailparser into what the channel needs. mailparser decodes MIME,
// transfer encodings, RFC 2047 headers and charsets (iconv-lite: ISO-8859-*,
// Windows-125x, ISO-2022-JP, Big5, …). Every text it yields is without NUL (nul.ts).

export type MailAddress = { address: string; name: string };

export type ParsedEmail = {
  /** Normalised (see message-ids.ts); null when the mail has none. */
  messageId: string | null;
  /** The same as written (case kept). */
  exactMessageId: string | null;
  inReplyTo: string[];
  /** Oldest first, as written. */
  references: string[];
  /** Who wrote it; null when no usable address was found anywhere. */
  from: MailAddress | null;
  subject: string;
  /** The Date header; undefined when missing or unreadable. */
  sentAt: number | undefined;
  /** The text part, quotes included; empty when the mail has only HTML. */
  text: string;
  /** The HTML part as sent (not sanitised yet), or null. */
  html: string | null;
  /** Addresses in To, Cc, Delivered-To and X-Original-To. */
  headerRecipients: string[];
  /** The To and Cc headers as written (usable addresses only, lower-cased, names on one line). */
  to: MailAddress[];
  cc: MailAddress[];
  attachments: Attachment[];
  noise: Noise;
  /** For a bounce: the Message-IDs of the mail it returns. */
  bounced: string[];
  header: (name: string) => string[];
};

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;
const usable = (address: string | undefined | null): address is string => !!address && EMAIL.test(address.trim()) && address.length <= 254;

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const result: MailAddress[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.group) walk(entry.group);
      else if (entry.address) result.push({ address: withoutNul(entry.address).trim(), name: withoutNul(entry.name ?? '') });
    }
  };
  for (const item of list) walk(item.value);
  return result;
}

/** Raw header values by lower-case name, unfolded, in order. */
function headerIndex(mail: ParsedMail): (name: string) => string[] {
  const map = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines) {
    const colon = line.indexOf(':');
    const value = withoutNul(colon === -1 ? '' : line.slice(colon + 1))
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const list = map.get(key.toLowerCase()) ?? [];
    list.push(value);
    map.set(key.toLowerCase(), list);
  }
  return (name) => map.get(name.toLowerCase()) ?? [];
}

const ADDRESS_IN_TEXT = /[^\s<>,;:"'()[\]]+@[^\s<>,;:"'()[\]]+/g;

export async function parseEmail(raw: Buffer, envelope: { from: string | null }): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true });
  const envelopeFrom = withoutNul(envelope.from);
  const header = headerIndex(mail);

  // The author: From; else Sender, Reply-To, the envelope sender. Bounces without any get
  // a mailer-daemon address so they can still be filed (never dropped).
  const candidates = [...addresses(mail.from), ...addresses(mail.headers.get('sender') as AddressObject | undefined), ...addresses(mail.replyTo)];
  if (envelopeFrom) candidates.push({ address: envelopeFrom, name: '' });
  let from = candidates.find((c) => usable(c.address)) ?? null;
  if (from) {
    const name = candidates.find((c) => c.address.toLowerCase() === from!.address.toLowerCase() && c.name.trim())?.name ?? '';
    from = { address: from.address.toLowerCase(), name: nameForCustomer(name, from.address.toLowerCase()) };
  }

  const subject = withoutNul(mail.subject ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const contentType = headerContentType(mail);
  const noise = classifyNoise({
    header,
    contentType,
    fromAddress: from?.address ?? null,
    fromName: from?.name ?? null,
    subject,
    envelopeFrom,
  });
  if (!from && noise.isBounce) {
    const host = /@([^\s>]+)/.exec(withoutNul(mail.messageId ?? ''))?.[1] ?? 'localhost';
    const address = `mailer-daemon@${host.toLowerCase()}`;
    if (usable(address)) from = { address, name: 'Mail Delivery System' };
  }

  const messageId = normalizeMessageId(mail.messageId);
  const text = withoutNul(mail.text ?? '');
  const html = typeof mail.html === 'string' ? withoutNul(mail.html) : null;
  const attachments = mail.attachments.map(cleanAttachment);
  const to = headerAddresses(mail.to);
  const cc = headerAddresses(mail.cc);
  const recipients = [...addresses(mail.to), ...addresses(mail.cc)].map((a) => a.address);
  for (const name of ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to']) {
    for (const value of header(name)) recipients.push(...(value.match(ADDRESS_IN_TEXT) ?? []));
  }
  const date = mail.date && !Number.isNaN(mail.date.getTime()) && header('date').some((v) => v.trim()) ? mail.date.getTime() : undefined;

  return {
    messageId,
    exactMessageId: exactMessageId(mail.messageId),
    inReplyTo: parseMessageIdList(mail.inReplyTo ?? header('in-reply-to')),
    references: parseMessageIdList(mail.references ?? header('references')),
    from,
    subject,
    sentAt: date,
    text,
    html: html?.trim() ? html : null,
    headerRecipients: [...new Set(recipients.map((r) => r.toLowerCase().replace(/^<|>$/g, '')))],
    to,
    cc,
    attachments,
    noise,
    bounced: noise.isBounce ? bouncedMessageIds(attachments, text, messageId) : [],
    header,
  };
}

/** Headers naming hundreds of people are mail to a list: the first ones are what anybody reads. */
const MAX_HEADER_ADDRESSES = 50;

function headerAddresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list: MailAddress[] = [];
  for (const entry of addresses(value)) {
    const address = entry.address.toLowerCase();
    if (!usable(address) || list.some((a) => a.address === address)) continue;
    list.push({ address, name: singleLine(entry.name).replace(/^["']|["']$/g, '') });
  }
  return list.slice(0, MAX_HEADER_ADDRESSES);
}

/** Its name, type and Content-ID are text we store or compare; its bytes stay as sent. */
function cleanAttachment(attachment: Attachment): Attachment {
  const { filename, contentType, cid } = attachment;
  return { ...attachment, filename: filename && withoutNul(filename), contentType: withoutNul(contentType), cid: cid && withoutNul(cid) };
}

function headerContentType(mail: ParsedMail): { value: string; params: Record<string, string> } {
  const value = mail.headers.get('content-type');
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in value && typeof value.value === 'string') {
    return { value: value.value, params: (value as { params?: Record<string, string> }).params ?? {} };
  }
  return { value: 'text/plain', params: {} };
}
