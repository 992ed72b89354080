import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useCallback, useState } from 'react';
import { errorMessage } from '../api/client';
import { type BulkAction, type BulkJob, bulkEndpoints, bulkFilter, type ListParams, macroEndpoints } from '../api/endpoints';
import { LABEL_NAMES, type Label, PRIORITY_NAMES, type Priority, STATUS_NAMES, type Status, type User } from '../api/types';
import { macrosKey } from '../conversation/MacroPicker';
import { showError, showToast } from '../ui/toasts';
import { showBulkProgress } from './BulkProgress';
import { keys } from './cache';
import type { Selection } from './useSelection';
import { useTeams } from './useTeams';
import './bulk.css';

// The bar over the list while conversations are selected: how many, "select all N matching
// this view", the actions, then the job's progress. Every action is one job on the server
// (POST /api/conversations/bulk); the list follows through the live stream, and refreshes at the end.

type Props = {
  selection: Selection;
  params: ListParams;
  /** Loaded rows: "this page". */
  loaded: number;
  /** What the view matches, by its counts; capped: "N or more". */
  matching: { n: number; capped: boolean } | undefined;
  agents: User[];
  meId: number;
  isAdmin: boolean;
};

const STATUSES = Object.keys(STATUS_NAMES) as Status[];
const PRIORITIES = Object.keys(PRIORITY_NAMES) as Priority[];
const LABELS = Object.keys(LABEL_NAMES) as Label[];

