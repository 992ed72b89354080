import { type KeyboardEvent, type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { FormattedBody } from './FormattedBody';
import { applyChange, type Format, formatChange, previewHtml, type Selection } from './markdown-edit';
import './format.css';

// The composer's formatting: a row of buttons, Ctrl/⌘+B, I and K on the selection, and a
// preview of what the customer will see, shown as the thread shows it (FormattedBody). The
// message stays Markdown (markdown-edit.ts); the server renders it (src/text/markdown.ts).

const BUTTONS: { format: Format; label: string; shortcut?: string; glyph: ReactNode }[] = [
  { format: 'bold', label: 'Bold', shortcut: 'B', glyph: <strong>B</strong> },
  { format: 'italic', label: 'Italic', shortcut: 'I', glyph: <em>I</em> },
  { format: 'link', label: 'Link', shortcut: 'K', glyph: <span className="format-glyph-link">Link</span> },
  { format: 'code', label: 'Code', glyph: <code>{'</>'}</code> },
  { format: 'bullets', label: 'Bulleted list', glyph: '•≡' },
  { format: 'numbers', label: 'Numbered list', glyph: '1≡' },
  { format: 'quote', label: 'Quote', glyph: '❝' },
];
const SHORTCUTS: Record<string, Format> = { b: 'bold', i: 'italic', k: 'link' };
const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function useFormatting(options: { text: string; input: RefObject<HTMLTextAreaElement | null>; replace(value: string): void }) {
  const { text, input, replace } = options;
  const [preview, setPreview] = useState(false);
  // The selection to restore once React has put a replaced text in (when the browser could not insert it).
  const nextSelection = useRef<Selection | null>(null);

  useEffect(() => {
    if (!nextSelection.current || !input.current) return;
    input.current.setSelectionRange(nextSelection.current.start, nextSelection.current.end);
    nextSelection.current = null;
  });

  function apply(format: Format) {
    const element = input.current;
    if (!element) return;
    const before = element.value;
    const change = formatChange(format, before, { start: element.selectionStart, end: element.selectionEnd });
    const expected = applyChange(before, change).text;
    element.focus();
    element.setSelectionRange(change.from, change.to);
    // Inserted as if typed: the browser's undo (Ctrl+Z) takes the formatting back, and the
    // textarea's own change handler (the pickers, the draft) sees it like any edit.
    const inserted = change.insert !== '' && document.execCommand('insertText', false, change.insert);
    if (inserted && element.value === expected) {
      element.setSelectionRange(change.selection.start, change.selection.end);
    } else {
      nextSelection.current = change.selection;
      replace(expected);
    }
  }

  /** Ctrl/⌘+B, I, K; true when the key was one of them. */
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return false;
    const format = SHORTCUTS[event.key.toLowerCase()];
    if (!format) return false;
    event.preventDefault();
    apply(format);
    return true;
  }

  /** The arrow keys move along the toolbar's buttons, as in any toolbar. */
  function moveAlong(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const buttons = [...event.currentTarget.querySelectorAll('button')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at === -1) return;
    event.preventDefault();
    buttons[(at + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
  }

  const toolbar = (
    <div className="format-toolbar" role="toolbar" aria-label="Formatting" onKeyDown={moveAlong}>
      {BUTTONS.map(({ format, label, shortcut, glyph }) => (
        <button
          key={format}
          type="button"
          className="format-button"
          aria-label={label}
          title={shortcut ? `${label} (${MAC ? '⌘' : 'Ctrl'}+${shortcut})` : label}
          // The textarea keeps its focus and selection while the button is pressed.
          onMouseDown={(event) => event.preventDefault()}
          onClick={() => apply(format)}
        >
          {glyph}
        </button>
      ))}
      <button type="button" className="format-button format-preview-toggle" aria-pressed={preview} onClick={() => setPreview(!preview)}>
        Preview
      </button>
    </div>
  );

  const shown = preview ? (
    <section className="format-preview" aria-label="Preview">
      {text.trim() ? <FormattedBody html={previewHtml(text)} /> : <p className="composer-hint">Nothing to preview yet.</p>}
    </section>
  ) : null;

  return { toolbar, preview: shown, onKeyDown };
}
