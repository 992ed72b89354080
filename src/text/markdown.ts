import { Marked, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

// A team member's message is Markdown (the composer's toolbar writes it): the source stays
// the message's body, which is the mail's text part and reads well as plain text, and this
// renders the HTML part. What comes out is sanitised like any input (an agent's account can
// be stolen, and the portal and the widget show it to customers): raw HTML in the source is
// shown as the text it is rather than interpreted (an agent writing "use the <form> tag"
// means those characters), images become links (a remote picture in a reply would tell its
// host when the customer read it; files go as attachments), and only http(s) and mailto
// links survive.
//
// Kept apart from the knowledge base's renderer (kb/render.ts), whose articles are public
// pages: they keep images and raw HTML and their links say "nofollow" to search engines.

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const SAFE_HREF = /^(https?:|mailto:)/i;

const markdown = new Marked({ gfm: true, breaks: true, async: false });
markdown.use({
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag) {
      const shown = escapeHtml(block ? text.trim() : text);
      return block ? `<p>${shown.replace(/\n/g, '<br>')}</p>\n` : shown;
    },
    link(token: Tokens.Link) {
      // Any other scheme (javascript:, data:, a relative path) keeps the words, not the link.
      return SAFE_HREF.test(token.href) ? false : this.parser.parseInline(token.tokens);
    },
    image({ href, text }: Tokens.Image) {
      const label = escapeHtml(text || href);
      return SAFE_HREF.test(href) ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
    },
  },
});

/** Plain formatting: what a message and an article both keep (kb/render.ts adds images). */
export const FORMATTING_TAGS = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'blockquote',
  'pre',
  'code',
  'em',
  'strong',
  'del',
  'ul',
  'ol',
  'li',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: FORMATTING_TAGS,
  // target and rel are the ones transformTags sets below: the attribute filter runs after it.
  allowedAttributes: { a: ['href', 'title', 'target', 'rel'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    // A link in a mail or the portal opens outside and tells the other site nothing of where it was.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' } }),
  },
};

/**
 * Whether Markdown would change how the text reads: paragraphs, line breaks and bare
 * addresses (which mail clients link by themselves) are plain text already.
 */
function isPlain(tokens: readonly Token[]): boolean {
  return tokens.every((token) => {
    switch (token.type) {
      case 'space':
      case 'br':
        return true;
      case 'text':
        return !('tokens' in token) || !token.tokens || isPlain(token.tokens);
      case 'paragraph':
        return isPlain(token.tokens ?? []);
      case 'link':
        // A GFM autolink's source is its text; [text](url) is formatting.
        return token.raw === token.text;
      default:
        return false;
    }
  });
}

/** The sanitised HTML of a team member's Markdown, or null when it is plain text (shown and mailed as such). */
export function messageHtml(source: string): string | null {
  const tokens = markdown.lexer(source);
  if (isPlain(tokens)) return null;
  const html = sanitizeHtml(markdown.parser(tokens) as string, OPTIONS).trim();
  return html || null;
}
