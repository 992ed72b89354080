import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { accountsContext, createApiToken, createUser } from '../src/accounts/index.js';
import { DEFAULT_CHAT_SETTINGS } from '../src/channels/chat/index.js';
import { composeApp } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { openSqlite } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { type Latency, summarize } from './measure.js';
import { meets, ms } from './report.js';
import { chromiumPath, launchChromium } from './web-browser.js';
import { type ChatFigures, measureChat } from './widget-chat.js';

// npm run bench:widget — issue 7's figures: the widget's gzipped size, the time from its
// script arriving to the launcher on screen (against a trivial script that draws one
// button, on the same page and server), and the chat round trip with many visitors
// connected (chat figures: widget-chat.ts). SQLite in a temporary directory; a measurement,
// never a pass/fail.

const { values: args } = parseArgs({
  options: {
    visitors: { type: 'string', default: '500' },
    messages: { type: 'string', default: '200' },
    loads: { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET_GZIP = 30 * 1024;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function buildWidget(): Promise<string> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'onethread-widget-bench-'));
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'widget/vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return path.join(outDir, 'widget.js');
}

/** A host site on its own origin: `/widget` embeds the widget, `/baseline` a script that draws one button. */
async function hostSite(server: string) {
  const baseline = `(() => { const b = document.createElement('button'); b.id = 'baseline'; b.textContent = 'Chat'; document.body.append(b); })();`;
  const site = createServer((request, response) => {
    if (request.url === '/baseline.js') return response.writeHead(200, { 'content-type': 'application/javascript' }).end(baseline);
    const src = request.url === '/baseline' ? '/baseline.js' : `${server}/widget.js`;
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1><script src="${src}" data-onethread async></script></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`, close: () => new Promise((resolve) => site.close(resolve)) };
}

/** Milliseconds from the script's response end to its button being laid out, per fresh page. */
async function loadToVisible(browserPath: string, pageUrl: string, scriptMatch: string, probe: string, loads: number): Promise<Latency> {
  const browser = await launchChromium(browserPath);
  const times: number[] = [];
  try {
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      // The page notes when the button is first there, polling every 2 ms: asking from
      // here would add the round trip to Chromium to every sample.
      await context.addInitScript({
        content: `(() => { const t = setInterval(() => { if (${probe}) { window.__shownAt = performance.now(); clearInterval(t); } }, 2); })();`,
      });
      const page = await context.newPage();
      await page.goto(pageUrl);
      await page.waitForFunction('window.__shownAt !== undefined', undefined, { timeout: 10_000 });
      const at = await page.evaluate('window.__shownAt');
      const loaded = await page.evaluate(
        (match) => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => e.name.includes(match))?.responseEnd ?? NaN,
        scriptMatch,
      );
      times.push(Number(at) - loaded);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return summarize(times);
}

async function main() {
  const browserPath = chromiumPath();
  if (!browserPath) {
    console.error('bench:widget needs Chromium: apt-get install -y chromium, or set CHROMIUM_PATH');
    process.exit(1);
  }
  log('building the widget…');
  const bundle = await buildWidget();
  const bytes = readFileSync(bundle);
  const size = { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };

  const dataDir = mkdtempSync(path.join(tmpdir(), 'onethread-widget-bench-db-'));
  const store = openSqlite(path.join(dataDir, 'onethread.db'));
  await migrateToLatest(store);
  const accounts = accountsContext(store);
  // The bot is off: the round trip is the channel's path, not the bot's thinking.
  const chat = {
    ...DEFAULT_CHAT_SETTINGS,
    bot: { ...DEFAULT_CHAT_SETTINGS.bot, enabled: false },
    limits: { sessionsPerIp: 1_000_000, messagesPerMinute: 1_000_000, socketsPerVisitor: 5, socketsPerIp: 1_000_000 },
  };
  const config = { ...loadConfig({ DATA_DIR: dataDir, PORT: '0' }, ''), chat };
  const composed = await composeApp(config, {
    store,
    logger: false,
    host: '127.0.0.1',
    secureCookies: false,
    attachmentsDir: null,
    webApp: false,
    worker: { run: false },
    widgetBundle: bundle,
  });
  const app = composed.server;
  const server = await composed.start();
  const host = await hostSite(server);
  let launch: { widget: Latency; baseline: Latency };
  let chatFigures: ChatFigures;
  try {
    const loads = Number(args.loads);
    log(`script load to launcher visible, ${loads} fresh pages each…`);
    const launcher = `!!document.querySelector('onethread-widget')?.shadowRoot?.querySelector('button')?.getBoundingClientRect().width`;
    launch = {
      baseline: await loadToVisible(
        browserPath,
        `${host.url}/baseline`,
        '/baseline.js',
        `!!document.getElementById('baseline')?.getBoundingClientRect().width`,
        loads,
      ),
      widget: await loadToVisible(browserPath, `${host.url}/widget`, '/widget.js', launcher, loads),
    };
    const agent = await createUser(accounts, { name: 'Bench Agent', email: 'bench-agent@example.test', role: 'agent', password: 'bench password 1' });
    const { token } = await createApiToken(accounts, agent.id, 'bench');
    log(`chat round trip: ${args.visitors} visitor sockets, ${args.messages} messages…`);
    chatFigures = await measureChat(server, token, { visitors: Number(args.visitors), messages: Number(args.messages), origin: host.url });
  } finally {
    await host.close();
    await app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(path.dirname(bundle), { recursive: true, force: true });
  }

  const print = (line: string) => process.stdout.write(`${line}\n`);
  print('chat widget (issue 7)');
  print(
    `bundle              ${(size.gzipBytes / 1024).toFixed(1)} KB gzipped (${(size.bytes / 1024).toFixed(1)} KB raw)   ${meets(size.gzipBytes <= TARGET_GZIP)} (≤ 30 KB)`,
  );
  print('');
  print('script loaded → shown (ms)      p50      p95      p99');
  print(`trivial button (baseline) ${ms(launch.baseline.p50)} ${ms(launch.baseline.p95)} ${ms(launch.baseline.p99)}`);
  print(
    `widget launcher           ${ms(launch.widget.p50)} ${ms(launch.widget.p95)} ${ms(launch.widget.p99)}   p50 ratio ${(launch.widget.p50 / launch.baseline.p50).toFixed(1)}×`,
  );
  print('');
  print(
    `chat round trip with ${chatFigures.visitors} visitor sockets (connected in ${chatFigures.connectSeconds.toFixed(1)} s), ${chatFigures.messages} messages, ${chatFigures.missed} missed (ms)`,
  );
  print('                              p50      p95      p99');
  print(`agent reply → agent socket ${ms(chatFigures.baseline.p50)} ${ms(chatFigures.baseline.p95)} ${ms(chatFigures.baseline.p99)}   (baseline)`);
  print(
    `visitor send → agent socket${ms(chatFigures.visitor.p50)} ${ms(chatFigures.visitor.p95)} ${ms(chatFigures.visitor.p99)}   p50 ratio ${chatFigures.ratio.toFixed(2)}×`,
  );
  if (args.json) print(JSON.stringify({ bundle: size, launch, chat: chatFigures }));
}

await main();
