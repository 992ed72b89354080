import { api } from './client';
import type {
  Channel,
  Conversation,
  ConversationEvent,
  ConversationPage,
  Label,
  Me,
  Message,
  Priority,
  Role,
  SearchHit,
  SignedIn,
  Status,
  User,
} from './types';

// One function per route the app uses, typed with the server's shapes.

export type ListParams = {
  status?: Status[];
  channel?: Channel;
  assignee?: 'me' | 'unassigned' | number;
  priority?: Priority;
  label?: Label;
  tag?: string;
  q?: string;
  cursor?: string;
  limit?: number;
};

export function listQueryString(params: ListParams): string {
  const search = new URLSearchParams();
  if (params.status?.length) search.set('status', params.status.join(','));
  if (params.channel) search.set('channel', params.channel);
  if (params.assignee !== undefined) search.set('assignee', String(params.assignee));
  if (params.priority) search.set('priority', params.priority);
  if (params.label) search.set('label', params.label);
  if (params.tag) search.set('tag', params.tag);
  if (params.q) search.set('q', params.q);
  if (params.cursor) search.set('cursor', params.cursor);
  if (params.limit) search.set('limit', String(params.limit));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export type ConversationPatch = {
  status?: Status;
  priority?: Priority;
  assignedTo?: number | null;
  labels?: Label[];
  tags?: string[];
};

const id = (value: number | string) => encodeURIComponent(String(value));

export const endpoints = {
  me: () => api<Me>('GET', '/api/auth/me', { quiet401: true }),
  login: (email: string, password: string) => api<SignedIn>('POST', '/api/auth/login', { body: { email, password }, quiet401: true }),
  logout: () => api<void>('POST', '/api/auth/logout'),

  conversations: (params: ListParams, signal?: AbortSignal) => api<ConversationPage>('GET', `/api/conversations${listQueryString(params)}`, { signal }),
  search: (q: string, limit = 50, signal?: AbortSignal) =>
    api<{ items: SearchHit[] }>('GET', `/api/search?${new URLSearchParams({ q, limit: String(limit) })}`, { signal }),
  conversation: (conversationId: number) => api<{ conversation: Conversation }>('GET', `/api/conversations/${id(conversationId)}`),
  messages: (conversationId: number, cursor?: string) =>
    api<{ items: Message[]; nextCursor: string | null }>(
      'GET',
      `/api/conversations/${id(conversationId)}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  events: (conversationId: number) => api<{ items: ConversationEvent[] }>('GET', `/api/conversations/${id(conversationId)}/events?limit=100`),
  patchConversation: (conversationId: number, patch: ConversationPatch) =>
    api<{ conversation: Conversation }>('PATCH', `/api/conversations/${id(conversationId)}`, { body: patch }),
  markRead: (conversationId: number) => api<{ readAt: string }>('POST', `/api/conversations/${id(conversationId)}/read`),
  deleteConversation: (conversationId: number) => api<void>('DELETE', `/api/conversations/${id(conversationId)}`),
  sendMessage: (conversationId: number, body: string, isInternal: boolean, idempotencyKey: string) =>
    api<{ message: Message }>('POST', `/api/conversations/${id(conversationId)}/messages`, {
      body: { body, isInternal },
      headers: { 'idempotency-key': idempotencyKey },
    }),

  /** Everyone a conversation can be assigned to: agents and admins. */
  agents: () => api<{ items: User[] }>('GET', '/api/users?role=agent'),
  team: (includeInactive: boolean) => api<{ items: User[] }>('GET', `/api/users${includeInactive ? '?includeInactive=true' : ''}`),
  createUser: (input: { name: string; email: string; password: string; role: Exclude<Role, 'customer'> }) =>
    api<{ user: User }>('POST', '/api/users', { body: input }),
  patchUser: (userId: number, patch: { name?: string; role?: Exclude<Role, 'customer'>; active?: boolean }) =>
    api<{ user: User }>('PATCH', `/api/users/${id(userId)}`, { body: patch }),
};

/** Every message of a conversation, oldest first: threads are read whole. */
export async function allMessages(conversationId: number): Promise<Message[]> {
  const items: Message[] = [];
  let cursor: string | undefined;
  // A bound, so a server bug cannot loop the tab forever; 50 pages is 5,000 messages.
  for (let page = 0; page < 50; page++) {
    const result = await endpoints.messages(conversationId, cursor);
    items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  return items;
}
