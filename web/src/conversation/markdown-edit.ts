import { Marked, type Tokens } from 'marked';

// What the composer's formatting buttons and shortcuts do to the text: pure functions from
// (text, selection) to (text, selection), so each is easy to test and to undo. The message
// is Markdown; the server renders and sanitises it (src/text/markdown.ts) and the preview
// here renders it the same way, shown as the thread shows it (FormattedBody.tsx).

export type Selection = { start: number; end: number };
export type Edit = { text: string; selection: Selection };
/** What changes: the text between `from` and `to` becomes `insert`; then `selection` is selected. */
export type Change = { from: number; to: number; insert: string; selection: Selection };

export type Format = 'bold' | 'italic' | 'code' | 'link' | 'bullets' | 'numbers' | 'quote';

/** Applies a change to the text (what a textarea does when the browser cannot insert it itself). */
export function applyChange(text: string, change: Change): Edit {
  return { text: text.slice(0, change.from) + change.insert + text.slice(change.to), selection: change.selection };
}

/**
 * Wraps the selection in `mark` (`**` for bold), or unwraps it when it is wrapped already,
 * so pressing Ctrl+B twice gives back the text. Nothing selected: the marks go in with a
 * word to type over, selected.
 */
function wrap(text: string, { start, end }: Selection, mark: string, placeholder: string): Change {
  const selected = text.slice(start, end);
  if (selected.length >= 2 * mark.length && selected.startsWith(mark) && selected.endsWith(mark)) {
    const inner = selected.slice(mark.length, -mark.length);
    return { from: start, to: end, insert: inner, selection: { start, end: start + inner.length } };
  }
  if (text.slice(start - mark.length, start) === mark && text.slice(end, end + mark.length) === mark) {
    const from = start - mark.length;
    return { from, to: end + mark.length, insert: selected, selection: { start: from, end: from + selected.length } };
  }
  // Spaces the selection caught at its edges stay outside: `** word**` is not bold.
  const lead = selected.length - selected.trimStart().length;
  const trail = selected.length - selected.trimEnd().length;
  const core = selected.trim() || placeholder;
  const from = start + (selected.trim() ? lead : 0);
  const to = end - (selected.trim() ? trail : 0);
  const at = from + mark.length;
  return { from, to, insert: `${mark}${core}${mark}`, selection: { start: at, end: at + core.length } };
}

const URL_LIKE = /^(https?:\/\/|mailto:|www\.)\S+$/i;

/** `[words](url)`: the url selected to type over, or the words when the selection was an address. */
function link(text: string, { start, end }: Selection): Change {
  const selected = text.slice(start, end).trim();
  if (URL_LIKE.test(selected)) {
    const words = 'link text';
    return { from: start, to: end, insert: `[${words}](${selected})`, selection: { start: start + 1, end: start + 1 + words.length } };
  }
  const words = selected || 'link text';
  const url = 'https://';
  const at = start + words.length + 3;
  return { from: start, to: end, insert: `[${words}](${url})`, selection: { start: at, end: at + url.length } };
}

/** Inline code on one line; a fenced block for several. */
function code(text: string, selection: Selection): Change {
  const selected = text.slice(selection.start, selection.end);
  if (!selected.includes('\n')) return wrap(text, selection, '`', 'code');
  const before = selection.start > 0 && text[selection.start - 1] !== '\n' ? '\n' : '';
  const insert = `${before}\`\`\`\n${selected.replace(/\n$/, '')}\n\`\`\`\n`;
  const at = selection.start + before.length + 4;
  return { from: selection.start, to: selection.end, insert, selection: { start: at, end: at + selected.replace(/\n$/, '').length } };
}

const BULLET = /^[-*+] /;
const NUMBER = /^\d+[.)] /;
const QUOTE = /^> ?/;

/**
 * Prefixes every line the selection touches (a list, a quote), or takes the prefix off when
 * every line has it already. Another kind of list's marks are replaced, not stacked.
 */
function prefixLines(text: string, { start, end }: Selection, kind: 'bullets' | 'numbers' | 'quote'): Change {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  // A selection ending just after a newline does not take in the next line.
  const last = end > start && text[end - 1] === '\n' ? end - 1 : end;
  const lineEnd = text.indexOf('\n', last);
  const to = lineEnd === -1 ? text.length : lineEnd;
  const lines = text.slice(from, to).split('\n');
  const own = kind === 'bullets' ? BULLET : kind === 'numbers' ? NUMBER : QUOTE;
  const remove = lines.every((line) => own.test(line) || (lines.length > 1 && line.trim() === ''));
  let n = 0;
  const changed = lines.map((line) => {
    if (remove) return line.replace(own, '');
    if (line.trim() === '' && lines.length > 1) return line;
    const bare = kind === 'quote' ? line : line.replace(BULLET, '').replace(NUMBER, '');
    n += 1;
    return `${kind === 'bullets' ? '- ' : kind === 'numbers' ? `${n}. ` : '> '}${bare}`;
  });
  const insert = changed.join('\n');
  // One empty line: the caret goes after the new mark, ready to type.
  const selection =
    lines.length === 1 && lines[0] === '' ? { start: from + insert.length, end: from + insert.length } : { start: from, end: from + insert.length };
  return { from, to, insert, selection };
}

export function formatChange(format: Format, text: string, selection: Selection): Change {
  switch (format) {
    case 'bold':
      return wrap(text, selection, '**', 'bold text');
    case 'italic':
      return wrap(text, selection, '_', 'italic text');
    case 'code':
      return code(text, selection);
    case 'link':
      return link(text, selection);
    default:
      return prefixLines(text, selection, format);
  }
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const SAFE_HREF = /^(https?:|mailto:)/i;

// The server's rules (src/text/markdown.ts): raw HTML shows as text, images as links, and
// only http(s) and mailto links. FormattedBody then keeps only the elements it knows.
const markdown = new Marked({ gfm: true, breaks: true, async: false });
markdown.use({
  renderer: {
    html({ text, block }: Tokens.HTML | Tokens.Tag) {
      const shown = escapeHtml(block ? text.trim() : text);
      return block ? `<p>${shown.replace(/\n/g, '<br>')}</p>\n` : shown;
    },
    link(token: Tokens.Link) {
      return SAFE_HREF.test(token.href) ? false : this.parser.parseInline(token.tokens);
    },
    image({ href, text }: Tokens.Image) {
      const label = escapeHtml(text || href);
      return SAFE_HREF.test(href) ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
    },
  },
});

/** The HTML the message will show as (the server's sanitiser only takes away what this never makes). */
export function previewHtml(source: string): string {
  return markdown.parse(source) as string;
}
