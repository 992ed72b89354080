import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { api, errorMessage } from '../api/client';
import type { Conversation } from '../api/types';
import { keys } from '../inbox/cache';
import { refreshCountsSoon } from '../live/apply';
import { onMenuButtonKey, onMenuKey } from '../ui/menuButton';
import { showError, showToast } from '../ui/toasts';

// The conversation header's spam action: "Mark as spam" is a menu button (the same WAI-ARIA
// pattern as MacroPicker) offering to also block the customer's address or whole domain; a
// conversation in Spam offers "Not spam" instead. Restoring does not unblock, and the toast
// says where that is done (the Team page's Blocked senders).

type Block = 'address' | 'domain' | null;

export function SpamMenu({ conversation }: { conversation: Conversation }) {
  const client = useQueryClient();
  const menuId = useId();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = conversation.id;
  const email = conversation.customer.email;
  const domain = email.slice(email.lastIndexOf('@') + 1);

  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  // The lists are refetched rather than patched: which view shows spam is the server's rule.
  const settle = (next: Conversation) => {
    client.setQueryData(keys.conversation(id), (previous: Conversation | undefined) => ({ ...previous, ...next }));
    void client.invalidateQueries({ queryKey: keys.lists });
    void client.invalidateQueries({ queryKey: keys.events(id) });
    refreshCountsSoon(client);
  };

  const act = async (what: string, work: () => Promise<{ conversation: Conversation }>, done: string) => {
    setBusy(true);
    try {
      settle((await work()).conversation);
      showToast('info', done);
    } catch (error) {
      showError(`Couldn’t ${what}: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  };

  const mark = (block: Block) => {
    close();
    const blocked = block === 'address' ? ` and blocked ${email}` : block === 'domain' ? ` and blocked ${domain}` : '';
    void act(
      'mark it as spam',
      () => api('POST', `/api/conversations/${id}/spam`, { body: block ? { block } : {} }),
      `Moved to Spam${blocked}. It is deleted after 30 days unless restored.`,
    );
  };

  const restore = () =>
    void act(
      'restore it',
      () => api('DELETE', `/api/conversations/${id}/spam`),
      'Restored from Spam. If its sender was blocked, they still are: unblock them on the Team page.',
    );

  if (conversation.shelf === 'spam') {
    return (
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        onClick={restore}
        title="Brings it back as open; a blocked sender stays blocked (Team page)"
      >
        Not spam
      </button>
    );
  }
  if (conversation.shelf) return null;

  return (
    <div className="macro-picker spam-menu">
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
        Mark as spam
      </button>
      {open ? (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label="Mark as spam"
          className="macro-menu"
          onKeyDown={(e) => onMenuKey(e, menu.current, close, () => setOpen(false))}
        >
          <button type="button" role="menuitem" tabIndex={-1} className="macro-option" onClick={() => mark(null)}>
            Mark as spam
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="macro-option" onClick={() => mark('address')}>
            Mark as spam and block {email}
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="macro-option" onClick={() => mark('domain')}>
            Mark as spam and block the whole domain {domain}
          </button>
        </div>
      ) : null}
    </div>
  );
}
