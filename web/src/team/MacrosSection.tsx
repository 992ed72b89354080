import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage } from '../api/client';
import { macroEndpoints } from '../api/endpoints';
import type { Macro, MacroAction } from '../api/types';
import { useSession } from '../auth/session';
import { macrosKey } from '../conversation/MacroPicker';
import { ConfirmDialog } from '../ui/Dialog';
import { Empty, Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';
import { ActionValue, fresh, KINDS, type Kind } from './MacroActionEditor';

// Macros on the team page: everyone's own, and the shared ones (admins make those). A macro
// is made with a list of actions: add one, choose its kind, fill its value
// (MacroActionEditor.tsx). No label holds the word "name" (the page's member form has "Name").

function MacroForm({ isAdmin }: { isAdmin: boolean }) {
  const ids = useId();
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const [actions, setActions] = useState<MacroAction[]>([]);
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState<Kind>('status');
  const change = (at: number, next: MacroAction) => setActions(actions.map((a, i) => (i === at ? next : a)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    // A tag list typed "a, b," has an empty last entry: it is not a tag.
    const clean = actions.map((a) => (a.type === 'tags' ? { ...a, add: a.add?.filter(Boolean), remove: a.remove?.filter(Boolean) } : a));
    try {
      await macroEndpoints.create({ name: title, actions: clean, shared });
      showToast('info', `Macro “${title.trim()}” added`);
      setTitle('');
      setActions([]);
      void client.invalidateQueries({ queryKey: macrosKey });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="macro-form" onSubmit={submit} aria-label="New macro">
      <label htmlFor={`${ids}-title`}>Macro title</label>
      <input id={`${ids}-title`} required maxLength={100} value={title} onChange={(e) => setTitle(e.target.value)} />
      <ol className="macro-actions">
        {actions.map((action, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the position is the action's identity in an unsaved list.
          <li key={i} className="macro-action">
            <span>{KINDS[action.type]}</span>
            <ActionValue action={action} label={`Action ${i + 1}`} onChange={(next) => change(i, next)} />
            <button type="button" className="button button-small" onClick={() => setActions(actions.filter((_, j) => j !== i))}>
              Remove<span className="visually-hidden"> action {i + 1}</span>
            </button>
          </li>
        ))}
      </ol>
      <div className="macro-add">
        <label htmlFor={`${ids}-kind`}>New action</label>
        <select id={`${ids}-kind`} value={adding} onChange={(e) => setAdding(e.target.value as Kind)}>
          {(Object.keys(KINDS) as Kind[]).map((kind) => (
            <option key={kind} value={kind}>
              {KINDS[kind]}
            </option>
          ))}
        </select>
        <button type="button" className="button button-small" disabled={actions.length >= 20} onClick={() => setActions([...actions, fresh(adding)])}>
          Add action
        </button>
      </div>
      {isAdmin ? (
        <label className="macro-shared">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared with the whole team
        </label>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={busy || actions.length === 0}>
        Add macro
      </button>
    </form>
  );
}

function MacroItem({ macro }: { macro: Macro }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = async () => {
    try {
      await macroEndpoints.remove(macro.id);
      showToast('info', `Macro “${macro.name}” deleted`);
      void client.invalidateQueries({ queryKey: macrosKey });
    } catch (error) {
      showError(`Couldn’t delete “${macro.name}”: ${errorMessage(error)}`);
    }
  };
  return (
    <li className="card macro-item" data-macro-id={macro.id}>
      <strong>{macro.name}</strong> <span className="composer-hint">{macro.ownerId === null ? 'Whole team' : 'Only you'}</span>
      <p className="composer-hint">{macro.actions.map((a) => KINDS[a.type]).join(' → ')}</p>
      {macro.canManage ? (
        <button type="button" className="button button-small button-danger" onClick={() => setConfirming(true)}>
          Delete<span className="visually-hidden"> {macro.name}</span>
        </button>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Delete this macro?"
        text={`“${macro.name}” will no longer be offered in conversations.`}
        confirm="Delete"
        danger
        onConfirm={() => void remove()}
        onClose={() => setConfirming(false)}
      />
    </li>
  );
}

/** The Macros section of the team page. */
export function MacrosSection() {
  const isAdmin = useSession().data?.user.role === 'admin';
  const macros = useQuery({ queryKey: macrosKey, queryFn: () => macroEndpoints.list().then((r) => r.items) });
  let list = null;
  if (macros.isPending) list = <Loading label="Loading the macros…" />;
  else if (macros.isError) list = <Failed what="the macros" error={macros.error} retry={() => void macros.refetch()} />;
  else if (macros.data.length === 0) list = <Empty title="No macros yet" />;
  else
    list = (
      <ul className="macro-items">
        {macros.data.map((macro) => (
          <MacroItem key={`${macro.id}:${macro.updatedAt}`} macro={macro} />
        ))}
      </ul>
    );
  return (
    <section className="macros-section" aria-labelledby="macros-title">
      <h2 id="macros-title">Macros</h2>
      <p className="composer-hint">
        Run one from a conversation’s header: all its actions happen together, or none. {isAdmin ? 'You keep the shared ones.' : 'Admins keep the shared ones.'}
      </p>
      {list}
      <div className="card macro-item">
        <h3>New macro</h3>
        <MacroForm isAdmin={isAdmin} />
      </div>
    </section>
  );
}
