import { useState } from 'react';
import { ForwardDialog } from './ForwardDialog';

/** The conversation header's Forward: the whole public thread by email. */
export function ForwardButton({ conversationId }: { conversationId: number }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button button-small" onClick={() => setOpen(true)}>
        Forward
      </button>
      <ForwardDialog open={open} conversationId={conversationId} onClose={() => setOpen(false)} />
    </>
  );
}
