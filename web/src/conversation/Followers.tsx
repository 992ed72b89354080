import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { errorMessage } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Conversation, FollowReason, Participant, User } from '../api/types';
import { showError } from '../ui/toasts';

// The team members following the conversation (not the people Cc'd on its mail), and the
// agent's own Follow / Unfollow. Replying, being mentioned or assigned makes one a follower
// on the server; the list is read again when the conversation changes.

const participantsKey = (id: number) => ['participants', id] as const;

const REASONS: Record<FollowReason, string> = { followed: 'follows', replied: 'replied', mentioned: 'mentioned', assigned: 'assigned' };

export function Followers({ conversation, me }: { conversation: Conversation; me: User }) {
  const client = useQueryClient();
  const key = participantsKey(conversation.id);
  const participants = useQuery({ queryKey: key, queryFn: () => endpoints.participants(conversation.id), staleTime: 10_000, select: (r) => r.items });

  // A note, a reply or an assignment may have made someone a follower: updatedAt moves with each.
  const seen = useRef(conversation.updatedAt);
  useEffect(() => {
    if (seen.current === conversation.updatedAt) return;
    seen.current = conversation.updatedAt;
    void client.invalidateQueries({ queryKey: participantsKey(conversation.id) });
  }, [client, conversation.id, conversation.updatedAt]);

  const following = participants.data?.some((p) => p.userId === me.id) ?? false;
  const toggle = useMutation({
    mutationFn: (follow: boolean) => endpoints.follow(conversation.id, follow),
    onMutate: (follow) => {
      const before = client.getQueryData<{ items: Participant[] }>(key);
      client.setQueryData<{ items: Participant[] }>(key, (old) => {
        if (!old) return old;
        const others = old.items.filter((p) => p.userId !== me.id);
        return { items: follow ? [...others, { userId: me.id, name: me.name, reason: 'followed', since: Date.now() }] : others };
      });
      return { before };
    },
    onError: (error, follow, context) => {
      if (context?.before) client.setQueryData(key, context.before);
      showError(`Couldn’t ${follow ? 'follow' : 'unfollow'} the conversation: ${errorMessage(error)}`);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: key }),
  });

  const items = participants.data ?? [];
  return (
    <div className="detail detail-participants">
      <span id={`participants-${conversation.id}`}>Participants</span>
      <div className="participants">
        {items.length ? (
          <ul className="participant-list" aria-labelledby={`participants-${conversation.id}`} data-testid="participants">
            {items.map((p) => (
              <li key={p.userId} className="participant" title={`${p.name} ${REASONS[p.reason]}`}>
                {p.userId === me.id ? `${p.name} (you)` : p.name}
                <span className="participant-reason"> · {REASONS[p.reason]}</span>
              </li>
            ))}
          </ul>
        ) : (
          <span className="participant-none">{participants.isError ? 'Couldn’t load them' : participants.isPending ? 'Loading…' : 'Nobody yet'}</span>
        )}
        <button type="button" className="button button-small" disabled={participants.isPending || toggle.isPending} onClick={() => toggle.mutate(!following)}>
          {following ? 'Unfollow' : 'Follow'}
        </button>
      </div>
    </div>
  );
}
