import EmailReplyParser from 'email-reply-parser';

// Shows the new part of a reply first. The text part goes through email-reply-parser; the
// HTML part (already sanitised, see html.ts) is cut where the mail client's quote starts:
//
//   Gmail        the first element with class gmail_quote
//   Outlook      #appendonsend / #divRplyFwdMsg (and the <hr> before it), or a block with
//                a solid border-top whose text starts with a From: line (Outlook desktop)
//   Apple Mail,  the first <blockquote type="cite"> (with Thunderbird's .moz-cite-prefix
//   Thunderbird  attribution before it)
//   others       Hotmail hr#stopSpelling, Zimbra hr#zwchr, Yahoo .yahoo_quoted,
//                "-----Original Message-----", a trailing <blockquote> after an
//                attribution line ending in ":"
//
// Everything from the cut to the end is the quoted part. Nothing is thrown away: the
// message keeps both parts (see ingest.ts for how they are stored).

export type Split = { visible: string; quoted: string | null };

const MAX_TEXT_TO_SPLIT = 200_000;

// --- text -------------------------------------------------------------------------------

/** Splits a plain-text reply into what the sender wrote and what they quoted; signatures stay visible. */
export function splitTextQuote(text: string): Split {
  const normalized = text.replace(/\r\n?/g, '\n');
  // The parser's line regexes take seconds on megabytes; nobody writes that much by hand.
  if (!normalized.trim() || normalized.length > MAX_TEXT_TO_SPLIT) return { visible: normalized.trim(), quoted: null };
  // Outlook's header block and attributions in other languages are cut here first: the
  // parser knows English attributions and "From: … [mailto:…]" only.
  const header = quoteStart(normalized);
  const head = header === -1 ? normalized : normalized.slice(0, header);
  // The parser runs dozens of regexes on every line, reversed (about 2 ms for 5 KB): most
  // of the cost of filing a mail. It can only find a quote in a `>` line or under one of
  // its attribution lines, so text with neither keeps its shape without asking it.
  if (!QUOTE_LINE.test(head) && !ATTRIBUTION_HINT.test(head)) {
    return header === -1 ? { visible: normalized.trim(), quoted: null } : { visible: head.trim(), quoted: normalized.slice(header).trim() };
  }
  let fragments;
  try {
    fragments = new EmailReplyParser().read(head).getFragments();
  } catch {
    return { visible: normalized.trim(), quoted: null };
  }
  const visible = fragments
    .filter((f) => !f.isQuoted())
    .map((f) => f.getContent())
    .join('\n')
    .trim();
  const quotedParts = fragments.filter((f) => f.isQuoted()).map((f) => f.getContent());
  if (header !== -1) quotedParts.push(normalized.slice(header));
  const quoted = quotedParts.join('\n').trim();
  // A mail that is only a quote (a forward without a word) is shown whole.
  if (!visible || !quoted) return { visible: normalized.trim(), quoted: null };
  return { visible, quoted };
}

const QUOTE_LINE = /^\s*>/m;
/**
 * A word that each of email-reply-parser's quote-header patterns (its regex.js) needs, in
 * any case: without one of them, none of its patterns can match anywhere in the text.
 */
const ATTRIBUTION_HINT =
  /wrote|écrit|escribió|scritto|escreveu|schrieb|schreef|pisze|napisał|skrev|kirjoitti|写道|작성|のメッセージ|^\s*(?:from|von|de|van|da)\s?:|[\]|>]\s*:|riginal message|prindelig besked|message d'origine|rsprüngliche nachricht/imu;

/**
 * Where a quote the parser may miss starts: an Outlook header block (From: … Sent:/Date: …
 * To:/Subject: …, with the rule line above it), or an attribution line in any language
 * ("02.04.2012 14:20 пользователь … написал:") right before "> " lines. -1 if none, or
 * if nothing would be left above it.
 */
function quoteStart(text: string): number {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    let start = -1;
    if (FROM_LINE.test(line) && isHeaderBlock(lines.slice(i, i + 6).join(' '))) {
      start = i;
      for (let j = i - 1; j >= 0; j--) {
        const above = lines[j]!.trim();
        if (above === '' || /^[_-]{8,}$/.test(above) || ORIGINAL_MESSAGE.test(above)) start = j;
        else break;
      }
    } else if (line.endsWith(':') && line.length < 300 && !line.startsWith('>') && (/@|\d/.test(line) || ATTRIBUTION_WORDS.test(line))) {
      let next = i + 1;
      while (next < lines.length && lines[next]!.trim() === '') next++;
      if (next < lines.length && lines[next]!.trimStart().startsWith('>')) {
        start = i;
        // An attribution wrapped over two lines: "On …, X <" / "x@y> wrote:".
        const above = i > 0 ? lines[i - 1]!.trim() : '';
        if (above && /<[^>]*$/.test(above)) start = i - 1;
      }
    }
    if (start === -1) continue;
    const before = lines.slice(0, start).join('\n');
    return before.trim() ? before.length : -1;
  }
  return -1;
}

