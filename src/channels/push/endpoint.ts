import { isIP } from 'node:net';

// The server POSTs to whatever endpoint a browser hands it, so an endpoint is a request the
// server makes on a user's behalf (SSRF). Browsers' push services are public https hosts
// (fcm.googleapis.com, updates.push.services.mozilla.com, web.push.apple.com, …): so only
// https, and never a bare IP address or a local name — unless PUSH_ALLOW_HTTP is set (tests,
// a local push service), which allows plain http and local hosts. Checked when a subscription
// is stored and again before each send (the flag may have been switched off since). A public
// name whose DNS points inward is not caught here; what such a request learns is one status
// code in the user's own delivery record.

export const MAX_ENDPOINT_LENGTH = 2048;

const LOCAL_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

export function isAllowedEndpoint(endpoint: string, allowHttp: boolean): boolean {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (allowHttp) return url.protocol === 'https:' || url.protocol === 'http:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'https:' && isIP(host) === 0 && !LOCAL_NAME.test(host) && host.includes('.');
}

/** What a delivery record names as its target: the push service, never the browser's own path (a capability). */
export function pushServiceHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'invalid endpoint';
  }
}
