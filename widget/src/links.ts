/** `raw` resolved against `base` if it is an http(s) URL; anything else (javascript:, data:) is null. */
export function safeUrl(raw: string, base?: string): string | null {
  try {
    const url = new URL(raw, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A file link of the server's: a link or an <img> cannot send the visitor's header, so the
 * server takes the token in the query (`?token=`) for its own attachment URLs.
 */
export function attachmentHref(raw: string, origin: string, token: string | null): string | null {
  const href = safeUrl(raw, origin);
  if (!href || !token) return href;
  const url = new URL(href);
  if (url.origin === origin) url.searchParams.set('token', token);
  return url.href;
}

type TextPart = { text: string; href: string | null };

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;
// Punctuation that ends a sentence rather than the link: "see https://x.test/a."
const TRAILING = /[.,;:!?)\]]+$/;

/** Plain text cut into text and http(s) links, for rendering as nodes (never as HTML). */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let from = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const candidate = match[0].replace(TRAILING, '');
    const href = safeUrl(candidate);
    if (!href) continue;
    if (match.index > from) parts.push({ text: text.slice(from, match.index), href: null });
    parts.push({ text: candidate, href });
    from = match.index + candidate.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), href: null });
  return parts;
}
