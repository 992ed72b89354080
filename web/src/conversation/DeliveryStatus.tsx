import type { Delivery, Message } from '../api/types';
import { useRetryDelivery } from './actions';

const NAMES: Record<Delivery['status'], string> = { queued: 'Queued', sent: 'Sent', failed: 'Failed' };

/** How an agent's email reply is being mailed, with a retry when it failed; nothing for other messages. */
export function DeliveryStatus({ message }: { message: Message }) {
  return message.delivery ? <DeliveryBadge conversationId={message.conversationId} messageId={message.id} delivery={message.delivery} /> : null;
}

function DeliveryBadge({ conversationId, messageId, delivery }: { conversationId: number; messageId: number; delivery: Delivery }) {
  const retry = useRetryDelivery(conversationId);
  // A queued mail with an error is being retried after a failed attempt.
  const detail = delivery.error ? `${delivery.status === 'queued' ? 'Retrying after: ' : ''}${delivery.error}` : null;
  return (
    <span className="delivery" data-delivery={delivery.status}>
      <span className={`badge delivery-${delivery.status}`} title={detail ?? undefined}>
        {NAMES[delivery.status]}
        {detail ? <span className="visually-hidden">: {detail}</span> : null}
      </span>
      {delivery.status === 'failed' ? (
        <button type="button" className="button button-small" onClick={() => retry.mutate(messageId)} disabled={retry.isPending}>
          {retry.isPending ? 'Retrying…' : 'Retry'}
        </button>
      ) : null}
    </span>
  );
}
