import type { Latency } from './measure.js';
import { meets, ms } from './report.js';
import type { BundleFigures, EntryFigures } from './web-bundle.js';
import type { LiveFigures } from './web-live.js';
import type { PaintFigures } from './web-paint.js';

// The web bench's report, in the inbox bench's layout. Targets are printed for reference
// only: on a shared machine a miss is something to re-measure, not a failure.

export type WebBenchResult = {
  database: 'sqlite' | 'postgres';
  location: string;
  conversations: number;
  messages: number;
  targets: {
    /** Gzipped JavaScript the admin page loads, in bytes (250 kB). */
    adminGzipBytes: number;
    /** Inbox first contentful paint p95, ms. */
    fcpP95Ms: number;
    /** POST to the snippet painted in another agent's list, p95, ms. */
    liveP95Ms: number;
  };
  bundle: BundleFigures;
  paint: PaintFigures;
  live: LiveFigures;
};

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

export function printWebReport(r: WebBenchResult, print: (line: string) => void): void {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  print('');
  print(`Onethread web bench — ${r.database}, ${n(r.conversations)} conversations / ${n(r.messages)} messages, Chromium`);
  print('');
  const b = r.bundle;
  print(`bundle (gzip -9; kB = 1,000 bytes; target admin JavaScript ≤ ${kB(r.targets.adminGzipBytes)})`);
  const entry = (label: string, e: EntryFigures) =>
    `${label.padEnd(22)}${kB(e.gzipBytes).padStart(10)} gz  ${kB(e.bytes).padStart(10)} raw  ${e.js.length} file${e.js.length === 1 ? '' : 's'}`;
  print(
    `${entry('admin (index.html)', b.admin)}  ${meets(b.admin.gzipBytes <= r.targets.adminGzipBytes).padEnd(4)}${Math.round((b.admin.gzipBytes / r.targets.adminGzipBytes) * 100)} % of the budget; CSS ${kB(b.admin.cssGzipBytes)} gz`,
  );
  for (const other of b.otherEntries) print(`${entry(other.html, other)}  (no target)`);
  if (b.lazy.files > 0) print(`${'loaded on demand'.padEnd(22)}${kB(b.lazy.gzipBytes).padStart(10)} gz  ${b.lazy.files} chunks no page names`);
  print('');
  const p = r.paint;
  print(`first paint, fresh context per sample (ms from navigation; ${p.samples} samples each; target inbox FCP p95 ≤ ${r.targets.fcpP95Ms})`);
  print(`${'page'.padEnd(28)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}  ×base p50  ×base p95  target`);
  const row = (label: string, l: Latency, ratios: string, target: string) =>
    print(`${label.padEnd(28)}${ms(l.p50)}${ms(l.p95)}${ms(l.p99)}  ${ratios}  ${target}`);
  const ratios = (p50: number, p95: number) => `${p50.toFixed(1).padStart(9)}  ${p95.toFixed(1).padStart(9)}`;
  const v = p.vsBaseline;
  row('trivial page FCP (baseline)', p.baselineFcp, ratios(1, 1), '');
  row('inbox FCP', p.inboxFcp, ratios(v.fcpP50, v.fcpP95), meets(p.inboxFcp.p95 <= r.targets.fcpP95Ms));
  row('inbox first row painted', p.firstRow, ratios(v.firstRowP50, v.firstRowP95), '(no target)');
  const w = p.waterfall;
  print(
    `  before the first row (p50): app script in at ${w.script.p50.toFixed(0)}, GET /api/auth/me answered at ${w.session.p50.toFixed(0)}, ${w.apiRequests.p50} API answers, the last at ${w.lastApi.p50.toFixed(0)} ms`,
  );
  print('');
  const l = r.live;
  const missed = l.missed > 0 ? `, ${n(l.missed)} MISSED` : '';
  print(`live: customer POST to the new snippet in the agents' open lists (ms; target p95 ≤ ${r.targets.liveP95Ms})`);
  print(`${'until'.padEnd(28)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}  target`);
  print(
    `${'painted'.padEnd(28)}${ms(l.latency.p50)}${ms(l.latency.p95)}${ms(l.latency.p99)}  ${meets(l.latency.p95 <= r.targets.liveP95Ms).padEnd(4)}${l.agents} agents × ${l.messages} messages = ${n(l.deliveries)} deliveries${missed}`,
  );
  print(`${'in the DOM'.padEnd(28)}${ms(l.inDom.p50)}${ms(l.inDom.p95)}${ms(l.inDom.p99)}`);
}