// --- HTML tokens ------------------------------------------------------------------------

type Token =
  | { kind: 'open'; name: string; raw: string; attrs: Record<string, string>; selfClosing: boolean }
  | { kind: 'close'; name: string; raw: string }
  | { kind: 'text'; raw: string };

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

const TOKEN = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>|[^<]+|</g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** Tokens of (sanitised, so well-formed) HTML. Comments are dropped. */
function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  for (const match of html.matchAll(TOKEN)) {
    const raw = match[0];
    if (raw.startsWith('<!--')) continue;
    if (match[2] === undefined) {
      tokens.push({ kind: 'text', raw });
      continue;
    }
    const name = match[2].toLowerCase();
    if (match[1] === '/') {
      tokens.push({ kind: 'close', name, raw });
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (match[3] ?? '').matchAll(ATTRIBUTE)) attrs[a[1]!.toLowerCase()] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    tokens.push({ kind: 'open', name, raw, attrs, selfClosing: match[4] === '/' || VOID.has(name) });
  }
  return tokens;
}

const hasClass = (token: Token, name: string) => token.kind === 'open' && (token.attrs.class ?? '').split(/\s+/).includes(name);
const isBlank = (token: Token) => token.kind === 'text' && decodeEntities(token.raw).trim() === '';

/** The text inside the element opened at `index`, up to `limit` characters. */
function textInside(tokens: Token[], index: number, limit = 400): string {
  let depth = 0;
  let text = '';
  for (let i = index; i < tokens.length && text.length < limit; i++) {
    const token = tokens[i]!;
    if (token.kind === 'open' && !token.selfClosing) depth++;
    else if (token.kind === 'close' && --depth <= 0) break;
    else if (token.kind === 'text') text += decodeEntities(token.raw);
    else if (token.kind === 'open' && token.name === 'br') text += '\n';
  }
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

const FROM_LINE = /^(?:\*?\s*)(from|von|de|van|da|från|fra|od|от|lähettäjä|feladó|kimden|发件人|寄件者|差出人|보낸 사람)\s*:/i;
const SENT_LINE = /(^|\s)(sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|skickat|sendt|verzonden|wysłano|отправлено|дата|päivämäärä)\s*:/i;
const SUBJECT_LINE = /(^|\s)(subject|betreff|objet|asunto|oggetto|assunto|onderwerp|ämne|emne|temat|тема|aihe)\s*:/i;

const TO_LINE = /(^|\s)(to|an|à|para|a|aan|till|til|do|кому|vastaanottaja)\s*:/i;

/** "From: … Sent: … To: … Subject: …": the header block a client writes above the mail it quotes. */
const isHeaderBlock = (text: string) => FROM_LINE.test(text) && SENT_LINE.test(text) && (SUBJECT_LINE.test(text) || TO_LINE.test(text));

const ORIGINAL_MESSAGE =
  /^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|исходное сообщение)\s*-{2,}$/i;
const ATTRIBUTION_WORDS = /wrote|schrieb|écrit|escribió|scrisse|skrev|napisał|написал|пише|kirjoitti|escreveu|írta|schreef/i;

/** Index of the token where the quote starts, or -1. */
function findQuoteStart(tokens: Token[]): number {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'text') {
      if (ORIGINAL_MESSAGE.test(decodeEntities(token.raw).trim())) return lineStart(tokens, i);
      continue;
    }
    if (token.kind !== 'open') continue;
    const id = (token.attrs.id ?? '').toLowerCase();
    if (['gmail_quote', 'gmail_quote_container', 'gmail_attr', 'yahoo_quoted'].some((name) => hasClass(token, name))) return i;
    if (id === 'appendonsend') return i;
    if (id === 'divrplyfwdmsg') return previousHr(tokens, i);
    if (token.name === 'hr' && (id === 'stopspelling' || id === 'zwchr')) return i;
    if (token.name === 'blockquote' && (token.attrs.type ?? '').toLowerCase() === 'cite') return attributionBefore(tokens, i);
    const style = (token.attrs.style ?? '').toLowerCase().replace(/\s+/g, '');
    if (/border-top:[^;]*solid/.test(style) && FROM_LINE.test(textInside(tokens, i))) return i;
    // Older Outlook: a paragraph "From: … Sent: … To: … Subject: …" without a border.
    if ((token.name === 'p' || token.name === 'div') && isHeaderBlock(textInside(tokens, i, 1000))) return i;
  }
  return trailingBlockquote(tokens);
}

/** Outlook web puts an <hr> right before #divRplyFwdMsg: the quote starts there. */
function previousHr(tokens: Token[], index: number): number {
  for (let i = index - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (isBlank(token)) continue;
    return token.kind === 'open' && token.name === 'hr' ? i : index;
  }
  return index;
}

