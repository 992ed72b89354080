import { fileTypeFromBuffer } from 'file-type';
import { extensionOf } from './names.js';

// What a file is, decided from its bytes: the name and the sender's declared type are
// the sender's claims, and an HTML page named photo.png must not become an image/png
// that a browser renders in our origin. Nor is markup ever given its own type (text/html,
// image/svg+xml, XML): downloads are `attachment` with nosniff, but a type that names
// markup would leave one header between a customer's upload and script in our origin.

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

/** What markup is stored and served as: bytes to save, never a document a browser renders. */
export const DOWNLOAD_TYPE = 'application/octet-stream';

/** Types a browser may execute or render as a document (script, markup, plugins). */
export function isActiveContent(contentType: string): boolean {
  const [top = '', sub = ''] = (contentType.split(';')[0] ?? '').trim().toLowerCase().split('/');
  return (
    /html|svg|javascript|ecmascript|shockwave|xsl/.test(sub) ||
    sub === 'xml' ||
    sub.startsWith('xml-') ||
    sub.endsWith('+xml') ||
    top === 'multipart' ||
    top === 'message'
  );
}

export function isInlineSafe(contentType: string): boolean {
  return INLINE_TYPES.has(contentType);
}

/**
 * The type a stored file is known by outside (the API, live frames, mail): markup is a
 * download even when its row says otherwise (rows written before markup was stored as
 * application/octet-stream say text/html, image/svg+xml or XML).
 */
export function safeContentType(contentType: string): string {
  return isActiveContent(contentType) ? DOWNLOAD_TYPE : contentType;
}

/** The Content-Type header for a stored type: safe, and text always UTF-8 (that is what was checked). */
export function servedContentType(contentType: string): string {
  const safe = safeContentType(contentType);
  return safe.startsWith('text/') ? `${safe}; charset=utf-8` : safe;
}

function normalizeDeclared(declared: string | null | undefined): string | null {
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  return type && MIME.test(type) ? type : null;
}

/**
 * The content type to store and serve for a file starting with `head`:
 * 1. text (UTF-8, or UTF-16 with its BOM) that opens as markup — HTML, XHTML, SVG, any
 *    XML — is application/octet-stream, whatever it is called or claimed to be: a type
 *    that names markup is one header away from a page running in our origin;
 * 2. otherwise what file-type recognises from the magic bytes;
 * 3. otherwise other text is plain text (or CSV, Markdown… when the name or claim says so);
 * 4. otherwise the declared type, unless it is one a browser could execute or one that
 *    step 2 would have recognised (a real PNG has PNG's magic bytes);
 * 5. otherwise application/octet-stream.
 * Whichever step decides, a type a browser would render as a document is never the answer.
 */
export async function sniffContentType(head: Uint8Array, hints: { name: string; declaredType?: string | null }): Promise<string> {
  const type = await decide(head, hints);
  return isActiveContent(type) ? DOWNLOAD_TYPE : type;
}

async function decide(head: Uint8Array, hints: { name: string; declaredType?: string | null }): Promise<string> {
  const text = isText(head);
  const opening = text ? new TextDecoder('utf-8').decode(head.subarray(0, MARKUP_BYTES)) : utf16Opening(head);
  if (opening !== null && opensAsMarkup(opening)) return DOWNLOAD_TYPE;
  const detected = head.byteLength > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (detected) return detected.mime;
  const declared = normalizeDeclared(hints.declaredType);
  if (text) {
    if (declared && TEXT_TYPES.has(declared)) return declared;
    return TEXT_EXTENSIONS[extensionOf(hints.name)] ?? 'text/plain';
  }
  if (declared && !isActiveContent(declared) && !INLINE_TYPES.has(declared) && !declared.startsWith('text/')) return declared;
  return DOWNLOAD_TYPE;
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

/** How much of the start the markup check reads: leading whitespace and a BOM are all it skips. */
const MARKUP_BYTES = 4096;

/** The start of UTF-16 text with a byte order mark (how Windows tools save "Unicode" files); null otherwise. */
function utf16Opening(head: Uint8Array): string | null {
  const encoding = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : null;
  return encoding && new TextDecoder(encoding).decode(head.subarray(0, MARKUP_BYTES));
}

// The start tags by which browsers recognise an HTML document (WHATWG MIME Sniffing, 7.1).
const HTML_START = /^<(html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p)[\s>/]/;

/**
 * Whether the text opens as markup, after any BOM and whitespace: an XML declaration or
 * processing instruction, a doctype, a comment (which only markup begins with), an SVG
 * root or a tag by which browsers recognise HTML. Nothing past these is needed: any of
 * them is enough to refuse a markup type.
 */
function opensAsMarkup(text: string): boolean {
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return start.startsWith('<?') || start.startsWith('<!doctype') || start.startsWith('<!--') || /^<svg[\s>/]/.test(start) || HTML_START.test(start);
}
