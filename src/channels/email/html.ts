import sanitizeHtml from 'sanitize-html';

// An email's HTML as the inbox may keep it. The web app shows it in a sandboxed iframe
// with its own CSP (no scripts, remote images only on request); this is the second wall,
// so the stored HTML is harmless wherever else it ends up:
// - no script, style sheet, form, frame, object, or event handler; no javascript: URLs;
// - inline `style` kept (mail layouts need it) minus what can reach outside its box:
//   position fixed/absolute/sticky, expression(), behavior, -moz-binding, @import;
// - remote images are KEPT (src http/https): the client decides whether to load them;
//   cid: images are mapped to stored attachments by the caller (ingest.ts);
// - class/id kept, so quote markers (gmail_quote, #divRplyFwdMsg, …) survive for quotes.ts.

const TAGS = [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'big', 'strike', 'tt', 'details', 'summary'];

const COMMON = ['class', 'id', 'style', 'dir', 'lang', 'align', 'valign', 'width', 'height', 'title', 'bgcolor', 'border', 'color'];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: TAGS,
  disallowedTagsMode: 'discard',
  allowedAttributes: {
    '*': COMMON,
    a: [...COMMON, 'href', 'name', 'target'],
    img: [...COMMON, 'src', 'alt'],
    blockquote: [...COMMON, 'type', 'cite'],
    font: [...COMMON, 'face', 'size'],
    table: [...COMMON, 'cellpadding', 'cellspacing', 'background'],
    td: [...COMMON, 'colspan', 'rowspan', 'nowrap'],
    th: [...COMMON, 'colspan', 'rowspan', 'nowrap'],
    ol: [...COMMON, 'start', 'type'],
    div: [...COMMON, 'data-ot-ref'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'data', 'cid'] },
  allowProtocolRelative: false,
  parseStyleAttributes: false,
  nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head', 'xml'],
  transformTags: {
    '*': (tagName, attribs) => {
      if (attribs.style !== undefined) {
        const style = safeStyle(attribs.style);
        if (style) attribs.style = style;
        else delete attribs.style;
      }
      return { tagName, attribs };
    },
  },
};

const UNSAFE_DECLARATION = /^\s*(position\s*:\s*(fixed|absolute|sticky)|behavior\s*:|-moz-binding\s*:)|expression\s*\(|javascript:|@import/i;

function safeStyle(style: string): string {
  return style
    .split(';')
    .filter((declaration) => declaration.trim() && !UNSAFE_DECLARATION.test(declaration))
    .join(';')
    .trim();
}

export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}
