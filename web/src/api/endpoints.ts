import { api } from './client';
import type {
  AssignmentRule,
  AssignmentRuleInput,
  Channel,
  Conversation,
  ConversationEvent,
  ConversationPage,
  ConversationType,
  Customer,
  CustomerConversation,
  InboxCounts,
  Label,
  Me,
  Message,
  Participant,
  Priority,
  Role,
  SavedView,
  SearchHit,
  SignedIn,
  Sort,
  Status,
  Team,
  User,
} from './types';

// One function per route the app uses, typed with the server's shapes.

export type ListParams = {
  status?: Status[];
  channel?: Channel;
  assignee?: 'me' | 'unassigned' | number;
  /** A team's id, or `none`. */
  team?: number | 'none';
  priority?: Priority;
  label?: Label;
  tag?: string;
  /** `team` leaves out the chats the bot is still answering; `bot` is only those. */
  handler?: 'team' | 'bot';
  /** The Snoozed view, or the Spam view (the only list that shows spam). */
  state?: 'snoozed' | 'spam';
  type?: ConversationType;
  /** The Mentions and Participating views; the server takes `status` beside them, nothing else. */
  mentioned?: 'me';
  participating?: 'me';
  q?: string;
  sort?: Sort;
  cursor?: string;
  limit?: number;
};

