import { ApiError, api, setCsrfToken } from '../../src/api/client';
import type { Conversation, Me, Message, SignedIn } from '../../src/api/types';

// The admin app's JSON client (CSRF header on writes, the API's error shape as ApiError),
// plus what the portal alone sends: forms with files.

export { ApiError, api };

let csrfToken: string | null = null;

export function rememberCsrf(token: string | null): void {
  csrfToken = token;
  setCsrfToken(token);
}

/** POSTs a multipart form (fields and files) and answers like `api`. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}) },
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
  }
  const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; field?: string } } | null;
  if (!response.ok) {
    const error = payload?.error;
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `The server answered ${response.status}`, error?.field);
  }
  return payload as T;
}

export const portalApi = {
  me: () => api<Me>('GET', '/api/auth/me', { quiet401: true }),
  login: (email: string, password: string) => api<SignedIn>('POST', '/api/auth/login', { body: { email, password }, quiet401: true }),
  register: (name: string, email: string, password: string) => api<null>('POST', '/api/auth/register', { body: { name, email, password } }),
  logout: () => api<void>('POST', '/api/auth/logout'),
  requestReset: (email: string) => api<null>('POST', '/api/auth/password-reset', { body: { email } }),
  confirmReset: (token: string, password: string) => api<SignedIn>('POST', '/api/auth/password-reset/confirm', { body: { token, password } }),
  verify: (token: string, password: string) => api<SignedIn>('POST', '/api/auth/verify-email', { body: { token, password } }),
  resendVerification: () => api<null>('POST', '/api/auth/verify-email/resend'),
  conversations: () => api<{ items: Conversation[] }>('GET', '/api/conversations?limit=100'),
  conversation: (ref: string) => api<{ conversation: Conversation }>('GET', `/api/conversations/${encodeURIComponent(ref)}`),
  messages: (id: number, cursor: string | null) =>
    api<{ items: Message[]; nextCursor: string | null }>(
      'GET',
      `/api/conversations/${id}/messages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  markRead: (id: number) => api<unknown>('POST', `/api/conversations/${id}/read`),
  resolve: (id: number) => api<{ conversation: Conversation }>('PATCH', `/api/conversations/${id}`, { body: { status: 'resolved' } }),
  contact: (body: { name: string; email: string; subject: string; message: string; website: string }) =>
    api<{ number: string }>('POST', '/api/contact', { body }),
};

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
