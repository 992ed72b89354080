import type { Details, Escalated, Identity, Sent, Session, Survey, WidgetConfig } from './types';

/** The server's refusal, whose message is written for the visitor to read. */
class WidgetApiError extends Error {}

const CONFIG_PATH = '/api/widget/config';

type SessionRequest = Details & { visitorToken?: string; identity?: Identity };

/** The widget's HTTP calls to its server; the visitor token travels in a header. */
export function createWidgetApi(origin: string, visitorToken: () => string | null) {
  async function request<T>(method: string, path: string, body?: object | FormData, extraHeaders?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders };
    const token = visitorToken();
    // Only the visitor's own calls carry it: a config GET without custom headers is a
    // simple request, which needs no CORS preflight.
    if (token && path !== CONFIG_PATH) headers['x-visitor-token'] = token;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    // No cookies: the header is the visitor's only credential, so the host site's page
    // cannot ride on an ambient one and the server needs no credentialed CORS.
    const response = await fetch(origin + path, { method, headers, body: payload, credentials: 'omit' });
    if (response.status === 204) return undefined as T;
    const json = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (!response.ok) throw new WidgetApiError(json?.error?.message ?? `The chat server answered ${response.status}.`);
    return json as T;
  }

  return {
    config: () => request<WidgetConfig>('GET', CONFIG_PATH),
    session: (body: SessionRequest) => request<Session>('POST', '/api/widget/session', body),
    /** `requestId` makes a retry of a send whose answer was lost land once. */
    send(body: string, files: File[], requestId: string): Promise<Sent> {
      const headers = { 'idempotency-key': requestId };
      if (files.length === 0) return request('POST', '/api/widget/messages', { body }, headers);
      const form = new FormData();
      form.append('body', body);
      for (const file of files) form.append('files', file, file.name);
      return request('POST', '/api/widget/messages', form, headers);
    },
    escalate: () => request<Escalated>('POST', '/api/widget/escalate'),
    typing: (typing: boolean) => request<void>('POST', '/api/widget/typing', { typing }),
    /** The team's and the bot's messages up to `upTo` were on the visitor's screen. */
    read: (upTo: number) => request<void>('POST', '/api/widget/read', { upTo }),
    /** The current chat's satisfaction survey, if it was asked (issue 19). */
    survey: () => request<{ survey: Survey | null }>('GET', '/api/widget/csat'),
    rate: (rating: number, comment: string) => request<{ survey: Survey }>('POST', '/api/widget/csat', { rating, comment: comment || null }),
  };
}

/** A failure in words a visitor can read. */
export function describeFailure(error: unknown): string {
  if (error instanceof WidgetApiError) return error.message;
  return 'The chat server cannot be reached. Check your connection and try again.';
}
