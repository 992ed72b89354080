import type { Role, Status } from '../store/schema.js';
import type { Conversation, InboxEvent, Message } from './records.js';

// Who may see and do what, in one place. Routes and the live stream ask these; a
// customer asking for someone else's conversation must not learn it exists, so callers
// answer not_found, never forbidden, when canView is false.

/** `emailVerifiedAt`: null until the user proved their address by a mailed link. */
export type Viewer = { id: number; role: Role; emailVerifiedAt: number | null };

type Owned = Pick<Conversation, 'customer' | 'openedBy'>;

export const isTeam = (viewer: Viewer): boolean => viewer.role === 'admin' || viewer.role === 'agent';

/**
 * A customer's conversations are those of their address, from every channel — once they
 * have proven the address is theirs. Before that, anyone could have signed up with it, so
 * they see only what they opened themselves while signed in: not mail sent from the
 * address, not the contact form's, not what an agent opened for it.
 */
export function canView(viewer: Viewer, conversation: Owned): boolean {
  if (isTeam(viewer)) return true;
  if (conversation.customer.id !== viewer.id) return false;
  return viewer.emailVerifiedAt !== null || conversation.openedBy === viewer.id;
}

/** The same rule as canView, as a filter for lists and search: everything for the team. */
export function conversationScope(viewer: Viewer): { customerId?: number; openedBy?: number } {
  if (isTeam(viewer)) return {};
  return viewer.emailVerifiedAt !== null ? { customerId: viewer.id } : { customerId: viewer.id, openedBy: viewer.id };
}

export function canSeeMessage(viewer: Viewer, conversation: Owned, message: Pick<Message, 'isInternal'>): boolean {
  return canView(viewer, conversation) && (isTeam(viewer) || !message.isInternal);
}

/** The audit trail is the team's: who assigned whom, which labels, notes added. */
export function canSeeEvents(viewer: Viewer): boolean {
  return isTeam(viewer);
}

export function canSeeEvent(viewer: Viewer, conversation: Owned, _event: InboxEvent): boolean {
  return canSeeEvents(viewer) && canView(viewer, conversation);
}

/** Over the API a customer may only say their question is answered ("Mark as resolved"); the rest is the team's. */
export function canSetStatus(viewer: Viewer, status: Status): boolean {
  return isTeam(viewer) || status === 'resolved';
}

export function canWriteInternal(viewer: Viewer): boolean {
  return isTeam(viewer);
}

export function canDelete(viewer: Viewer): boolean {
  return viewer.role === 'admin';
}

export function canManageUsers(viewer: Viewer): boolean {
  return viewer.role === 'admin';
}
