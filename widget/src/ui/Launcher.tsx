import type { Ref } from 'preact';
import { ChatIcon, CloseIcon } from './icons';

type Props = { open: boolean; unread: number; onToggle(): void; buttonRef: Ref<HTMLButtonElement> };

export function Launcher({ open, unread, onToggle, buttonRef }: Props) {
  return (
    <button
      ref={buttonRef}
      type="button"
      class="launcher"
      aria-label={open ? 'Close chat' : 'Open chat'}
      aria-expanded={open}
      aria-controls={open ? 'onethread-panel' : undefined}
      aria-describedby={unread > 0 ? 'onethread-unread' : undefined}
      onClick={onToggle}
    >
      {open ? <CloseIcon /> : <ChatIcon />}
      {unread > 0 && (
        <span id="onethread-unread" class="badge">
          {unread > 9 ? '9+' : unread}
          <span class="visually-hidden"> unread</span>
        </span>
      )}
    </button>
  );
}
