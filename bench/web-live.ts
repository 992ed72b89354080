import type { Browser, Page } from 'playwright-core';
import { type Latency, summarize } from './measure.js';
import { signedInContext } from './web-browser.js';

// How long a customer's message takes from the POST to the agents' open inbox lists in
// real Chromium: the server's write and fan-out, the socket, the app's cache update, the
// re-render and the paint. Both clocks are the same machine's Date.now(), so page and
// bench times compare directly, with no offset to estimate.
//
// The messages take turns: a customer opens a new conversation (a new row at the top),
// then writes again in one opened earlier in the run (its row moves up, its snippet
// changes). Only conversations the customer opened: a customer who has not verified
// their address sees nothing else of theirs.

export type LiveFigures = {
  agents: number;
  messages: number;
  /** (message, page) pairs timed; `missed` did not show within the wait. */
  deliveries: number;
  missed: number;
  /** POST to the row's new snippet painted in the list, over both agents' pages. */
  latency: Latency;
  /** POST to the snippet in the DOM (before the paint). */
  inDom: Latency;
};

type Seen = { inDom: number; painted: number } | null;

declare global {
  interface Window {
    __benchLive?: Promise<Seen>;
  }
}

const WAIT_MS = 5_000;

/** Starts watching the list for a snippet containing `marker`; resolves (in the page) with Date.now() times. */
function watchFor({ marker, waitMs }: { marker: string; waitMs: number }): void {
  window.__benchLive = new Promise<Seen>((resolve) => {
    const timer = setTimeout(() => (observer.disconnect(), resolve(null)), waitMs);
    const observer = new MutationObserver(() => {
      const shown = [...document.querySelectorAll('.row-snippet')].some((snippet) => snippet.textContent?.includes(marker));
      if (!shown) return;
      const inDom = Date.now();
      observer.disconnect();
      clearTimeout(timer);
      // The frame with the change is painted after its animation-frame callbacks.
      requestAnimationFrame(() => setTimeout(() => resolve({ inDom, painted: Date.now() }), 0));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

async function openInbox(browser: Browser, url: string, session: string): Promise<Page> {
  const context = await signedInContext(browser, new URL(url).origin, session);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('.row').first().waitFor({ timeout: 30_000 });
  // Connected to the live stream: before this, news arrives only by refetching.
  await page.locator('.live-dot.live-live').waitFor({ timeout: 30_000 });
  return page;
}

export async function measureLive(
  browser: Browser,
  options: { inboxUrl: string; sessions: string[]; customerTokens: string[]; messages: number; warmup: number },
  log: (line: string) => void,
): Promise<LiveFigures> {
  const pages = await Promise.all(options.sessions.map((session) => openInbox(browser, options.inboxUrl, session)));
  try {
    const painted: number[] = [];
    const inDom: number[] = [];
    let missed = 0;
    const runId = Math.random().toString(36).slice(2, 8);
    const origin = new URL(options.inboxUrl).origin;
    const opened: { id: number; token: string }[] = [];
    const total = options.warmup + options.messages;
    for (let i = 0; i < total; i++) {
      // The marker leads the body, so the one-line snippet in the list shows it.
      const marker = `bench-live-${runId}-${i}`;
      const token = options.customerTokens[i % options.customerTokens.length]!;
      const earlier = i % 2 === 1 ? opened[Math.floor(Math.random() * opened.length)] : undefined;
      await Promise.all(pages.map((page) => page.evaluate(watchFor, { marker, waitMs: WAIT_MS })));
      const at = Date.now();
      const response = await fetch(earlier ? `${origin}/api/conversations/${earlier.id}/messages` : `${origin}/api/conversations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${earlier?.token ?? token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...(earlier ? {} : { subject: `Order ${i} has not arrived` }),
          body: `${marker} is this sorted yet? I am still waiting for an answer.`,
        }),
      });
      if (response.status >= 300) throw new Error(`POST ${new URL(response.url).pathname} answered ${response.status}: ${await response.text()}`);
      const answer = (await response.json()) as { conversation?: { id: number } };
      if (!earlier) opened.push({ id: answer.conversation!.id, token });
      const seen = await Promise.all(pages.map((page) => page.evaluate(() => window.__benchLive!)));
      if (i < options.warmup) continue;
      for (const s of seen) {
        if (!s) missed++;
        else painted.push(s.painted - at), inDom.push(s.inDom - at);
      }
      const done = i - options.warmup + 1;
      if (done % 25 === 0) log(`  ${done} of ${options.messages} live messages`);
    }
    return {
      agents: pages.length,
      messages: options.messages,
      deliveries: painted.length,
      missed,
      latency: summarize(painted),
      inDom: summarize(inDom),
    };
  } finally {
    await Promise.all(pages.map((page) => page.context().close()));
  }
}
