// A thin fetch wrapper: JSON (or a form with files) in, JSON out, the session's CSRF
// token on every write, and the API's one error shape `{ error: { code, message, field? } }` turned into ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session ended (expired, signed out elsewhere). */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type RequestOptions = { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; quiet401?: boolean };

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  // A form (files) is sent as the browser encodes it, with its own multipart boundary.
  const form = options.body instanceof FormData;
  if (options.body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : form ? (options.body as FormData) : JSON.stringify(options.body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: a proxy's error page; handled below
  }
  if (!response.ok) {
    const error = (payload as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
    if (response.status === 401 && !options.quiet401) onUnauthorized?.();
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'http_' + response.status,
      typeof error?.message === 'string' ? error.message : `The server answered ${response.status}`,
      typeof error?.field === 'string' ? error.field : undefined,
    );
  }
  return payload as T;
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
