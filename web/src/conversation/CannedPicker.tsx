import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, type RefObject, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { cannedReplyEndpoints } from '../api/endpoints';
import type { CannedReply } from '../api/types';
import { showError } from '../ui/toasts';

// `/` at the start of the composer or after a space offers the canned replies: typing
// searches them on the server (shortcut, name, body), arrows move, Enter or Tab picks, Escape
// closes. A pick replaces the `/query` with the reply filled for this conversation by the
// server; what it could not fill stays as `{{…}}`, which the composer marks and will not send.

/** Longer than any shortcut or name one types to find a reply: past it, the `/` is just text. */
const MAX_QUERY = 40;

/** The `/…` being typed before the caret: a `/` at the start or after whitespace, then no whitespace. */
export function slashAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('/');
  if (start < 0 || (start > 0 && !/\s/.test(before[start - 1]!))) return null;
  const query = before.slice(start + 1);
  if (query.length > MAX_QUERY || /\s/.test(query)) return null;
  return { start, query };
}

/** The placeholders a text still holds, as written, once each: the server's rule (src/inbox/canned/placeholders.ts). */
export function placeholdersLeft(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/\{\{\s*[A-Za-z]+\.[A-Za-z]+\s*\}\}/g), (m) => m[0]))];
}

/** What the composer says, and the server answers, while a placeholder is left in a reply. */
export const fillInMessage = (left: readonly string[]) => `Fill in ${left.join(', ')} before sending: the customer would get it as written.`;

export function useCannedPicker(options: { conversationId: number; text: string; input: RefObject<HTMLTextAreaElement | null>; replace(text: string): void }) {
  const { conversationId, text, input, replace } = options;
  const [caret, setCaret] = useState(0);
  const [highlight, setHighlight] = useState({ query: '', index: 0 });
  // The `/` picked at or closed with Escape: no list for it again until another is typed.
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const [inserting, setInserting] = useState(false);
  const nextCaret = useRef<number | null>(null);
  const listId = useId();

  const typing = slashAt(text, caret);
  const open = typing !== null && typing.start !== closedAt && !inserting;
  const search = useQuery({
    queryKey: ['canned-replies', 'search', typing?.query ?? ''],
    queryFn: () => cannedReplyEndpoints.search(typing?.query ?? '').then((r) => r.items),
    enabled: open,
    staleTime: 30_000,
  });
  const matches = open ? (search.data ?? []) : [];
  const shown = matches.length > 0;
  const index = typing && highlight.query === typing.query ? Math.min(highlight.index, matches.length - 1) : 0;
  const current = matches[index];

  useEffect(() => {
    if (typing === null && closedAt !== null) setClosedAt(null);
  }, [typing, closedAt]);
  useEffect(() => {
    if (nextCaret.current === null || !input.current) return;
    input.current.setSelectionRange(nextCaret.current, nextCaret.current);
    setCaret(nextCaret.current);
    nextCaret.current = null;
  });

  async function pick(reply: CannedReply) {
    if (!typing) return;
    const { start } = typing;
    const end = caret;
    setClosedAt(start);
    setInserting(true);
    try {
      const { body } = await cannedReplyEndpoints.render(reply.id, conversationId);
      nextCaret.current = start + body.length;
      replace(text.slice(0, start) + body + text.slice(end));
    } catch (error) {
      showError(`Couldn’t insert “${reply.name}”: ${errorMessage(error)}`);
    } finally {
      setInserting(false);
      input.current?.focus();
    }
  }

  /** Handles the key if the list is showing; true when it did. */
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!shown || !typing || event.altKey || event.ctrlKey || event.metaKey) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setHighlight({ query: typing.query, index: (index + step + matches.length) % matches.length });
    } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && current) {
      void pick(current);
    } else if (event.key === 'Escape') {
      setClosedAt(typing.start);
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  return {
    onKeyDown,
    shown,
    track: (element: HTMLTextAreaElement) => setCaret(element.selectionStart ?? element.value.length),
    inputProps: {
      'aria-autocomplete': 'list' as const,
      'aria-controls': shown ? listId : undefined,
      'aria-activedescendant': shown && current ? `${listId}-${current.id}` : undefined,
    },
    list: shown ? <CannedList id={listId} replies={matches} highlighted={current?.id} onPick={(r) => void pick(r)} /> : null,
  };
}

function CannedList({
  id,
  replies,
  highlighted,
  onPick,
}: {
  id: string;
  replies: CannedReply[];
  highlighted: number | undefined;
  onPick(reply: CannedReply): void;
}) {
  return (
    <>
      <div className="mention-list canned-list" id={id} role="listbox" aria-label="Canned replies">
        {replies.map((reply) => (
          // biome-ignore lint/a11y/useFocusableInteractive: focus stays in the textarea, which names the highlighted option (aria-activedescendant), as in a combobox.
          <div
            key={reply.id}
            id={`${id}-${reply.id}`}
            role="option"
            aria-selected={reply.id === highlighted}
            className="mention-option canned-option"
            onMouseDown={(event) => {
              event.preventDefault();
              onPick(reply);
            }}
          >
            <span className="canned-name">{reply.name}</span>
            <span className="canned-shortcut">/{reply.shortcut}</span>
            <span className="canned-preview">{reply.body}</span>
          </div>
        ))}
      </div>
      <p className="visually-hidden" role="status">
        {replies.length === 1 ? '1 canned reply' : `${replies.length} canned replies`}: arrows to choose, Enter to insert
      </p>
    </>
  );
}
