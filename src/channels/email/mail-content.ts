import { type AttachmentStorage, storeAttachment, storedImageMarker } from '../../attachments/index.js';
import { MAX_HTML_BODY, MAX_BODY as MAX_MESSAGE_BODY } from '../../limits.js';
import type { NewAttachment } from '../../store/messages.js';
import { sanitizeEmailHtml } from './html.js';
import type { ParsedEmail } from './parse.js';
import { escapeHtml, htmlToText, splitHtmlQuote, splitTextQuote } from './quotes.js';

// How a message stores a mail (the representation the inbox shows):
//   body      the new part as text: quotes stripped (quotes.ts), signature kept;
//   htmlBody  the sanitised HTML, with the quoted part moved into
//             <details class="ot-quoted"><summary>Show quoted text</summary>…</details>,
//             which the sandboxed viewer expands without any script. A text-only mail
//             whose quote was stripped gets the same shape (pre-wrapped text), so its
//             quote is expandable too; a text mail without a quote has no htmlBody;
//   attachments  every MIME attachment in the attachment store (inline images too);
//   the full text (quotes included) stays on the mail's row (email_inbound.fullText),
//   the raw mail in DATA_DIR/mail/archive.

export type MailContent = { body: string; htmlBody: string | null; attachments: NewAttachment[]; fullText: string };

/** Inline images up to this size (all together) are put into the HTML as data: URLs, which the viewer shows at once. */
const INLINE_DATA_LIMIT = 2 * 1024 * 1024;
// The commands' limits, less room for the line file-mail.ts puts before a note from a team address.
const MAX_BODY = MAX_MESSAGE_BODY - 1_000;
const MAX_HTML = MAX_HTML_BODY - 1_000;

/** The mail as a message's content; attachments are stored on the way (without storage they are left out: the raw mail keeps them). */
export async function mailContent(mail: ParsedEmail, storage: AttachmentStorage | null, maxBytes: number): Promise<MailContent> {
  const attachments = await storeAttachments(mail, storage, maxBytes);
  let html = mail.html ? sanitizeEmailHtml(mail.html) : null;
  if (html) html = inlineImages(html, mail, attachments.byCid);
  const htmlSplit = html ? splitHtmlQuote(html) : null;
  const textSplit = mail.text.trim()
    ? splitTextQuote(mail.text)
    : htmlSplit
      ? { visible: htmlToText(htmlSplit.visible), quoted: htmlSplit.quoted ? htmlToText(htmlSplit.quoted) : null }
      : { visible: '', quoted: null };
  const fullText = mail.text.trim() ? mail.text : html ? htmlToText(html) : '';

  let htmlBody: string | null = null;
  if (htmlSplit) htmlBody = htmlSplit.visible + (htmlSplit.quoted ? quotedBlock(htmlSplit.quoted) : '');
  else if (textSplit.quoted) htmlBody = preText(textSplit.visible) + quotedBlock(preText(textSplit.quoted));
  if (htmlBody && htmlBody.length > MAX_HTML) {
    // Inline data: images first, then the HTML altogether: the text stays, the raw mail keeps the rest.
    htmlBody = htmlBody.replace(/src="data:[^"]*"/g, 'src=""');
    if (htmlBody.length > MAX_HTML) htmlBody = null;
  }
  let body = textSplit.visible.trim();
  if (!body && !htmlBody && attachments.list.length === 0) body = mail.subject ? `(no text) ${mail.subject}` : '(empty message)';
  if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - 200)}\n\n[… shortened: the whole text is kept with the original mail]`;
  return { body, htmlBody, attachments: attachments.list, fullText };
}

type StoredByCid = Map<string, { meta: NewAttachment; content: Buffer }>;

async function storeAttachments(
  mail: ParsedEmail,
  storage: AttachmentStorage | null,
  maxBytes: number,
): Promise<{ list: NewAttachment[]; byCid: StoredByCid }> {
  const list: NewAttachment[] = [];
  const byCid: StoredByCid = new Map();
  if (!storage) return { list, byCid };
  for (const attachment of mail.attachments) {
    const type = attachment.contentType.toLowerCase();
    // The delivery report of a bounce is shown as its text already.
    if (type === 'message/delivery-status') continue;
    const meta = await storeAttachment(storage, attachment.content, {
      name: attachment.filename ?? (attachment.cid ? `inline-${list.length + 1}` : null),
      declaredType: attachment.contentType,
      maxBytes,
    });
    list.push(meta);
    if (attachment.cid) byCid.set(attachment.cid.toLowerCase(), { meta, content: attachment.content });
  }
  return { list, byCid };
}

const quotedBlock = (html: string) => `<details class="ot-quoted"><summary>Show quoted text</summary>${html}</details>`;
const preText = (text: string) => `<div style="white-space:pre-wrap">${escapeHtml(text.trim())}</div>`;

/**
 * cid: images: small ones become data: URLs (shown at once by the sandboxed viewer); the
 * others name their stored attachment instead (attachments/inline-images.ts), which the
 * API turns back into its address. Without attachment storage, small images are still
 * inlined from the mail itself.
 */
function inlineImages(html: string, mail: ParsedEmail, stored: StoredByCid): string {
  let budget = INLINE_DATA_LIMIT;
  const fromMail = new Map(mail.attachments.filter((a) => a.cid).map((a) => [a.cid!.toLowerCase(), a]));
  return html.replace(/src="cid:([^"]+)"/gi, (whole, encoded: string) => {
    const cid = encoded.replace(/&amp;/g, '&').toLowerCase();
    const attachment = fromMail.get(cid);
    const meta = stored.get(cid)?.meta;
    if (attachment && /^image\/[\w.+-]+$/i.test(attachment.contentType) && attachment.content.byteLength <= budget) {
      budget -= attachment.content.byteLength;
      return `src="data:${attachment.contentType.toLowerCase()};base64,${attachment.content.toString('base64')}"`;
    }
    return meta ? storedImageMarker(meta.sha256) : whole;
  });
}
