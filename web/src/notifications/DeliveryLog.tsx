import { useInfiniteQuery } from '@tanstack/react-query';
import { routeUrl } from '../app/route';
import { Failed, Loading } from '../ui/states';
import { fullTime, RelativeTime } from '../ui/time';
import { type Delivery, getDeliveries, preferenceKeys } from './preferences-api';

// "Recent deliveries": every notification mail, digest and push to this person and what
// became of it (issue 18: "why didn't I get it" has an answer). A person's own log on the
// profile page; an admin may show anyone's (`userId`).

const CHANNELS: Record<Delivery['channel'], string> = { email: 'Email', digest: 'Digest', push: 'Desktop push' };
const STATUSES: Record<Delivery['status'], string> = { queued: 'Waiting', sent: 'Sent', skipped: 'Not sent', failed: 'Failed' };
const REASONS: Record<string, string> = {
  read: 'read or opened before it was due',
  preference: 'switched off in the preferences, or mail is off',
  no_address: 'no address to send to',
  no_subscription: 'no browser subscribed to push',
  deleted: 'the conversation was deleted',
};

function why(d: Delivery): string {
  if (d.status === 'failed') return d.error ?? 'failed';
  if (d.status === 'skipped') return d.reason ? (REASONS[d.reason] ?? d.reason) : '';
  if (d.status === 'sent') return d.target ? `to ${d.target}` : '';
  return '';
}

export function DeliveryLog({ userId = 'me', title = 'Recent deliveries' }: { userId?: number | 'me'; title?: string }) {
  const list = useInfiniteQuery({
    queryKey: preferenceKeys.deliveries(userId),
    queryFn: ({ pageParam }) => getDeliveries(userId, pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextBefore,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="delivery-log">
      <h3>{title}</h3>
      {list.isPending ? (
        <Loading label="Loading deliveries…" />
      ) : list.isError ? (
        <Failed what="the deliveries" error={list.error} retry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="profile-hint">No notification was mailed or pushed yet.</p>
      ) : (
        <table className="delivery-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Why</th>
              <th scope="col">Conversation</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-delivery-id={d.id} data-status={d.status}>
                <td title={fullTime(d.updatedAt)}>
                  <RelativeTime at={d.updatedAt} />
                </td>
                <td>{CHANNELS[d.channel]}</td>
                <td>{STATUSES[d.status]}</td>
                <td className="delivery-why">{why(d)}</td>
                <td>
                  {d.conversation ? (
                    <a href={routeUrl({ page: 'inbox', view: 'all', filters: {}, q: '', conversationId: d.conversation.id })}>{d.conversation.number}</a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage ? (
        <button type="button" className="button button-small" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Show older
        </button>
      ) : null}
    </div>
  );
}
