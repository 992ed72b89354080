import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type MouseEvent, useState } from 'react';
import { endpoints } from '../api/endpoints';
import { CHANNEL_NAMES, type Customer, STATUS_NAMES } from '../api/types';
import { currentRoute, inboxRoute, navigate, routeUrl } from '../app/route';
import { fullTime, RelativeTime } from '../ui/time';
import { showError } from '../ui/toasts';
import { MergeSuggestions } from './MergeSuggestions';

// Who the customer is, in the conversation's details: name (agents correct it), address,
// first seen, the channels they wrote through, and their other conversations, each a link.

const customerKey = (id: number) => ['customer', id] as const;
const conversationsKey = (id: number) => ['customer', id, 'conversations'] as const;

export function CustomerCard({ customerId, conversationId }: { customerId: number; conversationId: number }) {
  const customer = useQuery({ queryKey: customerKey(customerId), queryFn: () => endpoints.customer(customerId), staleTime: 30_000, select: (r) => r.customer });
  const conversations = useQuery({
    queryKey: conversationsKey(customerId),
    queryFn: () => endpoints.customerConversations(customerId),
    staleTime: 30_000,
    select: (r) => r.items.filter((c) => c.id !== conversationId),
  });
  if (!customer.data) return null;
  const others = conversations.data ?? [];

  const open = (event: MouseEvent, id: number) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate({ ...inboxRoute(currentRoute()), conversationId: id });
  };

  return (
    <details className="detail detail-customer">
      <summary>
        Customer: <strong>{customer.data.name}</strong>
        {others.length > 0 ? ` · ${others.length} other conversation${others.length === 1 ? '' : 's'}` : ''}
      </summary>
      <div className="customer-card" data-testid="customer-card">
        <CustomerName customer={customer.data} />
        <MergeSuggestions conversationId={conversationId} />
        <dl className="customer-facts">
          <dt>Email</dt>
          <dd>{customer.data.email}</dd>
          {customer.data.company && (
            <>
              <dt>Company</dt>
              <dd>{customer.data.company}</dd>
            </>
          )}
          <dt>First seen</dt>
          <dd>{fullTime(customer.data.firstSeenAt)}</dd>
          <dt>Channels</dt>
          <dd>{customer.data.channels.map((c) => CHANNEL_NAMES[c]).join(', ') || '—'}</dd>
        </dl>
        {others.length > 0 ? (
          <ul className="customer-conversations" aria-label="Their other conversations">
            {others.map((c) => (
              <li key={c.id}>
                <a href={routeUrl({ ...inboxRoute(currentRoute()), conversationId: c.id })} onClick={(e) => open(e, c.id)}>
                  <span className="customer-conversation-number">{c.number}</span> {c.subject}
                </a>{' '}
                <span className={`badge status-${c.status}`}>{STATUS_NAMES[c.status]}</span> <RelativeTime at={c.lastActivityAt} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="customer-none">No other conversations.</p>
        )}
      </div>
    </details>
  );
}

function CustomerName({ customer }: { customer: Customer }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(customer.name);
  const rename = useMutation({
    mutationFn: (next: string) => endpoints.renameCustomer(customer.id, next),
    onSuccess: ({ customer: saved }) => {
      client.setQueryData(customerKey(customer.id), { customer: saved });
      setEditing(false);
    },
    onError: (error) => showError(error instanceof Error ? error.message : 'The name could not be saved'),
  });
  if (!editing) {
    return (
      <p className="customer-name">
        {customer.name}{' '}
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            setName(customer.name);
            setEditing(true);
          }}
        >
          Rename<span className="visually-hidden"> the customer</span>
        </button>
      </p>
    );
  }
  return (
    <form
      className="customer-name"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) rename.mutate(name.trim());
      }}
    >
      <input aria-label="Customer name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button button-small" disabled={rename.isPending || !name.trim()}>
        Save
      </button>
      <button type="button" className="button button-small" onClick={() => setEditing(false)}>
        Cancel
      </button>
    </form>
  );
}
