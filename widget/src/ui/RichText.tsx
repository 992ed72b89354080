import { type ComponentChild, h } from 'preact';

// A team member's formatted message, from the HTML the server rendered and sanitised
// (src/text/markdown.ts). The widget runs inside someone else's page, so it does not trust
// that alone: the HTML is parsed inert (DOMParser runs nothing and loads nothing) and
// rebuilt as elements from this short list, with text as text; any other element gives
// only its content, any attribute but a link's http(s)/mailto address is dropped. No
// Markdown parser ships in the bundle.

const ALLOWED = new Set([
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
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
]);
const SAFE_HREF = /^(https?:|mailto:)/i;

function rebuild(node: Node, key: number): ComponentChild {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (!(node instanceof Element)) return null;
  const children = [...node.childNodes].map(rebuild);
  const tag = node.tagName.toLowerCase();
  if (!ALLOWED.has(tag)) return children;
  if (tag === 'a') {
    const href = node.getAttribute('href') ?? '';
    if (!SAFE_HREF.test(href)) return children;
    return h('a', { key, href, target: '_blank', rel: 'noopener noreferrer' }, children);
  }
  const start = tag === 'ol' ? Number(node.getAttribute('start')) : Number.NaN;
  return h(tag, Number.isInteger(start) && start > 0 ? { key, start } : { key }, children);
}

export function RichText({ html }: { html: string }) {
  const body = new DOMParser().parseFromString(html, 'text/html').body;
  return <div class="rich">{[...body.childNodes].map(rebuild)}</div>;
}
