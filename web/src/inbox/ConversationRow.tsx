import { type MouseEvent, memo } from 'react';
import { CHANNEL_NAMES, type Conversation, LABEL_NAMES, PRIORITY_NAMES, STATUS_NAMES } from '../api/types';
import { describeSnooze } from '../conversation/snooze-time';
import { Highlight, Snippet } from '../ui/highlight';
import { Icon } from '../ui/Icon';
import { RelativeTime } from '../ui/time';
import { initials } from './Sidebar';

export type RowProps = {
  conversation: Conversation;
  unread: boolean;
  active: boolean;
  selected: boolean;
  assigneeName: string | null;
  snippet: string | undefined;
  words: string[];
  href: string;
  onOpen(event: MouseEvent, conversation: Conversation): void;
  /** Selection follows focus, so Tab and j/k agree on which row Enter opens. */
  onFocusRow(id: number): void;
};

/** One conversation in the list: a fixed-height link, so the list can be virtualised. */
export const ConversationRow = memo(function ConversationRow(props: RowProps) {
  const { conversation: c, unread, active, selected, assigneeName, snippet, words } = props;
  return (
    <a
      href={props.href}
      className="row"
      data-conversation-id={c.id}
      data-unread={unread || undefined}
      data-selected={selected || undefined}
      aria-current={active ? 'true' : undefined}
      onClick={(event) => props.onOpen(event, c)}
      onFocus={() => props.onFocusRow(c.id)}
    >
      <span className="row-line">
        <span className="row-customer">
          {unread ? <span className="unread-dot" aria-hidden="true" /> : null}
          <Highlight text={c.customer.name || c.customer.email} words={words} />
        </span>
        {unread ? <span className="badge badge-new">New reply</span> : null}
        <span className="row-time">
          <RelativeTime at={c.lastMessageAt} />
        </span>
      </span>
      <span className="row-subject">
        <Highlight text={c.subject} words={words} />
      </span>
      <span className="row-snippet">{snippet ? <Snippet html={snippet} /> : c.lastMessagePreview || '\u00a0'}</span>
      <span className="row-meta">
        <span className="channel" title={CHANNEL_NAMES[c.channel]}>
          <Icon name={c.channel} label={CHANNEL_NAMES[c.channel]} size={14} />
        </span>
        <span className={`badge status-${c.status}`}>{STATUS_NAMES[c.status]}</span>
        {c.snoozed ? <span className="badge badge-snoozed">Snoozed {describeSnooze(c.snoozed)}</span> : null}
        {c.priority && c.priority !== 'normal' ? <span className={`badge priority-${c.priority}`}>{PRIORITY_NAMES[c.priority]}</span> : null}
        {(c.labels ?? []).map((label) => (
          <span key={label} className={`badge label-${label}`}>
            {LABEL_NAMES[label]}
          </span>
        ))}
        {(c.tags ?? []).slice(0, 2).map((tag) => (
          <span key={tag} className="badge badge-tag">
            #{tag}
          </span>
        ))}
        <span className="row-assignee" title={assigneeName ? `Assigned to ${assigneeName}` : 'Unassigned'}>
          {assigneeName ? (
            <span className="avatar avatar-small" aria-label={`Assigned to ${assigneeName}`} role="img">
              {initials(assigneeName)}
            </span>
          ) : (
            <span className="visually-hidden">Unassigned</span>
          )}
        </span>
      </span>
    </a>
  );
});
