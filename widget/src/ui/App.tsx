import { useRef, useState } from 'preact/hooks';
import type { Chat } from '../chat';
import { unreadCount } from '../messages';
import { Launcher } from './Launcher';
import { Panel } from './Panel';
import { useChatState } from './use-chat-state';

export function App({ chat }: { chat: Chat }) {
  const state = useChatState(chat);
  const launcher = useRef<HTMLButtonElement>(null);
  // Focus moves into the panel only when the visitor opened it, never when a page loads
  // with the panel remembered open (that would steal focus from the host page).
  const [openedByVisitor, setOpenedByVisitor] = useState(false);

  const close = () => {
    chat.setOpen(false);
    launcher.current?.focus();
  };

  return (
    <div class="widget">
      {/* Kept once started, hidden when closed, so a draft survives closing the panel. */}
      {state.phase !== 'idle' && <Panel chat={chat} state={state} autoFocus={openedByVisitor} onClose={close} />}
      <Launcher
        open={state.open}
        unread={state.open ? 0 : unreadCount(state.messages, state.seen)}
        buttonRef={launcher}
        onToggle={() => {
          setOpenedByVisitor(true);
          chat.setOpen(!state.open);
        }}
      />
    </div>
  );
}
