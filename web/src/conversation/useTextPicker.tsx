import { type KeyboardEvent, type ReactNode, type RefObject, useEffect, useId, useRef, useState } from 'react';

// What the composer's inline pickers share (`@` mentions, `/` canned replies): where the
// caret is, whether the trigger being typed is open (not picked at, not closed with Escape),
// which option is highlighted, the keys (arrows move, Enter or Tab picks, Escape closes), the
// list's ARIA wiring (focus stays in the textarea, which names the highlighted option, as in
// a combobox) and putting the pick in with the caret after it. What is offered, and what a
// pick inserts, is each picker's own.

/** A trigger typed before the caret: where it starts (the `@` or `/`) and what follows it. */
export type Typed = { start: number; query: string };

/** What a pick replaces: the trigger and its query, as they were when it was picked. */
export type Span = { start: number; end: number };

export function useTextPicker(options: {
  text: string;
  input: RefObject<HTMLTextAreaElement | null>;
  /** Finds the trigger being typed before the caret, or null. */
  find(text: string, caret: number): Typed | null;
  /** False: the picker is off (a mention in a reply); true by default. */
  active?: boolean;
}) {
  const { text, input, find, active = true } = options;
  const [caret, setCaret] = useState(0);
  // Which option is highlighted, for the query it was moved in: typing on starts at the top again.
  const [highlight, setHighlight] = useState({ query: '', index: 0 });
  // The trigger picked at or closed with Escape: no list for it again until another is typed.
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const nextCaret = useRef<number | null>(null);
  const listId = useId();

  const typed = active ? find(text, caret) : null;
  const open = typed !== null && typed.start !== closedAt;

  useEffect(() => {
    if (typed === null && closedAt !== null) setClosedAt(null);
  }, [typed, closedAt]);
  useEffect(() => {
    // The caret goes after the inserted text once React has put it in.
    if (nextCaret.current === null || !input.current) return;
    input.current.setSelectionRange(nextCaret.current, nextCaret.current);
    setCaret(nextCaret.current);
    nextCaret.current = null;
  });

  /** Closes the list for this trigger and says what a pick replaces; null when nothing is typed. */
  function take(): Span | null {
    if (!typed) return null;
    setClosedAt(typed.start);
    return { start: typed.start, end: caret };
  }

  /** The text with `span` replaced; the caret goes after `replacement`. */
  function put(current: string, span: Span, replacement: string): string {
    nextCaret.current = span.start + replacement.length;
    input.current?.focus();
    return current.slice(0, span.start) + replacement + current.slice(span.end);
  }

  /** The keys, the ARIA wiring and the highlighted option, for the options on offer now. */
  function offer<T extends { id: number }>(matches: readonly T[], pick: (item: T) => void) {
    const shown = open && matches.length > 0;
    const index = typed && highlight.query === typed.query ? Math.min(highlight.index, matches.length - 1) : 0;
    const current = shown ? matches[index] : undefined;
    /** Handles the key if the list is showing; true when it did. */
    function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
      if (!shown || !typed || event.altKey || event.ctrlKey || event.metaKey) return false;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setHighlight({ query: typed.query, index: (index + step + matches.length) % matches.length });
      } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && current) {
        pick(current);
      } else if (event.key === 'Escape') {
        setClosedAt(typed.start);
      } else {
        return false;
      }
      event.preventDefault();
      return true;
    }
    return {
      shown,
      onKeyDown,
      listId,
      highlighted: current?.id,
      inputProps: {
        'aria-autocomplete': 'list' as const,
        'aria-controls': shown ? listId : undefined,
        'aria-activedescendant': shown && current ? `${listId}-${current.id}` : undefined,
      },
    };
  }

  return {
    /** What is typed after the open trigger; null while no list should show. */
    query: open ? typed.query : null,
    /** For the textarea's onChange and onSelect: where the caret is. */
    track: (element: HTMLTextAreaElement) => setCaret(element.selectionStart ?? element.value.length),
    take,
    put,
    offer,
  };
}

/** The list a picker shows under the textarea, and a status line for screen readers. */
export function PickerList<T extends { id: number }>(props: {
  id: string;
  label: string;
  /** Added to the list's and each option's class (`mention-list`, `mention-option`). */
  listClass?: string;
  optionClass?: string;
  items: readonly T[];
  highlighted: number | undefined;
  onPick(item: T): void;
  /** e.g. "3 team members: arrows to choose, Enter to mention" */
  status: string;
  children(item: T): ReactNode;
}) {
  const { id, label, listClass = '', optionClass = '', items, highlighted, onPick, status, children } = props;
  return (
    <>
      <div className={`mention-list ${listClass}`.trim()} id={id} role="listbox" aria-label={label}>
        {items.map((item) => (
          // biome-ignore lint/a11y/useFocusableInteractive: focus stays in the textarea, which names the highlighted option (aria-activedescendant), as in a combobox.
          <div
            key={item.id}
            id={`${id}-${item.id}`}
            role="option"
            aria-selected={item.id === highlighted}
            className={`mention-option ${optionClass}`.trim()}
            // On mouse down, not click: the textarea keeps focus and its caret.
            onMouseDown={(event) => {
              event.preventDefault();
              onPick(item);
            }}
          >
            {children(item)}
          </div>
        ))}
      </div>
      <p className="visually-hidden" role="status">
        {status}
      </p>
    </>
  );
}
