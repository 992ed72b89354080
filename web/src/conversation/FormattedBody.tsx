import { createElement, type ReactNode, useMemo } from 'react';
import type { Message } from '../api/types';
import './formatted.css';

// A team member's formatted message (their Markdown, rendered and sanitised by the server:
// src/text/markdown.ts), shown in the page like any text rather than in a mail's sandboxed
// frame. The server's sanitising is not all that stands between the HTML and the page: it
// is parsed inert (DOMParser runs nothing and loads nothing) and rebuilt as React elements
// from this short list, with text as text; any other element gives only its content, any
// attribute but a link's http(s)/mailto address and a list's start is dropped. The inbox,
// the customer portal and the composer's preview show it the same way.

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

/** A signed-in team member's HTML is their formatting; anyone else's is mail, shown as mail. */
export const isFormatted = (message: Pick<Message, 'htmlBody' | 'sender'>): boolean =>
  Boolean(message.htmlBody) && message.sender.type === 'admin' && message.sender.id !== null;

function rebuild(node: Node, key: number, inPre: boolean): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.textContent ?? '';
    // The line breaks between the renderer's blocks are not text (and not allowed inside a list or table).
    return !inPre && text.includes('\n') && !text.trim() ? null : text;
  }
  if (!(node instanceof Element)) return null;
  const tag = node.tagName.toLowerCase();
  const children = [...node.childNodes].map((child, index) => rebuild(child, index, inPre || tag === 'pre'));
  if (!ALLOWED.has(tag)) return children;
  if (tag === 'br' || tag === 'hr') return createElement(tag, { key });
  if (tag === 'a') {
    const href = node.getAttribute('href') ?? '';
    if (!SAFE_HREF.test(href)) return children;
    return createElement('a', { key, href, target: '_blank', rel: 'noopener noreferrer' }, children);
  }
  const start = tag === 'ol' ? Number(node.getAttribute('start')) : Number.NaN;
  return createElement(tag, Number.isInteger(start) && start > 1 ? { key, start } : { key }, children);
}

export function FormattedBody({ html, className }: { html: string; className?: string }) {
  const content = useMemo(
    () => [...new DOMParser().parseFromString(html, 'text/html').body.childNodes].map((node, index) => rebuild(node, index, false)),
    [html],
  );
  return <div className={`formatted-body${className ? ` ${className}` : ''}`}>{content}</div>;
}
