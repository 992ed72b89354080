import type { Role } from '../store/schema.js';
import type { Conversation, InboxEvent, Message } from './records.js';

// Who may see and do what, in one place. Routes and the live stream ask these; a
// customer asking for someone else's conversation must not learn it exists, so callers
// answer not_found, never forbidden, when canView is false.

export type Viewer = { id: number; role: Role };

export const isTeam = (viewer: Viewer): boolean => viewer.role === 'admin' || viewer.role === 'agent';

export function canView(viewer: Viewer, conversation: Pick<Conversation, 'customer'>): boolean {
  return isTeam(viewer) || conversation.customer.id === viewer.id;
}

export function canSeeMessage(viewer: Viewer, conversation: Pick<Conversation, 'customer'>, message: Pick<Message, 'isInternal'>): boolean {
  return canView(viewer, conversation) && (isTeam(viewer) || !message.isInternal);
}

/** The audit trail is the team's: who assigned whom, which labels, notes added. */
export function canSeeEvents(viewer: Viewer): boolean {
  return isTeam(viewer);
}

export function canSeeEvent(viewer: Viewer, conversation: Pick<Conversation, 'customer'>, _event: InboxEvent): boolean {
  return canSeeEvents(viewer) && canView(viewer, conversation);
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
