// Which websites may embed the widget (WIDGET_ALLOWED_ORIGINS). A browser names the
// page's origin in the Origin header of the widget's API calls and its WebSocket; an
// origin not on the list gets no CORS grant and no socket. Unset means any origin,
// which the server says at start: fine for trying it out, not for production.

export type OriginPolicy = { allowed: ReadonlySet<string> | 'any' };

/** "https://shop.example.com, https://example.com/" → a policy; throws on anything that is not an origin. */
export function parseAllowedOrigins(value: string | undefined): OriginPolicy {
  if (value === undefined || value.trim() === '') return { allowed: 'any' };
  const origins = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map(normalizeOrigin);
  return { allowed: new Set(origins) };
}

export function normalizeOrigin(entry: string): string {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new Error(`"${entry}" is not an origin like https://example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`"${entry}" must be an http(s) origin`);
  if (url.pathname !== '/' || url.search || url.hash || url.username)
    throw new Error(`"${entry}" must be only scheme, host and port, like https://example.com`);
  return url.origin;
}

export function originAllowed(policy: OriginPolicy, origin: string | undefined): boolean {
  if (policy.allowed === 'any') return true;
  if (!origin) return false;
  try {
    return policy.allowed.has(new URL(origin).origin);
  } catch {
    return false;
  }
}
