import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { errorMessage } from '../api/client';
import { endpoints } from '../api/endpoints';
import { ASSIGNMENT_MODES, type AssignmentArrivals, type AssignmentMode, type AssignmentRule, type AssignmentRuleInput, type User } from '../api/types';
import { showToast } from '../ui/toasts';

// How a team's conversations (or those without a team) are handed out: the rule's mode, how
// many open conversations a member may hold, and which arrivals it takes. Admins edit it;
// anyone else of the team reads it as text, since the server refuses them anyway.

export const assignmentRulesKey = ['assignment-rules'] as const;

/** Every rule: the one without a team first, then each team's (GET /api/assignment-rules). */
export function useAssignmentRules() {
  const query = useQuery({ queryKey: assignmentRulesKey, queryFn: endpoints.assignmentRules, select: (r) => r.items });
  return { rules: query.data ?? [], isLoading: query.isLoading, error: query.error };
}

const MODES: Record<AssignmentMode, { name: string; does: string }> = {
  manual: { name: 'Manual', does: 'Nobody is given conversations; agents take or assign them by hand.' },
  round_robin: { name: 'Round robin', does: 'Online members get conversations in turn, one each.' },
  balanced: { name: 'Balanced', does: 'The online member with the fewest open conversations gets the next one.' },
};

const ARRIVALS: Record<keyof AssignmentArrivals, string> = {
  new: 'New conversations',
  reopened: 'Reopened conversations whose assignee is away',
  handover: 'Chats the bot hands over',
};

// Mirrors MAX_CAPACITY in src/limits.ts; the server refuses more with a message anyway.
const MAX_CAPACITY = 1000;

type Draft = { mode: AssignmentMode; capacity: string; capacities: Record<number, string>; arrivals: AssignmentArrivals };

function draftOf(rule: AssignmentRule): Draft {
  return {
    mode: rule.mode,
    capacity: rule.capacity === null ? '' : String(rule.capacity),
    capacities: Object.fromEntries(rule.capacities.map((c) => [c.userId, String(c.capacity)])),
    arrivals: rule.arrivals,
  };
}

/** What the form would save: an empty capacity is no limit, an empty override none; only members' overrides. */
function inputOf(draft: Draft, members: User[]): AssignmentRuleInput {
  const number = (text: string) => (text.trim() === '' ? null : Number(text));
  const capacities = members.flatMap((m) => {
    const capacity = number(draft.capacities[m.id] ?? '');
    return capacity === null ? [] : [{ userId: m.id, capacity }];
  });
  return { mode: draft.mode, capacity: number(draft.capacity), capacities, arrivals: draft.arrivals };
}

const sameInput = (a: AssignmentRuleInput, b: AssignmentRuleInput) =>
  a.mode === b.mode &&
  a.capacity === b.capacity &&
  JSON.stringify([...a.capacities].sort((x, y) => x.userId - y.userId)) === JSON.stringify([...b.capacities].sort((x, y) => x.userId - y.userId)) &&
  JSON.stringify(a.arrivals) === JSON.stringify(b.arrivals);

function RuleSummary({ rule, members, labelledBy }: { rule: AssignmentRule; members: User[]; labelledBy: string }) {
  const overrides = rule.capacities.flatMap((c) => {
    const member = members.find((m) => m.id === c.userId);
    return member ? [`${member.name}: ${c.capacity}`] : [];
  });
  const arrivals = (Object.keys(ARRIVALS) as (keyof AssignmentArrivals)[]).filter((a) => rule.arrivals[a]).map((a) => ARRIVALS[a]);
  return (
    <dl className="assignment-summary" aria-labelledby={labelledBy}>
      <dt>Mode</dt>
      <dd>
        {MODES[rule.mode].name}: {MODES[rule.mode].does}
      </dd>
      <dt>Open conversations per member</dt>
      <dd>{rule.capacity === null ? 'No limit' : rule.capacity}</dd>
      {overrides.length ? (
        <>
          <dt>Per member</dt>
          <dd>{overrides.join(', ')}</dd>
        </>
      ) : null}
      <dt>Applies to</dt>
      <dd>{arrivals.length ? arrivals.join('; ') : 'Nothing'}</dd>
    </dl>
  );
}

/**
 * One rule's form. `scope` is the team's id or `none`; `title` names what it is for (it
 * labels the group, so several forms on one page stay apart); `members` are who may
 * receive conversations, for the per-member capacities.
 */
