import type { Conversation } from '../../src/api/types';

// What a customer reads: the status from their side of the conversation, times in their locale.

export const STATUS_WORDS: Record<Conversation['status'], string> = {
  pending: 'Waiting for you',
  open: 'We’re on it',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const when = (ms: number): string => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
