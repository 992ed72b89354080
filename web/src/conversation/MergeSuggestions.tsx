import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Conversation } from '../api/types';
import { keys } from '../inbox/cache';
import { ConfirmDialog, Dialog } from '../ui/Dialog';
import { showError } from '../ui/toasts';

// Merging in the customer panel: the customer's other open conversations, each with "Merge
// into this" (that one's messages move into the one on screen, after a confirmation); "Merge…"
// by number, where another customer's conversation needs a second confirmation; and the
// conversations merged into this one, each with Unmerge (the server allows it for 30 days).

type MergeRequest = { source: Conversation; confirmDifferentCustomers?: boolean };

const candidatesKey = (id: number) => ['merge-candidates', id] as const;
const mergeInto = (target: number, request: MergeRequest) =>
  api<{ source: Conversation; target: Conversation }>('POST', `/api/conversations/${request.source.id}/merge`, {
    body: { into: target, ...(request.confirmDifferentCustomers ? { confirmDifferentCustomers: true } : {}) },
  });

export function MergeSuggestions({ conversationId }: { conversationId: number }) {
  const client = useQueryClient();
  const current = useQuery({
    queryKey: keys.conversation(conversationId),
    queryFn: () => endpoints.conversation(conversationId).then((r) => r.conversation),
  }).data;
  // The suggestions and what was merged here (each may be unmerged) in one request; not the
  // audit trail, which the thread pages on its own.
  const suggestions = useQuery({
    queryKey: candidatesKey(conversationId),
    queryFn: () => api<{ items: Conversation[]; merged: Conversation[] }>('GET', `/api/conversations/${conversationId}/merge-candidates`),
    staleTime: 10_000,
  });
  const [confirming, setConfirming] = useState<Conversation | null>(null);
  const [byNumber, setByNumber] = useState(false);
  // Everything on screen may have changed: this thread, the merged one, the lists, the counts.
  const refresh = () => void client.invalidateQueries();
  const merge = useMutation({
    mutationFn: (request: MergeRequest) => mergeInto(conversationId, request),
    onSuccess: refresh,
    onError: (error) => showError(error instanceof Error ? error.message : 'The conversations could not be merged'),
  });
  const unmerge = useMutation({
    mutationFn: (sourceId: number) => api('POST', `/api/conversations/${sourceId}/unmerge`),
    onSuccess: refresh,
    onError: (error) => showError(error instanceof Error ? error.message : 'The merge could not be undone'),
  });

  const merged = suggestions.data?.merged ?? [];
  const others = suggestions.data?.items ?? [];
  const here = current?.number ?? 'this conversation';

  return (
    <div className="merge-suggestions" data-testid="merge-suggestions">
      {others.length > 0 ? (
        <ul className="merge-candidates" aria-label="Other open conversations">
          {others.map((c) => (
            <li key={c.id}>
              <span className="customer-conversation-number">{c.number}</span> {c.subject}{' '}
              <button type="button" className="button button-small" disabled={merge.isPending} onClick={() => setConfirming(c)}>
                Merge into this<span className="visually-hidden"> conversation: {c.number}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {merged.length > 0 ? (
        <ul className="merged-here" aria-label="Merged into this conversation">
          {merged.map(({ id, number }) => (
            <li key={id}>
              Merged from {number}{' '}
              <button type="button" className="button button-small" disabled={unmerge.isPending} onClick={() => unmerge.mutate(id)}>
                Unmerge<span className="visually-hidden"> {number}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="button button-small" onClick={() => setByNumber(true)}>
        Merge…
      </button>
      <ConfirmDialog
        open={confirming !== null}
        title={`Merge ${confirming?.number ?? ''} into ${here}?`}
        text={`The messages of ${confirming?.number ?? ''} “${confirming?.subject ?? ''}” move into ${here}, in time order. You can unmerge it within 30 days.`}
        confirm="Merge"
        onConfirm={() => confirming && merge.mutate({ source: confirming })}
        onClose={() => setConfirming(null)}
      />
      {byNumber ? <MergeByNumber target={current ?? null} onMerge={(request) => merge.mutate(request)} onClose={() => setByNumber(false)} /> : null}
    </div>
  );
}

/** "Merge…": another conversation by its number into this one; another customer's needs a second confirmation. */
function MergeByNumber({ target, onMerge, onClose }: { target: Conversation | null; onMerge(request: MergeRequest): void; onClose(): void }) {
  const [reference, setReference] = useState('');
  const [found, setFound] = useState<Conversation | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const differs = found !== null && target !== null && found.customer.id !== target.customer.id;

  const look = async () => {
    setProblem(null);
    setFound(null);
    setConfirmed(false);
    const ref = /^\d+$/.test(reference.trim()) ? `CONV-${reference.trim()}` : reference.trim().toUpperCase();
    try {
      const { conversation } = await api<{ conversation: Conversation }>('GET', `/api/conversations/${encodeURIComponent(ref)}`);
      if (conversation.id === target?.id) setProblem('That is this conversation.');
      else if (conversation.mergedInto !== null) setProblem(`${conversation.number} is already merged into another conversation.`);
      else setFound(conversation);
    } catch (error) {
      setProblem(error instanceof ApiError && error.status === 404 ? `There is no conversation ${ref}.` : 'The conversation could not be found.');
    }
  };

  return (
    <Dialog open title="Merge a conversation into this one" onClose={onClose}>
      <form
        className="merge-by-number"
        onSubmit={(e) => {
          e.preventDefault();
          if (!found) void look();
          else if (!differs || confirmed) {
            onMerge({ source: found, confirmDifferentCustomers: differs });
            onClose();
          }
        }}
      >
        <label>
          Conversation number{' '}
          <input
            value={reference}
            onChange={(e) => {
              setReference(e.target.value);
              setFound(null);
            }}
            placeholder="CONV-000123"
            maxLength={32}
            required
          />
        </label>
        {problem ? <p role="alert">{problem}</p> : null}
        {found ? (
          <p>
            {found.number} “{found.subject}” of {found.customer.name} &lt;{found.customer.email}&gt;
          </p>
        ) : null}
        {differs ? (
          <label className="merge-confirm-customers">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> It is another customer's: merge anyway (each customer
            then sees the other's messages)
          </label>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={found !== null && differs && !confirmed}>
            {found ? 'Merge' : 'Find'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