export function AssignmentRuleForm({
  scope,
  title,
  rule,
  members,
  canManage,
}: {
  scope: number | 'none';
  title: string;
  rule: AssignmentRule;
  members: User[];
  canManage: boolean;
}) {
  const client = useQueryClient();
  const ids = useId();
  const [draft, setDraft] = useState(() => draftOf(rule));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The server's rule replaces the draft when it changes (saved here or in another tab).
  const ruleKey = JSON.stringify(rule);
  // biome-ignore lint/correctness/useExhaustiveDependencies: ruleKey stands for the rule's contents.
  useEffect(() => setDraft(draftOf(rule)), [ruleKey]);

  const titleId = `${ids}-title`;
  if (!canManage) {
    return (
      <section className="assignment-rule" aria-labelledby={titleId}>
        <h4 id={titleId}>{title}</h4>
        <RuleSummary rule={rule} members={members} labelledBy={titleId} />
      </section>
    );
  }

  const input = inputOf(draft, members);
  const dirty = !sameInput(input, inputOf(draftOf(rule), members));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { rule: saved } = await endpoints.setAssignmentRule(scope, input);
      client.setQueryData<{ items: AssignmentRule[] }>(assignmentRulesKey, (data) =>
        data ? { items: data.items.map((r) => ((r.team?.id ?? 'none') === scope ? saved : r)) } : data,
      );
      void client.invalidateQueries({ queryKey: assignmentRulesKey });
      showToast('info', `${title}: saved`);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <form className="assignment-rule" onSubmit={submit} aria-labelledby={titleId}>
      <h4 id={titleId}>{title}</h4>
      <fieldset className="assignment-modes" disabled={busy}>
        <legend>Mode</legend>
        {ASSIGNMENT_MODES.map((mode) => (
          // The line saying what a mode does describes the radio rather than naming it.
          <div key={mode} className="assignment-mode">
            <input
              type="radio"
              id={`${ids}-${mode}`}
              name={`${ids}-mode`}
              value={mode}
              checked={draft.mode === mode}
              onChange={() => set({ mode })}
              aria-describedby={`${ids}-${mode}-does`}
            />
            <label htmlFor={`${ids}-${mode}`}>{MODES[mode].name}</label>
            <span id={`${ids}-${mode}-does`} className="assignment-hint">
              {MODES[mode].does}
            </span>
          </div>
        ))}
      </fieldset>
      <div className="field assignment-capacity">
        <label htmlFor={`${ids}-capacity`}>Open conversations per member</label>
        <input
          id={`${ids}-capacity`}
          type="number"
          inputMode="numeric"
          min={0}
          max={MAX_CAPACITY}
          step={1}
          value={draft.capacity}
          disabled={busy}
          onChange={(e) => set({ capacity: e.target.value })}
          aria-describedby={`${ids}-capacity-hint`}
        />
        <span id={`${ids}-capacity-hint`} className="assignment-hint">
          Empty: no limit. A member at the limit gets nothing more until one of theirs is resolved.
        </span>
      </div>
      {members.length ? (
        <fieldset className="assignment-overrides" disabled={busy}>
          <legend>Per member (optional)</legend>
          {members.map((member) => (
            <label key={member.id} className="assignment-override">
              <span>{member.name}</span>
              <input
                type="number"
                inputMode="numeric"
                min={0}
                max={MAX_CAPACITY}
                step={1}
                placeholder={draft.capacity || 'No limit'}
                aria-label={`Open conversations for ${member.name}`}
                value={draft.capacities[member.id] ?? ''}
                onChange={(e) => set({ capacities: { ...draft.capacities, [member.id]: e.target.value } })}
              />
            </label>
          ))}
        </fieldset>
      ) : null}
      <fieldset className="assignment-arrivals" disabled={busy}>
        <legend>Applies to</legend>
        {(Object.keys(ARRIVALS) as (keyof AssignmentArrivals)[]).map((arrival) => (
          <label key={arrival} className="team-member">
            <input type="checkbox" checked={draft.arrivals[arrival]} onChange={(e) => set({ arrivals: { ...draft.arrivals, [arrival]: e.target.checked } })} />
            {ARRIVALS[arrival]}
          </label>
        ))}
      </fieldset>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-small button-primary" disabled={busy || !dirty}>
        {busy ? 'Saving…' : 'Save assignment'}
        <span className="visually-hidden"> ({title})</span>
      </button>
    </form>
  );
}
