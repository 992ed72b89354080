import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { FORMATTING_TAGS } from '../text/markdown.js';

// Articles are Markdown written by the team, shown to the public: the HTML is sanitised
// like any other input (an author's account can be stolen), links open outside and say
// so to search engines, and only plain formatting survives.

const markdown = new Marked({ gfm: true, breaks: false, async: false });

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...FORMATTING_TAGS, 'img'],
  allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt', 'title'], ol: ['start'], th: ['align'], td: ['align'], code: ['class'] },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener noreferrer' } }),
  },
};

const BLOCK_END = /<\/(p|h[1-6]|li|pre|blockquote|tr|table)>|<br\s*\/?>|<hr\s*\/?>/gi;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&nbsp;': ' ' };

export function articleHtml(body: string): string {
  return sanitizeHtml(markdown.parse(body) as string, OPTIONS).trim();
}

/**
 * The article as plain text, one paragraph per block, for search and the bot's quotes.
 * Derived from the sanitised HTML so it never holds anything the page would not show.
 */
export function articleText(body: string): string {
  const html = articleHtml(body).replace(BLOCK_END, '$&\n\n');
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(
    /&(amp|lt|gt|quot|#39|#x27|nbsp);/g,
    (entity) => ENTITIES[entity] ?? entity,
  );
  return text
    .split(/\n{2,}/)
    .map((block) => block.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}
