// U+0000 means nothing in a mail's headers or text, and PostgreSQL text cannot hold it
// (SQLite would keep it): a mail carrying one was refused (451) or failed for good there.
// Everything a mail brings is stored and looked up without it, on both databases, so one
// mail is keyed and filed the same way wherever it lands. Attachment bytes are not text
// and are kept as they are.

export function withoutNul(text: string): string;
export function withoutNul(text: string | null): string | null;
export function withoutNul(text: string | null): string | null {
  return text === null || !text.includes('\u0000') ? text : text.replace(/\u0000/g, '');
}
