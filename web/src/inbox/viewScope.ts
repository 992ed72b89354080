import { type Channel, LABEL_NAMES, STATUS_NAMES, type Status } from '../api/types';
import type { Filters, ViewId } from '../app/route';
import { viewDefinition } from './views';

// A channel or label view lists only the open conversations of its channel or label, which
// its name ("Email") does not say: the list says it in words, and says what a status filter
// on top changed it to.

const CHANNEL_WORDS: Record<Channel, string> = { ticket: 'ticket', chatbot: 'chat', email: 'email' };

/** The statuses a view lists with these filters; null for any status. */
export function listedStatuses(view: ViewId, filters: Filters): Status[] | null {
  if (filters.status === 'any') return null;
  if (filters.status) return [filters.status];
  return viewDefinition(view).base.status ?? null;
}

export const statusWords = (statuses: Status[]) => statuses.map((s) => STATUS_NAMES[s]).join(' or ');

/** "Open email conversations", "All chat conversations labelled Urgent"; null for the status views, whose names say it. */
export function viewScope(view: ViewId, filters: Filters): string | null {
  const base = viewDefinition(view).base;
  if (!base.channel && !base.label) return null;
  const statuses = listedStatuses(view, filters);
  const channel = filters.channel ?? base.channel;
  const label = filters.label ?? base.label;
  const words = [statuses ? statusWords(statuses) : 'All', channel ? CHANNEL_WORDS[channel] : null, 'conversations'].filter(Boolean).join(' ');
  return label ? `${words} labelled ${LABEL_NAMES[label]}` : words;
}
