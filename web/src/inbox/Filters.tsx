import { type RefObject, useEffect, useState } from 'react';
import {
  CHANNEL_NAMES,
  CHANNELS,
  LABEL_NAMES,
  LABELS,
  PRIORITIES,
  PRIORITY_NAMES,
  SORT_NAMES,
  SORTS,
  STATUS_NAMES,
  STATUSES,
  type Status,
  type User,
} from '../api/types';
import type { Filters, InboxRoute } from '../app/route';
import { navigate } from '../app/route';
import { Icon } from '../ui/Icon';
import { optionsOf, Picker } from '../ui/Picker';
import { listedStatuses, statusWords } from './viewScope';

// Filters, the sort and the search box write the URL; the list reads it. Changing a filter
// replaces the history entry, so Back leaves the view rather than undoing a keystroke.

function update(route: InboxRoute, change: Partial<Filters>) {
  const filters: Filters = { ...route.filters, ...change };
  for (const key of Object.keys(change) as (keyof Filters)[]) if (change[key] === undefined) delete filters[key];
  navigate({ ...route, filters }, { replace: true });
}

export function SearchBox({ route, inputRef }: { route: InboxRoute; inputRef: RefObject<HTMLInputElement | null> }) {
  const [text, setText] = useState(route.q);
  useEffect(() => setText(route.q), [route.q]);
  useEffect(() => {
    const q = text.trim();
    if (q === route.q) return;
    const timer = setTimeout(() => navigate({ ...route, q, conversationId: route.conversationId }, { replace: true }), 300);
    return () => clearTimeout(timer);
  }, [text, route]);
  return (
    // biome-ignore lint/a11y/useSemanticElements: the form itself is the search landmark; a <search> wrapper would only add an element.
    <form className="search" role="search" onSubmit={(e) => e.preventDefault()}>
      <label className="visually-hidden" htmlFor="search-input">
        Search conversations
      </label>
      <Icon name="search" />
      <input
        id="search-input"
        ref={inputRef}
        type="search"
        placeholder="Search  ( / )"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setText('');
            e.currentTarget.blur();
          }
        }}
      />
    </form>
  );
}

/**
 * The status filter's choices. The first, no filter, names what the view lists by itself
 * ("Open" in a channel view, "Any status" in All); a choice that would list the same is
 * left out unless it is the one in the URL.
 */
function statusOptions(route: InboxRoute) {
  const own = listedStatuses(route.view, {});
  const chosen = route.filters.status;
  const same = (value: string) => value !== chosen && (value === 'any' ? own === null : own?.length === 1 && own[0] === value);
  const choices: { value: Status | 'any'; label: string }[] = [{ value: 'any', label: 'Any status' }, ...optionsOf(STATUSES, STATUS_NAMES)];
  return [{ value: '' as const, label: own ? statusWords(own) : 'Any status' }, ...choices.filter((option) => !same(option.value))];
}

export function FilterBar({ route, agents }: { route: InboxRoute; agents: User[] }) {
  const { filters } = route;
  const [tag, setTag] = useState(filters.tag ?? '');
  useEffect(() => setTag(filters.tag ?? ''), [filters.tag]);
  const applyTag = () => update(route, { tag: tag.trim() || undefined });
  return (
    // biome-ignore lint/a11y/useSemanticElements: a <fieldset> would add its default border, padding and min-content width, which this layout does not reset.
    <div className="filters" role="group" aria-label="Filters">
      <Picker
        label="Status"
        hideLabel
        className="filter"
        value={filters.status ?? ''}
        options={statusOptions(route)}
        onChange={(status) => update(route, { status: status || undefined })}
      />
      <Picker
        label="Channel"
        hideLabel
        className="filter"
        value={filters.channel ?? ''}
        options={[{ value: '', label: 'Any channel' }, ...optionsOf(CHANNELS, CHANNEL_NAMES)]}
        onChange={(channel) => update(route, { channel: channel || undefined })}
      />
      <Picker
        label="Assignee"
        hideLabel
        className="filter"
        value={filters.assignee === undefined ? '' : String(filters.assignee)}
        options={[
          { value: '', label: 'Anyone' },
          { value: 'me', label: 'Me' },
          { value: 'unassigned', label: 'Unassigned' },
          ...agents.map((a) => ({ value: String(a.id), label: a.name })),
        ]}
        onChange={(v) => update(route, { assignee: v === '' ? undefined : v === 'me' || v === 'unassigned' ? v : Number(v) })}
      />
      <Picker
        label="Priority"
        hideLabel
        className="filter"
        value={filters.priority ?? ''}
        options={[{ value: '', label: 'Any priority' }, ...optionsOf(PRIORITIES, PRIORITY_NAMES)]}
        onChange={(priority) => update(route, { priority: priority || undefined })}
      />
      <Picker
        label="Label"
        hideLabel
        className="filter"
        value={filters.label ?? ''}
        options={[{ value: '', label: 'Any label' }, ...optionsOf(LABELS, LABEL_NAMES)]}
        onChange={(label) => update(route, { label: label || undefined })}
      />
      <form
        className="filter filter-tag"
        onSubmit={(e) => {
          e.preventDefault();
          applyTag();
        }}
      >
        <label>
          <span className="visually-hidden">Tag</span>
          <input type="text" placeholder="Tag" value={tag} onChange={(e) => setTag(e.target.value)} onBlur={applyTag} maxLength={50} />
        </label>
      </form>
      {Object.keys(filters).length > 0 ? (
        <button type="button" className="button button-small button-ghost" onClick={() => navigate({ ...route, filters: {} }, { replace: true })}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

/** The list's order; kept when the view changes, left out of the URL when it is the default. */
export function SortPicker({ route }: { route: InboxRoute }) {
  return (
    <Picker
      label="Sort by"
      className="sort"
      value={route.sort ?? 'lastMessageAt'}
      options={optionsOf(SORTS, SORT_NAMES)}
      onChange={(sort) => navigate({ ...route, sort: sort === 'lastMessageAt' ? undefined : sort }, { replace: true })}
    />
  );
}
