import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { SESSION_COOKIE } from '../src/http/auth.js';

// Real Chromium for the web bench, launched as the browser tests launch it
// (test/support/browser.ts): Debian's /usr/bin/chromium, or CHROMIUM_PATH.

/** The Chromium to drive, or null. */
export function chromiumPath(): string | null {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(candidate) ? candidate : null;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/**
 * A fresh context (empty cache, no service worker, nothing compiled) carrying an agent's
 * session cookie, as after a sign-in: the bench measures the inbox, not the login form.
 */
export async function signedInContext(browser: Browser, baseUrl: string, sessionToken: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  // tsx compiles with esbuild's keepNames, which wraps named functions in __name(…): the
  // functions this bench hands to the page carry that call, so the page needs it too.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  await context.addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}
