import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useSession } from '../auth/session';
import { Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';

// Blocked senders on the team page: the addresses and domains whose new conversations land
// in Spam. The team reads the list; admins add to it; a block is lifted by an admin or by
// whoever made it (GET/POST/DELETE /api/blocked-senders). Unblocking leaves what is in Spam
// there: "Not spam" on a conversation brings it back.

/** GET /api/blocked-senders's item (http/routes/spam.ts BlockedSenderJson). */
type BlockedSender = {
  id: number;
  value: string;
  kind: 'address' | 'domain';
  createdByName: string | null;
  createdAt: number;
  conversationId: number | null;
  canUnblock: boolean;
};
type Page = { items: BlockedSender[]; nextCursor: number | null };

const blockedKey = ['blocked-senders'] as const;

function BlockForm() {
  const id = useId();
  const client = useQueryClient();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { blocked } = await api<{ blocked: BlockedSender }>('POST', '/api/blocked-senders', { body: { value } });
      showToast('info', `Blocked ${blocked.value}`);
      setValue('');
      void client.invalidateQueries({ queryKey: blockedKey });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="blocked-form" onSubmit={submit} aria-label="Block a sender">
      <label htmlFor={`${id}-value`}>Address or domain to block</label>
      <input
        id={`${id}-value`}
        required
        maxLength={254}
        placeholder="ann@example.com or example.com"
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <button type="submit" className="button button-small" disabled={busy || !value.trim()}>
        Block
      </button>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function BlockedSendersSection() {
  const client = useQueryClient();
  const isAdmin = useSession().data?.user.role === 'admin';
  const [busy, setBusy] = useState<number | null>(null);
  const list = useInfiniteQuery({
    queryKey: blockedKey,
    queryFn: ({ pageParam }) => api<Page>('GET', `/api/blocked-senders?limit=50${pageParam ? `&cursor=${pageParam}` : ''}`),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
  });

  const unblock = async (block: BlockedSender) => {
    setBusy(block.id);
    try {
      await api('DELETE', `/api/blocked-senders/${block.id}`);
      showToast('info', `Unblocked ${block.value}. What is in Spam stays there.`);
      void client.invalidateQueries({ queryKey: blockedKey });
    } catch (error) {
      showError(`Couldn’t unblock ${block.value}: ${errorMessage(error)}`);
    } finally {
      setBusy(null);
    }
  };

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="blocked-section" aria-labelledby="blocked-title">
      <h2 id="blocked-title">Blocked senders</h2>
      <p className="section-help">New mail, chats and contact-form messages from these land in Spam, with no acknowledgement and no notification.</p>
      {isAdmin ? <BlockForm /> : null}
      {list.isPending ? (
        <Loading label="Loading blocked senders…" />
      ) : list.isError ? (
        <Failed what="the blocked senders" error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p>Nobody is blocked. Mark a conversation as spam to block its sender.</p>
      ) : (
        <ul className="blocked-list">
          {items.map((block) => (
            <li key={block.id} className="blocked-item">
              <strong>{block.value}</strong>
              <span className="blocked-meta">
                {block.kind === 'domain' ? 'whole domain' : 'address'}, by {block.createdByName ?? 'someone'} on{' '}
                {new Date(block.createdAt).toLocaleDateString()}
              </span>
              {block.canUnblock ? (
                <button type="button" className="button button-small" disabled={busy === block.id} onClick={() => void unblock(block)}>
                  Unblock<span className="visually-hidden"> {block.value}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage ? (
        <button type="button" className="button button-small" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Show more
        </button>
      ) : null}
    </section>
  );
}
