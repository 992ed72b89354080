import { fileTypeFromBuffer } from 'file-type';
import { extensionOf } from './names.js';

// What a file is, decided from its bytes: the name and the sender's declared type are
// the sender's claims, and an HTML page named photo.png must not become an image/png
// that a browser renders in our origin.

/** How much of the start of a file the decision reads. */
export const SNIFF_BYTES = 64 * 1024;

/** The only types shown inline: raster images, which cannot run script. Everything else downloads. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Text formats a sender may name for text content; any other claim on text is plain text. */
const TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/tab-separated-values', 'text/markdown', 'text/calendar', 'text/vcard', 'application/json']);
const TEXT_EXTENSIONS: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  md: 'text/markdown',
  ics: 'text/calendar',
  vcf: 'text/vcard',
  json: 'application/json',
};

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** Types a browser may execute or render as a document (script, markup, plugins). */
export function isActiveContent(contentType: string): boolean {
  const [top = '', sub = ''] = contentType.split('/');
  return (
    /html|svg|javascript|ecmascript|shockwave|xsl/.test(sub) ||
    sub === 'xml' ||
    sub.endsWith('+xml') ||
    top === 'multipart' ||
    top === 'message'
  );
}

export function isInlineSafe(contentType: string): boolean {
  return INLINE_TYPES.has(contentType);
}

/** The Content-Type header for a stored type: text is always UTF-8 (that is what was checked). */
export function servedContentType(contentType: string): string {
  return contentType.startsWith('text/') ? `${contentType}; charset=utf-8` : contentType;
}

function normalizeDeclared(declared: string | null | undefined): string | null {
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  return type && MIME.test(type) ? type : null;
}

/**
 * The content type to store and serve for a file starting with `head`:
 * 1. text that opens as markup is HTML, SVG or XML, whatever it is called;
 * 2. otherwise what file-type recognises from the magic bytes;
 * 3. otherwise other text is plain text (or CSV, Markdown… when the name or claim says so);
 * 4. otherwise the declared type, unless it is one a browser could execute or one that
 *    step 2 would have recognised (a real PNG has PNG's magic bytes);
 * 5. otherwise application/octet-stream.
 */
export async function sniffContentType(head: Uint8Array, hints: { name: string; declaredType?: string | null }): Promise<string> {
  const text = isText(head);
  if (text) {
    const markup = markupType(head);
    if (markup) return markup;
  }
  const detected = head.byteLength > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (detected) return detected.mime;
  const declared = normalizeDeclared(hints.declaredType);
  if (text) {
    if (declared && TEXT_TYPES.has(declared)) return declared;
    return TEXT_EXTENSIONS[extensionOf(hints.name)] ?? 'text/plain';
  }
  if (declared && !isActiveContent(declared) && !INLINE_TYPES.has(declared) && !declared.startsWith('text/')) return declared;
  return 'application/octet-stream';
}

/** UTF-8 without NUL or stray control characters (tab, newlines, form feed and escape are fine). */
function isText(head: Uint8Array): boolean {
  for (const byte of head) {
    if (byte < 0x20 && !(byte >= 0x09 && byte <= 0x0d) && byte !== 0x1b) return false;
    if (byte === 0x7f) return false;
  }
  try {
    // `stream: true`: the sample may end in the middle of a character.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

// The start tags by which browsers recognise an HTML document (WHATWG MIME Sniffing, 7.1).
const HTML_START = /^<(!doctype html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|!--)[\s>/]/;

/** HTML, SVG or XML when the text opens as such, after any BOM, whitespace, XML declaration, comments and doctype. */
function markupType(head: Uint8Array): string | null {
  let text = new TextDecoder('utf-8').decode(head.subarray(0, 4096)).replace(/^\uFEFF/, '').toLowerCase();
  let prolog = false;
  for (;;) {
    text = text.trimStart();
    if (text.startsWith('<?xml')) {
      prolog = true;
      text = skipPast(text, '?>');
    } else if (text.startsWith('<!--') && prolog) {
      text = skipPast(text, '-->');
    } else if (text.startsWith('<!doctype svg')) {
      return 'image/svg+xml';
    } else if (text.startsWith('<!doctype') && prolog && !text.startsWith('<!doctype html')) {
      text = skipPast(text, '>');
    } else {
      break;
    }
  }
  if (/^<svg[\s>/]/.test(text)) return 'image/svg+xml';
  if (HTML_START.test(text) || text.startsWith('<!--')) return 'text/html';
  return prolog ? 'application/xml' : null;
}

function skipPast(text: string, end: string): string {
  const at = text.indexOf(end);
  return at < 0 ? '' : text.slice(at + end.length);
}
