import type { Browser } from 'playwright-core';
import { type Latency, summarize } from './measure.js';
import { signedInContext } from './web-browser.js';

// First paint of the inbox in real Chromium, each sample in a fresh context (nothing
// cached: the first visit of the day), against a trivial page from the same server
// measured in the same rounds, so a slower machine moves both.

export type PaintFigures = {
  samples: number;
  /** First contentful paint of the trivial page: the floor of the server and the browser. */
  baselineFcp: Latency;
  /** First contentful paint of the inbox for a signed-in agent. */
  inboxFcp: Latency;
  /** Until the first conversation row has been painted. */
  firstRow: Latency;
  /** What the first row waits for, each until its response ended: where its time goes. */
  waterfall: { script: Latency; session: Latency; apiRequests: Latency; lastApi: Latency };
  /** The inbox's figures over the trivial page's FCP, at p50 and at p95. */
  vsBaseline: { fcpP50: number; fcpP95: number; firstRowP50: number; firstRowP95: number };
};

declare global {
  interface Window {
    __bench?: { fcp: Promise<number>; firstRow: Promise<number> };
  }
}

/**
 * Runs in the page before its own scripts (Playwright injects it past the app's CSP).
 * Times are performance.now(): milliseconds since the navigation started, as the paint
 * entries are.
 */
function recordPaints(): void {
  // A frame is painted after its requestAnimationFrame callbacks; a task queued from one
  // runs once that frame is out.
  const afterPaint = (done: () => void) => requestAnimationFrame(() => setTimeout(done, 0));
  window.__bench = {
    fcp: new Promise((resolve) => {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (entry.name === 'first-contentful-paint') resolve(entry.startTime);
      }).observe({ type: 'paint', buffered: true });
    }),
    firstRow: new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('.row')) return;
        observer.disconnect();
        afterPaint(() => resolve(performance.now()));
      });
      observer.observe(document, { childList: true, subtree: true });
    }),
  };
}

const within = <T>(ms: number, what: string, promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000} s`)), ms).unref())]);

type Waterfall = { script: number; session: number; apiRequests: number; lastApi: number };

/**
 * In the page: when the app's script and GET /api/auth/me had arrived, how many API
 * requests were answered before the row (the list and the sidebar's counts), and when the
 * last of them was: after it, the row waits on the app alone.
 */
function waterfall(firstRow: number): Waterfall {
  const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
  const end = (test: (path: string) => boolean) => entries.find((e) => test(new URL(e.name).pathname))?.responseEnd ?? Number.NaN;
  const api = entries.filter((e) => new URL(e.name).pathname.startsWith('/api/') && e.responseEnd <= firstRow).map((e) => e.responseEnd);
  return {
    script: end((p) => p.endsWith('.js')),
    session: end((p) => p === '/api/auth/me'),
    apiRequests: api.length,
    lastApi: api.length > 0 ? Math.max(...api) : Number.NaN,
  };
}

async function sample(
  browser: Browser,
  url: string,
  session: string,
  waitForRow: boolean,
): Promise<{ fcp: number; firstRow: number | null; waterfall: Waterfall | null }> {
  const context = await signedInContext(browser, new URL(url).origin, session);
  try {
    await context.addInitScript(recordPaints);
    const page = await context.newPage();
    await page.goto(url);
    const fcp = await within(
      30_000,
      `first contentful paint of ${url}`,
      page.evaluate(() => window.__bench!.fcp),
    );
    if (!waitForRow) return { fcp, firstRow: null, waterfall: null };
    const firstRow = await within(
      30_000,
      `first conversation row of ${url}`,
      page.evaluate(() => window.__bench!.firstRow),
    );
    return { fcp, firstRow, waterfall: await page.evaluate(waterfall, firstRow) };
  } finally {
    await context.close();
  }
}

export async function measurePaint(
  browser: Browser,
  urls: { inbox: string; baseline: string },
  session: string,
  options: { samples: number; warmup: number },
  log: (line: string) => void,
): Promise<PaintFigures> {
  const baselineFcp: number[] = [];
  const inboxFcp: number[] = [];
  const firstRow: number[] = [];
  const steps: Waterfall[] = [];
  for (let i = 0; i < options.warmup + options.samples; i++) {
    // Alternating, in a different order each round, so neither page always goes first.
    let base, inbox;
    if (i % 2 === 0) {
      base = await sample(browser, urls.baseline, session, false);
      inbox = await sample(browser, urls.inbox, session, true);
    } else {
      inbox = await sample(browser, urls.inbox, session, true);
      base = await sample(browser, urls.baseline, session, false);
    }
    if (i < options.warmup) continue;
    baselineFcp.push(base.fcp);
    inboxFcp.push(inbox.fcp);
    firstRow.push(inbox.firstRow!);
    steps.push(inbox.waterfall!);
    if ((i - options.warmup + 1) % 10 === 0) log(`  ${i - options.warmup + 1} of ${options.samples} paint samples`);
  }
  const base = summarize(baselineFcp);
  const inbox = summarize(inboxFcp);
  const row = summarize(firstRow);
  return {
    samples: options.samples,
    baselineFcp: base,
    inboxFcp: inbox,
    firstRow: row,
    waterfall: {
      script: summarize(steps.map((s) => s.script)),
      session: summarize(steps.map((s) => s.session)),
      apiRequests: summarize(steps.map((s) => s.apiRequests)),
      lastApi: summarize(steps.map((s) => s.lastApi)),
    },
    vsBaseline: { fcpP50: inbox.p50 / base.p50, fcpP95: inbox.p95 / base.p95, firstRowP50: row.p50 / base.p50, firstRowP95: row.p95 / base.p95 },
  };
}
