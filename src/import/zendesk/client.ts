// Zendesk's REST API, politely (issue 20): Basic auth with an API token, a 429 answered by
// waiting its Retry-After, 5xx and network failures retried with exponential backoff, and
// the incremental export endpoints kept within their own limit (Zendesk allows 10 requests
// a minute there) by spacing those requests evenly. Any server answering the same paths
// will do (`--url`), which is how the tests run it against a stand-in.

export type ZendeskClientOptions = {
  /** `https://acme.zendesk.com`, or any compatible server. */
  url: string;
  email?: string;
  token?: string;
  /** Requests a minute to the incremental endpoints (default 10, Zendesk's limit). */
  incrementalPerMinute?: number;
  /** Tries of a request failing with 5xx or on the network (default 5). */
  tries?: number;
  /** The first retry's wait; each next one doubles it (default 1 s). */
  backoffMs?: number;
  /** Told of every wait (429, backoff), for the progress line. */
  onWait?: (ms: number, why: string) => void;
};

export class ZendeskError extends Error {}

const MAX_429_WAITS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ZendeskClient {
  readonly origin: string;
  readonly #auth: string | null;
  readonly #spacingMs: number;
  readonly #tries: number;
  readonly #backoffMs: number;
  #nextIncrementalAt = 0;

  constructor(private readonly options: ZendeskClientOptions) {
    this.origin = new URL(options.url).origin;
    this.#auth = options.email && options.token ? `Basic ${Buffer.from(`${options.email}/token:${options.token}`).toString('base64')}` : null;
    this.#spacingMs = 60_000 / (options.incrementalPerMinute ?? 10);
    this.#tries = options.tries ?? 5;
    this.#backoffMs = options.backoffMs ?? 1000;
  }

  /** A path (`/api/v2/…`) or a URL the API gave (a next page). */
  async json<T>(pathOrUrl: string): Promise<T> {
    const response = await this.#fetch(pathOrUrl, 'application/json');
    return (await response.json()) as T;
  }

  /** A file's bytes (an attachment's `content_url`), with the same retries. */
  async bytes(url: string): Promise<Buffer> {
    const response = await this.#fetch(url, '*/*');
    return Buffer.from(await response.arrayBuffer());
  }

  async #fetch(pathOrUrl: string, accept: string): Promise<Response> {
    const url = new URL(pathOrUrl, this.origin);
    // The token goes only to the account's own host: attachments may live elsewhere.
    const headers: Record<string, string> = { accept };
    if (this.#auth && url.origin === this.origin) headers.authorization = this.#auth;
    let failures = 0;
    let waits429 = 0;
    for (;;) {
      if (url.pathname.includes('/incremental/')) await this.#spaceIncremental();
      let response: Response | null = null;
      let problem: string;
      try {
        response = await fetch(url, { headers, redirect: 'follow' });
        if (response.ok) return response;
        problem = `${response.status} ${response.statusText}`.trim();
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      await response?.body?.cancel();
      if (response?.status === 429 && ++waits429 <= MAX_429_WAITS) {
        const ms = retryAfterMs(response.headers.get('retry-after'));
        this.options.onWait?.(ms, 'rate limited (429)');
        await sleep(ms);
        continue;
      }
      const retryable = response === null || response.status >= 500;
      if (!retryable || ++failures >= this.#tries) throw new ZendeskError(`GET ${url.pathname}: ${problem}${failures > 1 ? ` (after ${failures} tries)` : ''}`);
      const ms = this.#backoffMs * 2 ** (failures - 1);
      this.options.onWait?.(ms, problem);
      await sleep(ms);
    }
  }

  /** Evenly spaced, so a minute never holds more than the limit. */
  async #spaceIncremental(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.#nextIncrementalAt);
    this.#nextIncrementalAt = at + this.#spacingMs;
    if (at > now) await sleep(at - now);
  }
}

/** Retry-After in seconds or as an HTTP date; a minute when it says neither. */
function retryAfterMs(value: string | null): number {
  const seconds = Number(value);
  if (value !== null && value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : 60_000;
}
