import { useQuery } from '@tanstack/react-query';
import { cannedReplyEndpoints } from '../api/endpoints';
import { LABEL_NAMES, LABELS, type MacroAction, PRIORITIES, PRIORITY_NAMES, STATUS_NAMES, STATUSES } from '../api/types';
import { useAgents } from '../inbox/useAgents';
import { useTeams } from '../inbox/useTeams';

// One action of a macro being made on the team page: its kind, and the control for its value
// (labelled "Action n …").

export type Kind = MacroAction['type'];
export const KINDS: Record<Kind, string> = {
  reply: 'Send a reply',
  note: 'Add a note',
  canned: 'Use a canned reply',
  status: 'Set status',
  priority: 'Set priority',
  team: 'Move to team',
  assign: 'Assign',
  labels: 'Labels',
  tags: 'Tags',
  snooze: 'Snooze',
};

// A macro snoozes by a preset the server counts from when it runs, or until the customer writes.
const SNOOZE_CHOICES = { hour: 'for an hour', tomorrow: 'until tomorrow morning', next_week: 'until next week', reply: 'until the customer replies' } as const;

export const fresh = (kind: Kind): MacroAction => {
  switch (kind) {
    case 'reply':
    case 'note':
      return { type: kind, body: '' };
    case 'canned':
      return { type: 'canned', cannedReplyId: 0, as: 'reply' };
    case 'status':
      return { type: 'status', status: 'resolved' };
    case 'priority':
      return { type: 'priority', priority: 'high' };
    case 'team':
      return { type: 'team', teamId: null };
    case 'assign':
      return { type: 'assign', assigneeId: 'me' };
    case 'labels':
      return { type: 'labels', add: ['follow-up'] };
    case 'tags':
      return { type: 'tags', add: [] };
    case 'snooze':
      return { type: 'snooze', preset: 'tomorrow' };
  }
};

/** The value of one action, its control labelled "Action n …". */
export function ActionValue({ action, label, onChange }: { action: MacroAction; label: string; onChange(next: MacroAction): void }) {
  const { teams } = useTeams();
  const { agents } = useAgents();
  const canned = useQuery({ queryKey: ['canned-replies', 'search', ''], queryFn: () => cannedReplyEndpoints.search('').then((r) => r.items) });
  switch (action.type) {
    case 'reply':
    case 'note':
      return <textarea aria-label={`${label} text`} required rows={2} value={action.body} onChange={(e) => onChange({ ...action, body: e.target.value })} />;
    case 'canned':
      return (
        <>
          <select
            aria-label={`${label} canned reply`}
            required
            value={action.cannedReplyId || ''}
            onChange={(e) => onChange({ ...action, cannedReplyId: Number(e.target.value) })}
          >
            <option value="">Choose…</option>
            {(canned.data ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
          <select aria-label={`${label} sent as`} value={action.as} onChange={(e) => onChange({ ...action, as: e.target.value as 'reply' | 'note' })}>
            <option value="reply">as a reply</option>
            <option value="note">as a note</option>
          </select>
        </>
      );
    case 'status':
      return (
        <select aria-label={`${label} status`} value={action.status} onChange={(e) => onChange({ ...action, status: e.target.value as typeof action.status })}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_NAMES[s]}
            </option>
          ))}
        </select>
      );
    case 'priority':
      return (
        <select
          aria-label={`${label} priority`}
          value={action.priority}
          onChange={(e) => onChange({ ...action, priority: e.target.value as typeof action.priority })}
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {PRIORITY_NAMES[p]}
            </option>
          ))}
        </select>
      );
    case 'team':
      return (
        <select
          aria-label={`${label} team`}
          value={action.teamId ?? ''}
          onChange={(e) => onChange({ ...action, teamId: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">No team</option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      );
    case 'assign':
      return (
        <select
          aria-label={`${label} assignee`}
          value={String(action.assigneeId ?? '')}
          onChange={(e) => onChange({ ...action, assigneeId: e.target.value === 'me' ? 'me' : e.target.value ? Number(e.target.value) : null })}
        >
          <option value="me">Whoever runs it</option>
          <option value="">Nobody</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      );
    case 'snooze':
      return (
        <select
          aria-label={`${label} snooze`}
          value={action.preset ?? 'reply'}
          onChange={(e) =>
            onChange(
              e.target.value === 'reply' ? { type: 'snooze', until: null } : { type: 'snooze', preset: e.target.value as 'hour' | 'tomorrow' | 'next_week' },
            )
          }
        >
          {Object.entries(SNOOZE_CHOICES).map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </select>
      );
    case 'labels':
    case 'tags': {
      const remove = (action.remove?.length ?? 0) > 0;
      const names: string[] = (remove ? action.remove : action.add) ?? [];
      const set = (mode: 'add' | 'remove', list: string[]) => onChange({ type: action.type, [mode]: list } as MacroAction);
      return (
        <>
          <select aria-label={`${label} add or remove`} value={remove ? 'remove' : 'add'} onChange={(e) => set(e.target.value as 'add' | 'remove', names)}>
            <option value="add">add</option>
            <option value="remove">remove</option>
          </select>
          {action.type === 'labels' ? (
            <select aria-label={`${label} label`} value={names[0] ?? ''} onChange={(e) => set(remove ? 'remove' : 'add', [e.target.value])}>
              {LABELS.map((l) => (
                <option key={l} value={l}>
                  {LABEL_NAMES[l]}
                </option>
              ))}
            </select>
          ) : (
            <input
              aria-label={`${label} tags, comma separated`}
              required
              value={names.join(', ')}
              onChange={(e) =>
                set(
                  remove ? 'remove' : 'add',
                  e.target.value.split(',').map((t) => t.trim()),
                )
              }
            />
          )}
        </>
      );
    }
  }
}