/** A Thunderbird .moz-cite-prefix or an "On … wrote:" line right before a quote belongs to it. */
function attributionBefore(tokens: Token[], index: number): number {
  // Thunderbird: <div class="moz-cite-prefix">…wrote:<br></div> <blockquote type="cite">
  let i = index - 1;
  while (i >= 0 && isBlank(tokens[i]!)) i--;
  if (i >= 0 && tokens[i]!.kind === 'close') {
    let depth = 0;
    for (let j = i; j >= 0; j--) {
      const token = tokens[j]!;
      if (token.kind === 'close') depth++;
      else if (token.kind === 'open' && !token.selfClosing && --depth === 0) {
        if (hasClass(token, 'moz-cite-prefix')) return j;
        break;
      }
    }
  }
  return lineStart(tokens, index);
}

/**
 * Moves a cut back over the attribution line before it ("On …, X <x@y> wrote:",
 * "26.06.2014, 14:41, "X" <x@y>:"), when there is one.
 */
function lineStart(tokens: Token[], index: number): number {
  let i = index - 1;
  // Step back over the ends of blocks and blank text to the end of the previous line.
  while (i >= 0) {
    const token = tokens[i]!;
    if (isBlank(token) || (token.kind === 'close' && BLOCK.has(token.name)) || (token.kind === 'open' && token.name === 'br')) i--;
    else break;
  }
  let start = i + 1;
  let text = '';
  for (; i >= 0; i--) {
    const token = tokens[i]!;
    if ((token.kind === 'open' || token.kind === 'close') && (BLOCK.has(token.name) || token.name === 'br')) break;
    if (token.kind === 'text') text = decodeEntities(token.raw) + text;
    start = i;
  }
  const line = text.replace(/[\s\u00a0]+/g, ' ').trim();
  if (line.length > 0 && line.length < 300 && line.endsWith(':') && (/@|\d/.test(line) || ATTRIBUTION_WORDS.test(line))) return start;
  return index;
}

/** A plain <blockquote> with nothing after it but whitespace, introduced by an attribution line. */
function trailingBlockquote(tokens: Token[]): number {
  let last = -1;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'open' && token.name === 'blockquote') {
      if (depth === 0) last = i;
      depth++;
    } else if (token.kind === 'close' && token.name === 'blockquote') depth--;
    else if (depth === 0 && last !== -1 && token.kind === 'text' && !isBlank(token)) last = -1;
    else if (depth === 0 && last !== -1 && token.kind === 'open' && token.name === 'img') last = -1;
  }
  if (last === -1) return -1;
  const start = lineStart(tokens, last);
  return start === last ? -1 : start;
}

/** Closes what is open at the end of `tokens`, so the part stands alone. */
function closeOpen(tokens: Token[]): string {
  const stack: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'open' && !token.selfClosing) stack.push(token.name);
    else if (token.kind === 'close') {
      const at = stack.lastIndexOf(token.name);
      if (at !== -1) stack.length = at;
    }
  }
  return (
    tokens.map((t) => t.raw).join('') +
    stack
      .reverse()
      .map((name) => `</${name}>`)
      .join('')
  );
}

/** Drops closing tags whose opening tag is not in `tokens` (they belonged to the part before the cut). */
function dropUnopened(tokens: Token[]): string {
  const stack: string[] = [];
  const kept: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'open' && !token.selfClosing) stack.push(token.name);
    if (token.kind === 'close') {
      const at = stack.lastIndexOf(token.name);
      if (at === -1) continue;
      stack.length = at;
    }
    kept.push(token.raw);
  }
  return (
    kept.join('') +
    stack
      .reverse()
      .map((name) => `</${name}>`)
      .join('')
  );
}

/** Splits sanitised HTML at the start of the quoted reply; `quoted` is null when there is none (or nothing would be left visible). */
export function splitHtmlQuote(html: string): Split {
  const tokens = tokenize(html);
  const cut = findQuoteStart(tokens);
  if (cut <= 0) return { visible: html, quoted: null };
  const visible = closeOpen(tokens.slice(0, cut));
  if (!htmlToText(visible).trim() && !/<img\b/i.test(visible)) return { visible: html, quoted: null };
  return { visible, quoted: dropUnopened(tokens.slice(cut)) };
}

// --- HTML to text -----------------------------------------------------------------------

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8}|#39);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower in NAMED) return NAMED[lower]!;
    if (lower.startsWith('#x')) return safeCodePoint(parseInt(lower.slice(2), 16), whole);
    if (lower.startsWith('#')) return safeCodePoint(parseInt(lower.slice(1), 10), whole);
    return whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

/** Readable text of sanitised HTML: blocks become lines, for the message body, preview and search. */
export function htmlToText(html: string): string {
  let text = '';
  for (const token of tokenize(html)) {
    if (token.kind === 'text') text += decodeEntities(token.raw).replace(/[ \t\r\n]+/g, ' ');
    else if (token.name === 'br') text += '\n';
    else if (BLOCK.has(token.name)) text += '\n';
  }
  return text
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
