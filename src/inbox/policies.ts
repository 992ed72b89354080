import type { Channel, Role, SenderType, Status } from '../store/schema.js';
import type { Conversation, InboxEvent, Message } from './records.js';

// Who may see and do what, in one place. Routes, the live stream and the commands ask
// these; a customer asking for someone else's conversation must not learn it exists, so
// callers answer not_found, never forbidden, when canView is false.
//
// Two kinds of "who": a Viewer (someone signed in, asking over the API) and an acting
// party as the commands resolve it (actors.ts: a user, a customer, or a machine — the bot,
// a rule, the system — whose role is null). The rules that apply to both take `Who`.

/** `emailVerifiedAt`: null until the user proved their address by a mailed link. */
export type Viewer = { id: number; role: Role; emailVerifiedAt: number | null };

type Owned = Pick<Conversation, 'customer' | 'openedBy'>;

/** A viewer, or an acting party (role null: the bot, a rule, the system, an unverified address). */
type Who = { role: Role | null };

/** A team member, signed in. */
export const isTeam = (who: Who): boolean => who.role === 'admin' || who.role === 'agent';

/** Whoever is not a customer acts for the team: its members, the bot, rules and the system. */
export const actsForTeam = (who: Who): boolean => who.role !== 'customer';

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

/**
 * A customer may only say their question is answered ("Mark as resolved"); the rest is
 * the team's. Not `closed`: closing stops a conversation from reopening, which is the
 * team's call, not the customer's.
 */
export function canSetStatus(who: Who, status: Status): boolean {
  return actsForTeam(who) || status === 'resolved';
}

/** How the team organises the inbox (assignee, priority, labels and tags, who handles it) is the team's to see and filter by. */
export function canSeeTriage(viewer: Viewer): boolean {
  return isTeam(viewer);
}

/** Assigning, labels and tags, priority, type: the team's. */
export function canTriage(who: Who): boolean {
  return actsForTeam(who);
}

/** Internal notes: written by the team (the bot too: a bounce notice), and read by its members only. */
export function canWriteInternal(who: Who): boolean {
  return actsForTeam(who);
}

export function canSeeInternal(viewer: Viewer): boolean {
  return isTeam(viewer);
}

/** Copying people on mail (Cc) is what an agent does; nobody else names whom a mail goes to. */
export function canCopyOnMail(sender: { kind: SenderType | 'system' }): boolean {
  return sender.kind === 'admin';
}

/**
 * A customer opens tickets for themselves only: whom it is with, whom it copies, its
 * priority and any channel but ticket are the team's to say.
 */
export function canStartAs(viewer: Viewer, request: { forCustomer: boolean; cc: boolean; priority: boolean; channel?: Channel }): boolean {
  if (isTeam(viewer)) return true;
  return !request.forCustomer && !request.cc && !request.priority && (request.channel === undefined || request.channel === 'ticket');
}

/** Retrying a mail, forwarding: a team member, signed in (not the bot, not a customer). */
export function canRetryDelivery(who: Who): boolean {
  return actsForTeam(who);
}

export function canForward(who: Who): boolean {
  return isTeam(who);
}

/** An admin, or Onethread itself (a channel cleaning up); not the bot, not a rule. */
export function canDelete(who: Who & { origin?: string }): boolean {
  return who.role === 'admin' || who.origin === 'system';
}

/** The failed-mail list and reprocessing: raw mail from anyone, for admins only. */
export function canManageMail(viewer: Viewer): boolean {
  return viewer.role === 'admin';
}

/** Knowledge base drafts are the team's until published. */
export function canSeeDrafts(viewer: Viewer): boolean {
  return isTeam(viewer);
}

/** Creating, renaming, staffing and deleting teams: admins. Which team a conversation is in is triage (canTriage). */
export function canManageTeams(who: Who): boolean {
  return who.role === 'admin';
}

export function canManageUsers(viewer: Viewer): boolean {
  return viewer.role === 'admin';
}

/** A saved view's owner and the team it is shared with (null: its owner's alone). */
type ViewOwnership = { ownerId: number; teamId: number | null };
/** A viewer or an acting user, with the teams they are in. */
type Member = Who & { id: number | null; teamIds: readonly number[] };

