import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage } from '../api/client';
import type { Conversation } from '../api/types';
import { keys } from '../inbox/cache';
import { refreshCountsSoon } from '../live/apply';
import { onMenuButtonKey, onMenuKey } from '../ui/menuButton';
import { showError, showToast } from '../ui/toasts';
import { describeSnooze } from './snooze-time';

// The conversation header's Snooze: a menu button (the WAI-ARIA pattern of MacroPicker) with
// the presets, "until the customer replies" and "Pick a date and time…", which turns the
// popup into a small form. The server computes the presets (the business calendar, in this
// browser's time zone). A snoozed conversation shows until when, and Unsnooze.

type Preset = 'hour' | 'tomorrow' | 'next_week';

const PRESETS: [Preset, string][] = [
  ['hour', 'In an hour'],
  ['tomorrow', 'Tomorrow morning'],
  ['next_week', 'Next week'],
];
/** A datetime-local input's value for `t`, in local time. */
function localInputValue(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function SnoozeMenu({ conversation }: { conversation: Conversation }) {
  const client = useQueryClient();
  const menuId = useId();
  const [open, setOpen] = useState<false | 'menu' | 'pick'>(false);
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState('');
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = conversation.id;

  useEffect(() => {
    if (open === 'menu') menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    if (open === 'pick') menu.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  // The lists are refetched rather than patched: the Snoozed view is the server's to say.
  const act = async (what: string, work: () => Promise<{ conversation: Conversation }>, done: (c: Conversation) => string) => {
    setBusy(true);
    try {
      const next = (await work()).conversation;
      client.setQueryData(keys.conversation(id), (previous: Conversation | undefined) => ({ ...previous, ...next }));
      void client.invalidateQueries({ queryKey: keys.lists });
      void client.invalidateQueries({ queryKey: keys.events(id) });
      refreshCountsSoon(client);
      showToast('info', done(next));
    } catch (error) {
      showError(`Couldn’t ${what}: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const snooze = (body: { preset: Preset; timezone: string } | { until: number | null }) => {
    close();
    void act(
      'snooze it',
      () => api('POST', `/api/conversations/${id}/snooze`, { body }),
      (c) => `Snoozed ${c.snoozed ? describeSnooze(c.snoozed) : ''}`,
    );
  };
  const preset = (p: Preset) => snooze({ preset: p, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const submitPicked = (event: FormEvent) => {
    event.preventDefault();
    const until = new Date(picked).getTime();
    if (Number.isFinite(until)) snooze({ until });
  };
  const unsnooze = () =>
    void act(
      'unsnooze it',
      () => api('DELETE', `/api/conversations/${id}/snooze`),
      () => 'Unsnoozed: it is open again',
    );

  if (conversation.shelf || conversation.status === 'closed') return null;

  // The picker is a form: its fields keep their arrows, and only Escape closes it.
  const onPopupKey = (event: KeyboardEvent) => {
    if (open === 'menu') onMenuKey(event, menu.current, close, () => setOpen(false));
    else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  };

  return (
    <div className="macro-picker snooze-menu">
      {conversation.snoozed ? (
        <>
          <span className="badge snoozed-until">Snoozed {describeSnooze(conversation.snoozed)}</span>
          <button type="button" className="button button-small" disabled={busy} onClick={unsnooze}>
            Unsnooze
          </button>
        </>
      ) : null}
      <button
        ref={button}
        type="button"
        className="button button-small"
        aria-haspopup="menu"
        aria-expanded={open !== false}
        aria-controls={open ? menuId : undefined}
        disabled={busy}
        onClick={() => setOpen(open ? false : 'menu')}
        onKeyDown={(e) => onMenuButtonKey(e, open !== false, (next) => setOpen(next ? 'menu' : false))}
      >
        {conversation.snoozed ? 'Snooze again' : 'Snooze'}
      </button>
      {open === 'menu' ? (
        <div ref={menu} id={menuId} role="menu" aria-label="Snooze" className="macro-menu" onKeyDown={onPopupKey}>
          {PRESETS.map(([p, name]) => (
            <button key={p} type="button" role="menuitem" tabIndex={-1} className="macro-option" onClick={() => preset(p)}>
              {name}
            </button>
          ))}
          <button type="button" role="menuitem" tabIndex={-1} className="macro-option" onClick={() => snooze({ until: null })}>
            Until the customer replies
          </button>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="macro-option"
            onClick={() => {
              setPicked(localInputValue(Date.now() + 3_600_000));
              setOpen('pick');
            }}
          >
            Pick a date and time…
          </button>
        </div>
      ) : null}
      {open === 'pick' ? (
        // biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the popup from any of its fields.
        <div ref={menu} id={menuId} className="macro-menu" onKeyDown={onPopupKey}>
          <form onSubmit={submitPicked} aria-label="Snooze until">
            <input type="datetime-local" aria-label="Snooze until" required value={picked} onChange={(e) => setPicked(e.target.value)} />
            <button type="submit" className="button button-small">
              Snooze
            </button>
          </form>
        </div>
      ) : null}
    </div>
  );
}
