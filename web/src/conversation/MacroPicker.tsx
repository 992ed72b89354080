import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { macroEndpoints } from '../api/endpoints';
import type { Macro, User } from '../api/types';
import { keys, upsertConversation } from '../inbox/cache';
import { refreshCountsSoon } from '../live/apply';
import { onMenuButtonKey, onMenuKey } from '../ui/menuButton';
import { showError, showToast } from '../ui/toasts';

// The conversation header's Macros: a menu button (the WAI-ARIA pattern: Enter or ↓ opens it
// on the first macro, arrows move, Enter runs one, Escape closes and returns to the button).
// The server runs every action in one transaction, so a refusal changed nothing: the toast
// says why and the conversation stays as it was.

export const macrosKey = ['macros'] as const;

export function MacroPicker({ conversationId, me }: { conversationId: number; me: User }) {
  const client = useQueryClient();
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const macros = useQuery({ queryKey: macrosKey, queryFn: () => macroEndpoints.list().then((r) => r.items), enabled: open });

  const loaded = macros.data !== undefined;
  useEffect(() => {
    if (open && loaded) menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [open, loaded]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const run = async (macro: Macro) => {
    close();
    setBusy(true);
    try {
      const [result] = (await macroEndpoints.apply(macro.id, [conversationId])).results;
      if (!result) return;
      if (!result.ok) {
        showError(`Couldn’t apply “${macro.name}”: ${result.error.message}`);
        return;
      }
      upsertConversation(client, me.id, result.conversation);
      showToast('info', `Applied “${macro.name}”`);
    } catch (error) {
      showError(`Couldn’t apply “${macro.name}”: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
      void client.invalidateQueries({ queryKey: keys.conversation(conversationId) });
      void client.invalidateQueries({ queryKey: keys.messages(conversationId) });
      void client.invalidateQueries({ queryKey: keys.events(conversationId) });
      refreshCountsSoon(client);
    }
  };

  // A menu holds menu items only: what is not one (loading, none yet) is said beside it.
  let note: string | null = null;
  if (macros.isPending) note = 'Loading macros…';
  else if (macros.isError) note = `Couldn’t load the macros: ${errorMessage(macros.error)}`;
  else if (macros.data.length === 0) note = 'No macros yet: make one on the Team page.';

  return (
    <div className="macro-picker">
      <button
        ref={button}
        type="button"
        className="button button-small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={busy}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => onMenuButtonKey(e, open, setOpen)}
      >
        Macros
      </button>
      {open && note ? (
        <p id={menuId} className="macro-menu macro-note" role="status">
          {note}
        </p>
      ) : null}
      {open && !note ? (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label="Macros"
          className="macro-menu"
          onKeyDown={(e) => onMenuKey(e, menu.current, close, () => setOpen(false))}
        >
          {macros.data?.map((macro) => (
            <button key={macro.id} type="button" role="menuitem" tabIndex={-1} className="macro-option" onClick={() => void run(macro)}>
              {macro.name}
              <span className="macro-steps">
                {macro.actions.length} action{macro.actions.length === 1 ? '' : 's'}
              </span>
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
