import { withoutNul } from './nul.js';

// Message-IDs as stored and compared: without the angle brackets and NUL (nul.ts), trimmed,
// lower-cased (some systems change the case of the domain, none of them make two mails
// differ only by case).

const MAX_LENGTH = 900;

export function normalizeMessageId(value: string | null | undefined): string | null {
  return exactMessageId(value)?.toLowerCase() ?? null;
}

/** Without brackets and surrounding space, spelt as given: for the headers we write back. */
export function exactMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const inner = withoutNul(value)
    .trim()
    .replace(/^<+|>+$/g, '')
    .trim();
  if (!inner || inner.length > MAX_LENGTH || /\s/.test(inner)) return null;
  return inner;
}

/** Every Message-ID in a header like References or In-Reply-To, in order, without repeats. */
export function parseMessageIdList(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const bracketed = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  // Some clients write them without brackets, separated by spaces or commas.
  const candidates = bracketed.length > 0 ? bracketed : text.split(/[\s,]+/);
  const ids: string[] = [];
  for (const candidate of candidates) {
    const id = normalizeMessageId(candidate);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
