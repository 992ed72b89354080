import { type KeyboardEvent, type RefObject, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { User } from '../api/types';
import { useAgents } from '../inbox/useAgents';

// `@` in an internal note offers the team members to mention: everyone active on the team
// (the team sees every conversation, so everyone on it can see this one; the server checks
// again). Typing filters, arrows move, Enter or Tab picks, Escape closes. A pick writes
// `@Name ` and remembers the id, sent as `mentions` while `@Name` is still in the note.

type Member = Pick<User, 'id' | 'name'>;

const WORD = /[\p{L}\p{N}_]/u;
const MAX_SHOWN = 8;
/** Longer than any name one would type to find someone: past it, the `@` is just text. */
const MAX_QUERY = 40;

/** The `@…` being typed before the caret: an `@` at the start or after a non-word character, on this line. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('@');
  if (start < 0 || (start > 0 && WORD.test(before[start - 1]!))) return null;
  const query = before.slice(start + 1);
  if (query.length > MAX_QUERY || query.includes('\n')) return null;
  return { start, query };
}

/** Members whose name has the query in it, those whose name (or a word of it) starts with it first. */
export function matchMembers(members: readonly Member[], query: string): Member[] {
  const q = query.toLowerCase();
  const rank = (name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith(q)) return 0;
    if (lower.split(/\s+/).some((word) => word.startsWith(q))) return 1;
    return lower.includes(q) ? 2 : -1;
  };
  return members
    .map((member) => ({ member, rank: rank(member.name) }))
    .filter((m) => m.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.member.name.localeCompare(b.member.name))
    .slice(0, MAX_SHOWN)
    .map((m) => m.member);
}

/**
 * The picker's state for one composer. `active`: in note mode. The composer hands it its
 * text, and what to do to replace it; it gives back what the textarea needs, the list to show
 * and the ids the note mentions.
 */
export function useMentionPicker(options: {
  active: boolean;
  meId: number;
  text: string;
  input: RefObject<HTMLTextAreaElement | null>;
  replace(text: string): void;
}) {
  const { active, meId, text, input, replace } = options;
  const { agents } = useAgents();
  const members = useMemo(() => agents.filter((a) => a.id !== meId && a.active !== false), [agents, meId]);
  const [caret, setCaret] = useState(0);
  // Which option is highlighted, for the query it was moved in: typing on starts at the top again.
  const [highlight, setHighlight] = useState({ query: '', index: 0 });
  // The `@` the agent picked at or closed with Escape: no list for it again until they type another.
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const picked = useRef(new Map<number, string>());
  const nextCaret = useRef<number | null>(null);
  const listId = useId();

  const typing = active ? mentionAt(text, caret) : null;
  const open = typing !== null && typing.start !== closedAt;
  const matches = open ? matchMembers(members, typing.query) : [];
  const shown = matches.length > 0;
  const index = typing && highlight.query === typing.query ? Math.min(highlight.index, matches.length - 1) : 0;
  const current = matches[index];

  useEffect(() => {
    if (typing === null && closedAt !== null) setClosedAt(null);
  }, [typing, closedAt]);
  useEffect(() => {
    // The caret goes after the inserted name once React has put the new text in.
    if (nextCaret.current === null || !input.current) return;
    input.current.setSelectionRange(nextCaret.current, nextCaret.current);
    setCaret(nextCaret.current);
    nextCaret.current = null;
  });

  function pick(member: Member) {
    if (!typing) return;
    const inserted = `@${member.name} `;
    picked.current.set(member.id, member.name);
    nextCaret.current = typing.start + inserted.length;
    setClosedAt(typing.start);
    replace(text.slice(0, typing.start) + inserted + text.slice(caret));
    input.current?.focus();
  }

  /** Handles the key if the list is showing; true when it did. */
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!shown || !typing || event.altKey || event.ctrlKey || event.metaKey) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setHighlight({ query: typing.query, index: (index + step + matches.length) % matches.length });
    } else if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && current) {
      pick(current);
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
    /** For the textarea's onChange and onSelect: where the caret is. */
    track: (element: HTMLTextAreaElement) => setCaret(element.selectionStart ?? element.value.length),
    /** The textarea's part in the list: it keeps focus, and names the highlighted option. */
    inputProps: {
      'aria-autocomplete': 'list' as const,
      'aria-controls': shown ? listId : undefined,
      'aria-activedescendant': shown && current ? `${listId}-${current.id}` : undefined,
    },
    list: shown ? <MentionList id={listId} members={matches} highlighted={current?.id} onPick={pick} /> : null,
    /** The picked members still named in the body. */
    mentionsIn: (body: string) => [...picked.current].filter(([, name]) => body.includes(`@${name}`)).map(([id]) => id),
    forget: () => picked.current.clear(),
  };
}

function MentionList({ id, members, highlighted, onPick }: { id: string; members: Member[]; highlighted: number | undefined; onPick(member: Member): void }) {
  return (
    <>
      <div className="mention-list" id={id} role="listbox" aria-label="Mention a team member">
        {members.map((member) => (
          // biome-ignore lint/a11y/useFocusableInteractive: focus stays in the textarea, which names the highlighted option (aria-activedescendant), as in a combobox.
          <div
            key={member.id}
            id={`${id}-${member.id}`}
            role="option"
            aria-selected={member.id === highlighted}
            className="mention-option"
            // On mouse down, not click: the textarea keeps focus and its caret.
            onMouseDown={(event) => {
              event.preventDefault();
              onPick(member);
            }}
          >
            <span className="mention-at" aria-hidden="true">
              @
            </span>
            {member.name}
          </div>
        ))}
      </div>
      <p className="visually-hidden" role="status">
        {members.length === 1 ? '1 team member' : `${members.length} team members`}: arrows to choose, Enter to mention
      </p>
    </>
  );
}
