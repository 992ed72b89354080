import { useEffect, useState, type RefObject } from 'react';
import { CHANNEL_NAMES, CHANNELS, LABEL_NAMES, LABELS, PRIORITIES, PRIORITY_NAMES, STATUS_NAMES, STATUSES, type User } from '../api/types';
import type { Filters, InboxRoute } from '../app/route';
import { navigate } from '../app/route';
import { Icon } from '../ui/Icon';

// Filters and the search box write the URL; the list reads it. Changing a filter
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

export function FilterBar({ route, agents }: { route: InboxRoute; agents: User[] }) {
  const { filters } = route;
  const [tag, setTag] = useState(filters.tag ?? '');
  useEffect(() => setTag(filters.tag ?? ''), [filters.tag]);
  const applyTag = () => update(route, { tag: tag.trim() || undefined });
  const assigneeValue = filters.assignee === undefined ? '' : String(filters.assignee);
  return (
    <div className="filters" role="group" aria-label="Filters">
      <label className="filter">
        <span className="visually-hidden">Status</span>
        <select value={filters.status ?? ''} onChange={(e) => update(route, { status: (e.target.value || undefined) as Filters['status'] })}>
          <option value="">Status: view</option>
          <option value="any">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_NAMES[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="visually-hidden">Channel</span>
        <select value={filters.channel ?? ''} onChange={(e) => update(route, { channel: (e.target.value || undefined) as Filters['channel'] })}>
          <option value="">Any channel</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {CHANNEL_NAMES[c]}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="visually-hidden">Assignee</span>
        <select
          value={assigneeValue}
          onChange={(e) => {
            const v = e.target.value;
            update(route, { assignee: v === '' ? undefined : v === 'me' || v === 'unassigned' ? v : Number(v) });
          }}
        >
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="unassigned">Unassigned</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="visually-hidden">Priority</span>
        <select value={filters.priority ?? ''} onChange={(e) => update(route, { priority: (e.target.value || undefined) as Filters['priority'] })}>
          <option value="">Any priority</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_NAMES[p]}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span className="visually-hidden">Label</span>
        <select value={filters.label ?? ''} onChange={(e) => update(route, { label: (e.target.value || undefined) as Filters['label'] })}>
          <option value="">Any label</option>
          {LABELS.map((l) => (
            <option key={l} value={l}>
              {LABEL_NAMES[l]}
            </option>
          ))}
        </select>
      </label>
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
