import { type RefObject, useMemo, useRef } from 'react';
import type { User } from '../api/types';
import { useAgents } from '../inbox/useAgents';
import { PickerList, type Typed, useTextPicker } from './useTextPicker';

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
export function mentionAt(text: string, caret: number): Typed | null {
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
  const picker = useTextPicker({ text, input, find: mentionAt, active });
  const picked = useRef(new Map<number, string>());
  const matches = picker.query === null ? [] : matchMembers(members, picker.query);

  function pick(member: Member) {
    const span = picker.take();
    if (!span) return;
    picked.current.set(member.id, member.name);
    replace(picker.put(text, span, `@${member.name} `));
  }

  const list = picker.offer(matches, pick);
  return {
    onKeyDown: list.onKeyDown,
    track: picker.track,
    inputProps: list.inputProps,
    list: list.shown ? (
      <PickerList
        id={list.listId}
        label="Mention a team member"
        items={matches}
        highlighted={list.highlighted}
        onPick={pick}
        status={`${matches.length === 1 ? '1 team member' : `${matches.length} team members`}: arrows to choose, Enter to mention`}
      >
        {(member) => (
          <>
            <span className="mention-at" aria-hidden="true">
              @
            </span>
            {member.name}
          </>
        )}
      </PickerList>
    ) : null,
    /** The picked members still named in the body. */
    mentionsIn: (body: string) => [...picked.current].filter(([, name]) => body.includes(`@${name}`)).map(([id]) => id),
    forget: () => picked.current.clear(),
  };
}