/** Saved views are the team's: a personal one its owner's, a shared one its team's members'. */
export function canSeeView(who: Member, view: ViewOwnership): boolean {
  if (!isTeam(who)) return false;
  return view.teamId === null ? view.ownerId === who.id : who.teamIds.includes(view.teamId);
}

/** Its owner edits a personal view; a shared one (and what it is shared with), its team's members and admins. */
export function canEditView(who: Member, view: ViewOwnership): boolean {
  if (!isTeam(who)) return false;
  if (view.teamId === null) return view.ownerId === who.id;
  return who.role === 'admin' || who.teamIds.includes(view.teamId);
}

/** A canned reply's owner (null: shared) and, when shared, its team (null: the whole team). */
type CannedOwnership = { ownerId: number | null; teamId: number | null };

/**
 * Canned replies are the team's: a personal one is its owner's alone (not even admins see
 * another's); a shared one is for the whole team or one team's members, and admins, who
 * manage every shared one.
 */
export function canUseCannedReply(who: Member, reply: CannedOwnership): boolean {
  if (!isTeam(who)) return false;
  if (reply.ownerId !== null) return reply.ownerId === who.id;
  return reply.teamId === null || who.role === 'admin' || who.teamIds.includes(reply.teamId);
}

/** Everyone manages their own personal replies; only admins the shared ones. */
export function canManageCannedReply(who: Member, reply: CannedOwnership): boolean {
  if (!isTeam(who)) return false;
  return reply.ownerId !== null ? reply.ownerId === who.id : who.role === 'admin';
}

/** Macros are the team's: a personal one its owner's alone, a shared one (`ownerId` null) everyone's. */
export function canUseMacro(who: Who & { id: number | null }, macro: { ownerId: number | null }): boolean {
  if (!isTeam(who)) return false;
  return macro.ownerId === null || macro.ownerId === who.id;
}

/** Everyone manages their own macros; only admins the shared ones. */
export function canManageMacro(who: Who & { id: number | null }, macro: { ownerId: number | null }): boolean {
  if (!isTeam(who)) return false;
  return macro.ownerId !== null ? macro.ownerId === who.id : who.role === 'admin';
}

/** The block list (spam senders) as a whole: admins'. */
export const canManageBlockList = (who: Who): boolean => who.role === 'admin';

/** Lifting a block: admins, or the team member who made it (undoing their own). */
export function canUnblock(who: Who & { id: number | null }, block: { createdBy: number | null }): boolean {
  return canManageBlockList(who) || (isTeam(who) && who.id !== null && who.id === block.createdBy);
}

/** The team's notification settings and a person's notification-mail switch: admins'. */
export const canManageNotificationSettings = (who: Who): boolean => who.role === 'admin';

/** Notification deliveries ("why didn't I get it"): a team member's own, and anyone's for an admin. */
export function canReadDeliveriesOf(viewer: Viewer, userId: number): boolean {
  return viewer.role === 'admin' || (isTeam(viewer) && viewer.id === userId);
}

/** Customer satisfaction (issue 19): the team reads the surveys and asks a customer by hand. */
export const canSeeSurveys = (who: Who): boolean => isTeam(who);
export const canRequestSurvey = (who: Who): boolean => isTeam(who);

/** Only the survey's own customer answers it, on a conversation they may see (the portal; the widget and the link prove it otherwise). */
export function canAnswerSurvey(viewer: Viewer, conversation: Owned, survey: { customerId: number }): boolean {
  return !isTeam(viewer) && canView(viewer, conversation) && survey.customerId === viewer.id;
}

/**
 * Reports (issue 19): the whole team's figures are admins'; an agent sees their own only
 * (a report filtered on `agent` = themselves; never the live panel or another's figures);
 * customers none.
 */
export function canSeeReports(viewer: Viewer, scope: { agent?: number; live?: boolean }): boolean {
  if (viewer.role === 'admin') return true;
  return viewer.role === 'agent' && !scope.live && scope.agent === viewer.id;
}
