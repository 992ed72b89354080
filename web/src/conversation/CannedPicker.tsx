import { useQuery } from '@tanstack/react-query';
import { type RefObject, useState } from 'react';
import { errorMessage } from '../api/client';
import { cannedReplyEndpoints } from '../api/endpoints';
import type { CannedReply } from '../api/types';
import { showError } from '../ui/toasts';
import { PickerList, type Typed, useTextPicker } from './useTextPicker';

// `/` at the start of the composer or after a space offers the canned replies: typing
// searches them on the server (shortcut, name, body), arrows move, Enter or Tab picks, Escape
// closes. A pick replaces the `/query` with the reply filled for this conversation by the
// server; what it could not fill stays as `{{…}}`, which the composer marks and will not send.

/** Longer than any shortcut or name one types to find a reply: past it, the `/` is just text. */
const MAX_QUERY = 40;

/** The `/…` being typed before the caret: a `/` at the start or after whitespace, then no whitespace. */
export function slashAt(text: string, caret: number): Typed | null {
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

export function useCannedPicker(options: {
  conversationId: number;
  text: string;
  input: RefObject<HTMLTextAreaElement | null>;
  replace(text: string): void;
  /** A picked reply keeps files: they go with the message (attached by the server, no upload). */
  onFiles(reply: CannedReply): void;
}) {
  const { conversationId, text, input, replace, onFiles } = options;
  const [inserting, setInserting] = useState(false);
  const picker = useTextPicker({ text, input, find: slashAt, active: !inserting });
  const search = useQuery({
    queryKey: ['canned-replies', 'search', picker.query ?? ''],
    queryFn: () => cannedReplyEndpoints.search(picker.query ?? '').then((r) => r.items),
    enabled: picker.query !== null,
    staleTime: 30_000,
  });
  const matches = picker.query === null ? [] : (search.data ?? []);

  async function pick(reply: CannedReply) {
    const span = picker.take();
    if (!span) return;
    setInserting(true);
    try {
      const { body } = await cannedReplyEndpoints.render(reply.id, conversationId);
      replace(picker.put(text, span, body));
      if (reply.files.length > 0) onFiles(reply);
    } catch (error) {
      showError(`Couldn’t insert “${reply.name}”: ${errorMessage(error)}`);
      input.current?.focus();
    } finally {
      setInserting(false);
    }
  }

  const list = picker.offer(matches, (reply) => void pick(reply));
  return {
    onKeyDown: list.onKeyDown,
    shown: list.shown,
    track: picker.track,
    inputProps: list.inputProps,
    list: list.shown ? (
      <PickerList
        id={list.listId}
        label="Canned replies"
        listClass="canned-list"
        optionClass="canned-option"
        items={matches}
        highlighted={list.highlighted}
        onPick={(reply) => void pick(reply)}
        status={`${matches.length === 1 ? '1 canned reply' : `${matches.length} canned replies`}: arrows to choose, Enter to insert`}
      >
        {(reply) => (
          <>
            <span className="canned-name">{reply.name}</span>
            <span className="canned-shortcut">/{reply.shortcut}</span>
            <span className="canned-preview">{reply.body}</span>
          </>
        )}
      </PickerList>
    ) : null,
  };
}