export function BulkBar({ selection, params, loaded, matching, agents, meId, isAdmin }: Props) {
  const client = useQueryClient();
  const [jobId, setJobId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [tag, setTag] = useState('');
  const active = selection.ids.size > 0 || selection.allMatching;
  const { teams } = useTeams();
  const macros = useQuery({ queryKey: macrosKey, queryFn: () => macroEndpoints.list().then((r) => r.items), enabled: active, staleTime: 30_000 });

  const onFinished = useCallback(
    (job: BulkJob) => {
      setJobId(null);
      selection.clear();
      void client.invalidateQueries({ queryKey: keys.lists });
      void client.invalidateQueries({ queryKey: keys.counts });
      if (job.failed === 0) showToast('info', `Bulk action done: ${job.done.toLocaleString()} conversations`);
    },
    [client, selection],
  );

  if (!active) return null;
  const count = selection.allMatching ? (matching?.n ?? selection.ids.size) : selection.ids.size;
  const countText = `${count.toLocaleString()}${selection.allMatching && matching?.capped ? '+' : ''}`;

  async function run(action: BulkAction, what: string) {
    if (busy || jobId !== null) return;
    if ('delete' in action && !window.confirm(`Delete ${countText} conversations? This cannot be undone.`)) return;
    setBusy(true);
    try {
      const targets = selection.allMatching ? { filter: bulkFilter(params) } : { ids: [...selection.ids] };
      const { job } = await bulkEndpoints.start(targets, action);
      setJobId(job.id);
      showBulkProgress(job.id, onFinished);
    } catch (error) {
      showError(`Could not ${what}: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  }
  // A select applies its choice at once, then shows its placeholder again.
  const pick = (apply: (value: string) => void) => (event: ChangeEvent<HTMLSelectElement>) => {
    const value = event.target.value;
    event.target.value = '';
    if (value) apply(value);
  };
  const one = (action: BulkAction, what: string) => void run(action, what);

  const everyLoaded = loaded > 0 && selection.ids.size >= loaded;
  const more = matching !== undefined && (matching.capped || matching.n > loaded);
  const working = jobId !== null;

  return (
    <section className="bulk-bar" aria-label="Bulk actions">
      {active ? (
        <div className="bulk-row">
          <strong>{selection.allMatching ? `All ${countText} matching selected` : `${countText} selected`}</strong>
          {!everyLoaded ? (
            <button type="button" className="button" onClick={selection.selectPage}>
              Select all on this page
            </button>
          ) : null}
          <button type="button" className="button" onClick={selection.clear}>
            Clear
          </button>
        </div>
      ) : null}
      {active && everyLoaded && more && !selection.allMatching ? (
        <p className="bulk-banner">
          All {loaded.toLocaleString()} on this page are selected.{' '}
          <button type="button" className="link-button" onClick={selection.selectAllMatching}>
            Select all {matching!.n.toLocaleString()}
            {matching!.capped ? '+' : ''} matching this view
          </button>
        </p>
      ) : null}
      {active && !working ? (
        <div className="bulk-row" aria-busy={busy || undefined}>
          <select aria-label="Set status" defaultValue="" onChange={pick((s) => one({ actions: [{ type: 'status', status: s as Status }] }, 'set the status'))}>
            <option value="">Status…</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_NAMES[s]}
              </option>
            ))}
          </select>
          <select
            aria-label="Assign"
            defaultValue=""
            onChange={pick((v) => one({ actions: [{ type: 'assign', assigneeId: v === 'none' ? null : v === 'me' ? 'me' : Number(v) }] }, 'assign'))}
          >
            <option value="">Assign…</option>
            <option value="me">Me</option>
            <option value="none">Nobody</option>
            {agents
              .filter((a) => a.id !== meId)
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
          </select>
          <select
            aria-label="Move to team"
            defaultValue=""
            onChange={pick((v) => one({ actions: [{ type: 'team', teamId: v === 'none' ? null : Number(v) }] }, 'move'))}
          >
            <option value="">Team…</option>
            <option value="none">No team</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <select
            aria-label="Set priority"
            defaultValue=""
            onChange={pick((p) => one({ actions: [{ type: 'priority', priority: p as Priority }] }, 'set the priority'))}
          >
            <option value="">Priority…</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_NAMES[p]}
              </option>
            ))}
          </select>
          <select
            aria-label="Labels"
            defaultValue=""
            onChange={pick((v) => {
              const [how, label] = v.split(':') as ['add' | 'remove', Label];
              one({ actions: [how === 'add' ? { type: 'labels', add: [label] } : { type: 'labels', remove: [label] }] }, 'change the labels');
            })}
          >
            <option value="">Label…</option>
            {LABELS.map((l) => (
              <option key={`add-${l}`} value={`add:${l}`}>
                Add {LABEL_NAMES[l]}
              </option>
            ))}
            {LABELS.map((l) => (
              <option key={`remove-${l}`} value={`remove:${l}`}>
                Remove {LABEL_NAMES[l]}
              </option>
            ))}
          </select>
          <input aria-label="Tag" placeholder="tag" value={tag} maxLength={64} onChange={(e) => setTag(e.target.value)} />
          <button type="button" className="button" disabled={!tag.trim()} onClick={() => one({ actions: [{ type: 'tags', add: [tag.trim()] }] }, 'tag')}>
            Add tag
          </button>
          <button type="button" className="button" disabled={!tag.trim()} onClick={() => one({ actions: [{ type: 'tags', remove: [tag.trim()] }] }, 'untag')}>
            Remove tag
          </button>
          <select aria-label="Run macro" defaultValue="" onChange={pick((v) => one({ macroId: Number(v) }, 'run the macro'))}>
            <option value="">Macro…</option>
            {(macros.data ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          <select
            aria-label="Snooze"
            defaultValue=""
            onChange={pick((v) =>
              one(
                { actions: [v === 'reply' ? { type: 'snooze', until: null } : { type: 'snooze', preset: v as 'hour' | 'tomorrow' | 'next_week' }] },
                'snooze',
              ),
            )}
          >
            <option value="">Snooze…</option>
            <option value="hour">For an hour</option>
            <option value="tomorrow">Until tomorrow morning</option>
            <option value="next_week">Until next week</option>
            <option value="reply">Until the customer replies</option>
          </select>
          <select
            aria-label="Mark as spam"
            defaultValue=""
            onChange={pick((v) => one({ spam: { block: v === 'address' || v === 'domain' ? v : null } }, 'mark as spam'))}
          >
            <option value="">Spam…</option>
            <option value="spam">Mark as spam</option>
            <option value="address">Spam, and block each sender</option>
            <option value="domain">Spam, and block each sender's domain</option>
          </select>
          {isAdmin ? (
            <button type="button" className="button button-danger" onClick={() => one({ delete: true }, 'delete')}>
              Delete
            </button>
          ) : null}
        </div>
      ) : null}
      {jobId !== null ? <p role="status">Working on it…</p> : null}
    </section>
  );
}