export function listQueryString(params: ListParams): string {
  const search = new URLSearchParams();
  if (params.status?.length) search.set('status', params.status.join(','));
  if (params.channel) search.set('channel', params.channel);
  if (params.assignee !== undefined) search.set('assignee', String(params.assignee));
  if (params.team !== undefined) search.set('team', String(params.team));
  if (params.priority) search.set('priority', params.priority);
  if (params.label) search.set('label', params.label);
  if (params.tag) search.set('tag', params.tag);
  if (params.handler) search.set('handler', params.handler);
  if (params.state) search.set('state', params.state);
  if (params.type) search.set('type', params.type);
  if (params.mentioned) search.set('mentioned', params.mentioned);
  if (params.participating) search.set('participating', params.participating);
  if (params.q) search.set('q', params.q);
  if (params.sort) search.set('sort', params.sort);
  if (params.cursor) search.set('cursor', params.cursor);
  if (params.limit) search.set('limit', String(params.limit));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export type ConversationPatch = {
  status?: Status;
  priority?: Priority;
  assignedTo?: number | null;
  teamId?: number | null;
  labels?: Label[];
  tags?: string[];
};

const id = (value: number | string) => encodeURIComponent(String(value));

const MESSAGE_PAGE = 50;
export const EVENT_PAGE = 100;
export type MessagePage = { items: Message[]; nextCursor: string | null };

/** A canned reply whose stored files a message attaches (no upload: the server attaches them by reference). */
export type CannedFiles = { replyId: number; files: { name: string; contentType: string; size: number }[] };

/**
 * A reply or note as the composer sends it; `cc` only when the agent changed whom an email
 * reply copies; `canned`, the canned replies whose files go with it.
 */
export type Draft = { body: string; isInternal: boolean; files: File[]; cc?: string[]; mentions?: number[]; canned?: CannedFiles[] };

const cannedIds = (draft: Draft) => (draft.canned ?? []).map((c) => c.replyId);

/** With files, the same fields go as a form, the files in `files`. */
function draftForm(draft: Draft): FormData {
  const form = new FormData();
  form.set('body', draft.body);
  form.set('isInternal', String(draft.isInternal));
  if (draft.cc) form.set('cc', draft.cc.join(', '));
  if (draft.canned?.length) form.set('cannedReplyIds', cannedIds(draft).join(','));
  for (const file of draft.files) form.append('files', file, file.name);
  return form;
}

/** An email conversation an agent starts (web/src/inbox/NewConversation.tsx). */
export type NewEmailDraft = { customerEmail: string; customerName: string; subject: string; body: string; cc: string[]; files: File[] };

function newEmailBody(draft: NewEmailDraft): FormData | Record<string, unknown> {
  const name = draft.customerName.trim();
  if (!draft.files.length) {
    return {
      channel: 'email',
      subject: draft.subject,
      body: draft.body,
      customer: { email: draft.customerEmail, ...(name ? { name } : {}) },
      ...(draft.cc.length ? { cc: draft.cc } : {}),
    };
  }
  const form = new FormData();
  for (const [key, value] of Object.entries({ channel: 'email', subject: draft.subject, body: draft.body, customerEmail: draft.customerEmail }))
    form.set(key, value);
  if (name) form.set('customerName', name);
  if (draft.cc.length) form.set('cc', draft.cc.join(', '));
  for (const file of draft.files) form.append('files', file, file.name);
  return form;
}

/** A forward (web/src/conversation/ForwardDialog.tsx): one message, or the thread without `messageId`. */
export type ForwardDraft = { to: string[]; note?: string; messageId?: number; withReplyAddress?: boolean };

export const endpoints = {
  me: () => api<Me>('GET', '/api/auth/me', { quiet401: true }),
  login: (email: string, password: string) => api<SignedIn>('POST', '/api/auth/login', { body: { email, password }, quiet401: true }),
  logout: () => api<void>('POST', '/api/auth/logout'),
  /** The signed-in user's own name and signature (null removes it). */
  updateMe: (patch: { name?: string; signature?: string | null; availability?: 'online' | 'busy' | 'offline' | 'auto' }) =>
    api<{ user: User }>('PATCH', '/api/auth/me', { body: patch }),
  /** Ends every other session and API token; this browser gets a new session (and CSRF token). */
  changePassword: (currentPassword: string, newPassword: string) => api<SignedIn>('POST', '/api/auth/password', { body: { currentPassword, newPassword } }),
  requestPasswordReset: (email: string) => api<void>('POST', '/api/auth/password-reset', { body: { email } }),
  confirmPasswordReset: (token: string, password: string) =>
    api<SignedIn>('POST', '/api/auth/password-reset/confirm', { body: { token, password }, quiet401: true }),

  conversations: (params: ListParams, signal?: AbortSignal) => api<ConversationPage>('GET', `/api/conversations${listQueryString(params)}`, { signal }),
  search: (q: string, limit = 50, signal?: AbortSignal) =>
    api<{ items: SearchHit[] }>('GET', `/api/search?${new URLSearchParams({ q, limit: String(limit) })}`, { signal }),
  conversation: (conversationId: number) => api<{ conversation: Conversation }>('GET', `/api/conversations/${id(conversationId)}`),
  customer: (customerId: number) => api<{ customer: Customer }>('GET', `/api/customers/${id(customerId)}`),
  /** The customer's conversations, latest activity first (the first page is enough for the side panel). */
  customerConversations: (customerId: number) =>
    api<{ items: CustomerConversation[]; nextCursor: string | null }>('GET', `/api/customers/${id(customerId)}/conversations?limit=20`),
  renameCustomer: (customerId: number, name: string) => api<{ customer: Customer }>('PATCH', `/api/customers/${id(customerId)}`, { body: { name } }),
  /** A page of the thread walking back from the newest message; each page is oldest first. */
  messages: (conversationId: number, olderThan?: string) =>
    api<MessagePage>(
      'GET',
      `/api/conversations/${id(conversationId)}/messages?direction=backward&limit=${MESSAGE_PAGE}${olderThan ? `&cursor=${encodeURIComponent(olderThan)}` : ''}`,
    ),
  /** A page of the audit trail, oldest first, after event id `after`. */
  events: (conversationId: number, after?: number) =>
    api<{ items: ConversationEvent[] }>('GET', `/api/conversations/${id(conversationId)}/events?limit=${EVENT_PAGE}${after ? `&after=${after}` : ''}`),
  patchConversation: (conversationId: number, patch: ConversationPatch) =>
    api<{ conversation: Conversation }>('PATCH', `/api/conversations/${id(conversationId)}`, { body: patch }),
  markRead: (conversationId: number) => api<{ readAt: string }>('POST', `/api/conversations/${id(conversationId)}/read`),
  deleteConversation: (conversationId: number) => api<void>('DELETE', `/api/conversations/${id(conversationId)}`),
  sendMessage: (conversationId: number, draft: Draft, idempotencyKey: string) =>
    api<{ message: Message }>('POST', `/api/conversations/${id(conversationId)}/messages`, {
      // A form takes no mentions: with files, the note's `@Name`s mention (the server reads them).
      body: draft.files.length
        ? draftForm(draft)
        : {
            body: draft.body,
            isInternal: draft.isInternal,
            ...(draft.cc ? { cc: draft.cc } : {}),
            ...(draft.mentions?.length ? { mentions: draft.mentions } : {}),
            ...(draft.canned?.length ? { cannedReplyIds: cannedIds(draft) } : {}),
          },
      headers: { 'idempotency-key': idempotencyKey },
    }),
  startEmailConversation: (draft: NewEmailDraft, idempotencyKey: string) =>
    api<{ conversation: Conversation; message: Message }>('POST', '/api/conversations', {
      body: newEmailBody(draft),
      headers: { 'idempotency-key': idempotencyKey },
    }),
  forward: (conversationId: number, draft: ForwardDraft) =>
    api<{ event: ConversationEvent }>('POST', `/api/conversations/${id(conversationId)}/forward`, { body: draft }),
  retryDelivery: (conversationId: number, messageId: number) =>
    api<{ message: Message }>('POST', `/api/conversations/${id(conversationId)}/messages/${id(messageId)}/retry`),
  counts: () => api<InboxCounts>('GET', '/api/inbox/counts'),

  /** Everyone a conversation can be assigned to: agents and admins. */
  agents: () => api<{ items: User[] }>('GET', '/api/users?role=agent'),
  team: (includeInactive: boolean) => api<{ items: User[] }>('GET', `/api/users${includeInactive ? '?includeInactive=true' : ''}`),
  createUser: (input: { name: string; email: string; password: string; role: Exclude<Role, 'customer'> }) =>
    api<{ user: User }>('POST', '/api/users', { body: input }),
  patchUser: (userId: number, patch: { name?: string; role?: Exclude<Role, 'customer'>; active?: boolean }) =>
    api<{ user: User }>('PATCH', `/api/users/${id(userId)}`, { body: patch }),

  teams: () => api<{ items: Team[] }>('GET', '/api/teams'),
  createTeam: (input: { name: string; description?: string; memberIds?: number[] }) => api<{ team: Team }>('POST', '/api/teams', { body: input }),
  patchTeam: (teamId: number, patch: { name?: string; description?: string; memberIds?: number[] }) =>
    api<{ team: Team }>('PATCH', `/api/teams/${id(teamId)}`, { body: patch }),
  deleteTeam: (teamId: number) => api<{ conversations: number }>('DELETE', `/api/teams/${id(teamId)}`),

  // Saved views and participants (issue 16). A view's filter is the list's query as the URL spells it.
  views: () => api<{ items: SavedView[] }>('GET', '/api/views'),
  createView: (input: { name: string; filter: Record<string, string>; teamId?: number | null }) =>
    api<{ view: SavedView }>('POST', '/api/views', { body: input }),
  patchView: (viewId: number, patch: { name?: string; filter?: Record<string, string>; teamId?: number | null }) =>
    api<{ view: SavedView }>('PATCH', `/api/views/${id(viewId)}`, { body: patch }),
  deleteView: (viewId: number) => api<void>('DELETE', `/api/views/${id(viewId)}`),
  participants: (conversationId: number) => api<{ items: Participant[] }>('GET', `/api/conversations/${id(conversationId)}/participants`),
  follow: (conversationId: number, follow: boolean) =>
    api<{ following: boolean }>(follow ? 'POST' : 'DELETE', `/api/conversations/${id(conversationId)}/follow`),

  // Assignment rules and team channels (issue 16): the team reads the rules, admins set them;
  // `none` is the rule for conversations without a team. A channel another team had moves here.
  assignmentRules: () => api<{ items: AssignmentRule[] }>('GET', '/api/assignment-rules'),
  setAssignmentRule: (team: number | 'none', rule: AssignmentRuleInput) =>
    api<{ rule: AssignmentRule }>('PUT', `/api/assignment-rules/${id(team)}`, { body: rule }),
  setTeamChannels: (teamId: number, channels: Channel[]) => api<{ team: Team }>('PATCH', `/api/teams/${id(teamId)}`, { body: { channels } }),
};

// Canned replies (issue 17): the picker's search, a reply filled for a conversation, and
// managing them (one's own; shared ones, admins).
import type { CannedReply } from './types';

export const cannedReplyEndpoints = {
  search: (q: string) => api<{ items: CannedReply[] }>('GET', `/api/canned-replies?q=${encodeURIComponent(q)}`),
  render: (replyId: number, conversationId: number) =>
    api<{ body: string; missing: string[] }>('GET', `/api/canned-replies/${id(replyId)}/render?conversation=${id(conversationId)}`),
  create: (input: { name: string; shortcut: string; body: string; shared?: boolean; teamId?: number | null }) =>
    api<{ reply: CannedReply }>('POST', '/api/canned-replies', { body: input }),
  patch: (replyId: number, patch: { name?: string; shortcut?: string; body?: string; teamId?: number | null }) =>
    api<{ reply: CannedReply }>('PATCH', `/api/canned-replies/${id(replyId)}`, { body: patch }),
  remove: (replyId: number) => api<void>('DELETE', `/api/canned-replies/${id(replyId)}`),
  addFiles: (replyId: number, files: File[]) => {
    const form = new FormData();
    for (const file of files) form.append('files', file, file.name);
    return api<{ reply: CannedReply }>('POST', `/api/canned-replies/${id(replyId)}/files`, { body: form });
  },
  removeFile: (replyId: number, fileId: number) => api<void>('DELETE', `/api/canned-replies/${id(replyId)}/files/${id(fileId)}`),
};

// Macros (issue 17): the header's picker runs one on a conversation; the team page manages
// them (one's own; shared ones, admins). Each conversation answers ok or its error.
import type { Macro, MacroAction } from './types';

export type MacroResult = { conversationId: number } & (
  | { ok: true; conversation: Conversation }
  | { ok: false; error: { code: string; message: string; field?: string } }
);

export const macroEndpoints = {
  list: () => api<{ items: Macro[] }>('GET', '/api/macros'),
  create: (input: { name: string; actions: MacroAction[]; shared?: boolean }) => api<{ macro: Macro }>('POST', '/api/macros', { body: input }),
  patch: (macroId: number, patch: { name?: string; actions?: MacroAction[] }) => api<{ macro: Macro }>('PATCH', `/api/macros/${id(macroId)}`, { body: patch }),
  remove: (macroId: number) => api<void>('DELETE', `/api/macros/${id(macroId)}`),
  apply: (macroId: number, conversationIds: number[]) =>
    api<{ results: MacroResult[] }>('POST', `/api/macros/${id(macroId)}/apply`, { body: { conversationIds } }),
};

// Bulk actions (issue 17): one action on many conversations, run by the server as a job
// whose progress the list's bar polls.
export type BulkAction = { actions: MacroAction[] } | { macroId: number } | { delete: true } | { spam: { block: 'address' | 'domain' | null } };
export type BulkFailure = { id: number; number?: number; code: string; error: string };
export type BulkJob = {
  id: number;
  status: 'running' | 'done' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  failures: BulkFailure[];
};

/** The list's query as GET /api/conversations takes it, without paging: "all matching this view". */
export function bulkFilter(params: ListParams): Record<string, string> {
  const { cursor: _cursor, limit: _limit, ...rest } = params;
  return Object.fromEntries(new URLSearchParams(listQueryString(rest).replace(/^\?/, '')));
}

export const bulkEndpoints = {
  start: (targets: { ids: number[] } | { filter: Record<string, string> }, action: BulkAction) =>
    api<{ job: BulkJob }>('POST', '/api/conversations/bulk', { body: { ...targets, action } }),
  job: (jobId: number, signal?: AbortSignal) => api<{ job: BulkJob }>('GET', `/api/jobs/${id(jobId)}`, { signal }),
  cancel: (jobId: number) => api<{ job: BulkJob }>('POST', `/api/jobs/${id(jobId)}/cancel`),
};

// Notifications (issue 18): the bell's list, newest first in keyset pages, and marking
// them read: some by id, a conversation's, or all. Each answer carries the unread count.
import type { Notification } from './types';

export type NotificationPage = { items: Notification[]; nextCursor: string | null; unreadCount: number };
export type NotificationsRead = { ids: number[] } | { conversationId: number } | { all: true };

export const notificationEndpoints = {
  list: (params: { cursor?: string; unread?: boolean; limit?: number } = {}, signal?: AbortSignal) => {
    const search = new URLSearchParams();
    if (params.cursor) search.set('cursor', params.cursor);
    if (params.unread) search.set('unread', '1');
    if (params.limit) search.set('limit', String(params.limit));
    const text = search.toString();
    return api<NotificationPage>('GET', `/api/notifications${text ? `?${text}` : ''}`, { signal });
  },
  markRead: (which: NotificationsRead) => api<{ unreadCount: number }>('POST', '/api/notifications/read', { body: which }),
};

// Reports (issue 19): the admins' dashboard (web/src/reports). Every route takes the same
// query (period, zone, business-hours switch, filters); `format=csv` downloads the same rows.
import type { BreakdownJson, DrilldownJson, LivePanelJson, ReportSummaryJson, TimeseriesJson } from '../../../src/present/report-schemas.js';

export type { BreakdownJson, DrilldownJson, LivePanelJson, ReportSummaryJson, TimeseriesJson };
/** The report routes under /api/reports that answer a query (and its CSV). */
export type ReportPath = 'summary' | 'timeseries' | 'agents' | 'teams' | 'channels' | 'conversations';

/** A report as a CSV download: the same query, `format=csv` (the server names the file). */
export const reportCsvUrl = (path: ReportPath, query: string) => `/api/reports/${path}?${query ? `${query}&` : ''}format=csv`;

export const reportEndpoints = {
  summary: (query: string, signal?: AbortSignal) => api<ReportSummaryJson>('GET', `/api/reports/summary?${query}`, { signal }),
  timeseries: (query: string, signal?: AbortSignal) => api<TimeseriesJson>('GET', `/api/reports/timeseries?${query}`, { signal }),
  breakdown: (by: 'agents' | 'teams' | 'channels', query: string, signal?: AbortSignal) => api<BreakdownJson>('GET', `/api/reports/${by}?${query}`, { signal }),
  conversations: (query: string, signal?: AbortSignal) => api<DrilldownJson>('GET', `/api/reports/conversations?${query}`, { signal }),
  live: (signal?: AbortSignal) => api<LivePanelJson>('GET', '/api/reports/live', { signal }),
};
