import { useState } from 'react';
import type { ConversationPatch } from '../api/endpoints';
import { type Conversation, LABEL_NAMES, LABELS, type Label, PRIORITIES, PRIORITY_NAMES, STATUS_NAMES, STATUSES, type User } from '../api/types';
import { useTeams } from '../inbox/useTeams';
import { ConfirmDialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';
import { optionsOf, Picker } from '../ui/Picker';
import { CustomerCard } from './CustomerCard';
import { Followers } from './Followers';

// The conversation's organisation: status, priority, assignee, team, labels, tags, delete.

type Props = {
  id: string;
  conversation: Conversation;
  me: User;
  agents: User[];
  patch(patch: ConversationPatch, what: string): void;
  onDelete(): void;
};

export function Details({ id, conversation: c, me, agents, patch, onDelete }: Props) {
  const [tag, setTag] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { teams } = useTeams();
  const labels = c.labels ?? [];
  const tags = c.tags ?? [];
  const assignees =
    agents.some((a) => a.id === c.assignedTo) || !c.assignedTo
      ? agents
      : [...agents, { id: c.assignedTo, name: `User #${c.assignedTo}`, email: '', role: 'agent' as const }];

  const toggleLabel = (label: Label) => patch({ labels: labels.includes(label) ? labels.filter((l) => l !== label) : [...labels, label] }, `change the labels`);

  const addTag = () => {
    const value = tag.trim();
    if (!value) return;
    setTag('');
    if (!tags.includes(value)) patch({ tags: [...tags, value] }, 'add the tag');
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a <fieldset> would add its default border, padding and min-content width, which this layout does not reset.
    <div className="details" id={id} aria-label="Conversation details" role="group">
      <Picker
        label="Status"
        className="detail"
        value={c.status}
        options={optionsOf(STATUSES, STATUS_NAMES)}
        onChange={(status) => patch({ status }, 'change the status')}
        testId="status-select"
      />
      <Picker
        label="Priority"
        className="detail"
        value={c.priority ?? 'normal'}
        options={optionsOf(PRIORITIES, PRIORITY_NAMES)}
        onChange={(priority) => patch({ priority }, 'change the priority')}
      />
      <Picker
        label="Assignee"
        className="detail"
        value={String(c.assignedTo ?? '')}
        options={[{ value: '', label: 'Unassigned' }, ...assignees.map((a) => ({ value: String(a.id), label: a.id === me.id ? `${a.name} (you)` : a.name }))]}
        onChange={(value) => patch({ assignedTo: value === '' ? null : Number(value) }, 'change the assignee')}
        testId="assignee-select"
      />
      <Picker
        label="Team"
        className="detail"
        value={String(c.team?.id ?? '')}
        options={[
          { value: '', label: 'No team' },
          // A team deleted or not loaded yet still shows as what the conversation says.
          ...(c.team && !teams.some((t) => t.id === c.team?.id) ? [{ value: String(c.team.id), label: c.team.name }] : []),
          ...teams.map((t) => ({ value: String(t.id), label: t.name })),
        ]}
        onChange={(value) => patch({ teamId: value === '' ? null : Number(value) }, 'change the team')}
        testId="team-select"
      />
      <div className="detail">
        <span id={`labels-${c.id}`}>Labels</span>
        {/* biome-ignore lint/a11y/useSemanticElements: a <fieldset> would add its default border, padding and min-content width, which this layout does not reset. */}
        <div className="toggles" role="group" aria-labelledby={`labels-${c.id}`}>
          {LABELS.map((label) => (
            <button key={label} type="button" className={`toggle label-${label}`} aria-pressed={labels.includes(label)} onClick={() => toggleLabel(label)}>
              {LABEL_NAMES[label]}
            </button>
          ))}
        </div>
      </div>
      <div className="detail detail-tags">
        <span id={`tags-${c.id}`}>Tags</span>
        <ul className="tags" aria-labelledby={`tags-${c.id}`}>
          {tags.map((t) => (
            <li key={t} className="badge badge-tag">
              #{t}
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove tag ${t}`}
                onClick={() => patch({ tags: tags.filter((x) => x !== t) }, 'remove the tag')}
              >
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
        <form
          className="tag-add"
          onSubmit={(e) => {
            e.preventDefault();
            addTag();
          }}
        >
          <label className="visually-hidden" htmlFor={`tag-input-${c.id}`}>
            Add a tag
          </label>
          <input id={`tag-input-${c.id}`} type="text" value={tag} onChange={(e) => setTag(e.target.value)} placeholder="Add tag" />
          <button type="submit" className="button button-small" disabled={!tag.trim()}>
            Add
          </button>
        </form>
      </div>
      <Followers conversation={c} me={me} />
      <CustomerCard customerId={c.customer.id} conversationId={c.id} />
      {me.role === 'admin' ? (
        <div className="detail detail-danger">
          <button type="button" className="button button-small button-danger-ghost" onClick={() => setConfirming(true)}>
            <Icon name="trash" size={14} /> Delete
          </button>
          <ConfirmDialog
            open={confirming}
            title="Delete this conversation?"
            text={`${c.number} “${c.subject}” and all its messages will be deleted for good. This cannot be undone.`}
            confirm="Delete conversation"
            danger
            onConfirm={onDelete}
            onClose={() => setConfirming(false)}
          />
        </div>
      ) : null}
    </div>
  );
}
