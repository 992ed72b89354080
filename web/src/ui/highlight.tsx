import { Fragment, type ReactNode } from 'react';

// Search matches shown as <mark> without ever parsing HTML: the API's snippets are
// escaped text with <mark> tags, which are split out here; plain fields are matched
// against the query's words.

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
const unescapeEntities = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (entity) => ENTITIES[entity] ?? entity);

export function Snippet({ html }: { html: string }) {
  const parts = html.split(/<mark>|<\/mark>/);
  return (
    <>
      {/* biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, always in the same order. */}
      {parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{unescapeEntities(part)}</mark> : <Fragment key={i}>{unescapeEntities(part)}</Fragment>))}
    </>
  );
}

export function searchWords(q: string): string[] {
  return q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !['and', 'or', 'not'].includes(w));
}

export function Highlight({ text, words }: { text: string; words: string[] }): ReactNode {
  if (words.length === 0) return text;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'giu');
  const parts = text.split(pattern);
  return (
    <>
      {/* biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, always in the same order. */}
      {parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
}
