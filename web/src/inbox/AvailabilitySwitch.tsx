import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { endpoints } from '../api/endpoints';
import type { Me, User } from '../api/types';
import { showError } from '../ui/toasts';
import { keys } from './cache';

// The agent's availability, beside their name: automatic (online while the inbox is open)
// or busy / offline by hand. Assignment rules and the chat widget go by it.

type Choice = NonNullable<User['availabilityChoice']>;
const LABELS: Record<Choice, string> = { auto: 'Online', busy: 'Busy', offline: 'Offline' };

export function AvailabilitySwitch({ me }: { me: User }) {
  const client = useQueryClient();
  const [saving, setSaving] = useState(false);
  const choice: Choice = me.availabilityChoice ?? 'auto';

  async function choose(next: Choice) {
    setSaving(true);
    try {
      const { user } = await endpoints.updateMe({ availability: next });
      client.setQueryData<Me | null>(keys.me, (current) => (current ? { ...current, user } : current));
      void client.invalidateQueries({ queryKey: keys.agents });
      void client.invalidateQueries({ queryKey: keys.team });
    } catch (error) {
      showError(error instanceof Error ? error.message : 'Your availability could not be changed');
    } finally {
      setSaving(false);
    }
  }

  return (
    <label className="availability" title="Online: while the inbox is open. Busy and offline: you receive no new conversations.">
      <span className={`availability-dot availability-${choice === 'auto' ? 'online' : choice}`} aria-hidden="true" />
      <span className="visually-hidden">Your availability</span>
      <select value={choice} disabled={saving} onChange={(e) => void choose(e.target.value as Choice)}>
        {(Object.keys(LABELS) as Choice[]).map((value) => (
          <option key={value} value={value}>
            {LABELS[value]}
          </option>
        ))}
      </select>
    </label>
  );
}
