// The quoted history of a reply, kept apart so the thread shows what is new first.
// Email arrives split already: the server moved the quote into
// <details class="ot-quoted"> (src/channels/email/mail-content.ts). A text body is split here,
// at the block of "> " lines that ends it, with the attribution line above it
// ("On Tue, Ana <ana@example.com> wrote:"). Quotes between the sender's own lines are
// kept in place: they are part of what the sender wrote.

type QuoteSplit = { visible: string; quoted: string };

/** The HTML without its .ot-quoted blocks, and their content; null when there is none. */
export function splitHtmlQuote(html: string): QuoteSplit | null {
  if (!html.includes('ot-quoted')) return null;
  // An inert document: nothing in it loads or runs.
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const blocks = [...doc.body.querySelectorAll('details.ot-quoted')];
  if (blocks.length === 0) return null;
  const quoted = blocks.map((block) => {
    block.querySelector(':scope > summary')?.remove();
    const content = block.innerHTML;
    block.remove();
    return content;
  });
  // A <style> at the start of a body is parsed into the head: keep it with the visible part.
  return { visible: doc.head.innerHTML + doc.body.innerHTML, quoted: quoted.join('') };
}

const QUOTE_LINE = /^\s*>/;
const ATTRIBUTION = /wrote|schrieb|écrit|escribió|scrisse|skrev|schreef|@|\d/i;

export function splitTextQuote(text: string): QuoteSplit | null {
  const lines = text.split('\n');
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (QUOTE_LINE.test(line)) start = i;
    else if (line.trim() !== '') break;
  }
  if (start === -1) return null;
  let above = start - 1;
  while (above >= 0 && lines[above]!.trim() === '') above--;
  const attribution = above >= 0 ? lines[above]!.trim() : '';
  if (attribution.endsWith(':') && attribution.length < 300 && ATTRIBUTION.test(attribution)) start = above;
  const visible = lines.slice(0, start).join('\n').trimEnd();
  // All quote (a bare forward): nothing new to show first, so show it whole.
  if (!visible.trim()) return null;
  return { visible, quoted: lines.slice(start).join('\n').trim() };
}
