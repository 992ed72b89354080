import type { AssignmentFigures } from './assignment-writes.js';
import type { HttpFigures } from './http.js';
import type { LoadFigures } from './load.js';
import type { Latency } from './measure.js';
import type { DeepPage, SearchFigures, ViewFigures } from './views.js';
import type { WriteFigures } from './writes.js';

// The human-readable report. Targets are printed next to the figures for reference
// only: on a shared machine a miss is something to re-measure, not a failure.

export type BenchResult = {
  database: 'sqlite' | 'postgres';
  location: string;
  conversations: number;
  messages: number;
  seed: number;
  load: LoadFigures | null;
  targets: {
    listP95Ms: number;
    searchP95Ms: number;
    addMessageRatio: number;
    /** Time per createConversation with a round-robin rule over without one, same run. */
    assignmentCostRatio: number;
    /** POST …/messages rate over a bare Fastify route's, same load generator, same run. */
    httpPostRatio: number;
    /** WebSocket delivery p99, POST to receipt, one instance. */
    liveP99Ms: number;
    /** The same across two instances on one PostgreSQL database. */
    liveCrossInstanceP99Ms: number;
  };
  baseline: { primaryKeyLookup: Latency };
  views: Record<string, ViewFigures> & { deepPage?: DeepPage };
  extraViews: Record<string, ViewFigures>;
  search: { rare: SearchFigures; medium: SearchFigures; common: SearchFigures };
  writes: WriteFigures;
  assignment: AssignmentFigures;
  /** null with --skip-http. */
  http: HttpFigures | null;
};

/** Milliseconds in the report's 8-wide column. */
export const ms = (n: number) => n.toFixed(2).padStart(8);
export const meets = (ok: boolean) => (ok ? 'yes' : 'NO');
// Flags a measurement cut short by the time budget, with its sample count.
const cut = (l: Latency) => (l.budgetExceeded ? `  (time budget: ${l.samples} samples)` : '');

export function printReport(r: BenchResult, print: (line: string) => void): void {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  print('');
  print(`Onethread inbox bench — ${r.database}, ${n(r.conversations)} conversations / ${n(r.messages)} messages (seed ${r.seed})`);
  if (r.load) {
    print(
      `load: ${r.load.seconds.toFixed(1)} s, ${n(r.load.rowsPerSecond)} rows/s (${n(r.load.messagesPerSecond)} messages/s; ${n(r.load.users)} users, ${n(r.load.tagRows)} tag rows)`,
    );
  }
  const pk = r.baseline.primaryKeyLookup;
  print(`baseline: primary-key lookup p50 ${pk.p50.toFixed(2)} ms, p95 ${pk.p95.toFixed(2)} ms (${pk.samples} samples)`);
  print('');
  print(`list views (ms; target p95 ≤ ${r.targets.listP95Ms})`);
  print(`${'view'.padEnd(22)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}  p95/pk  target`);
  for (const [name, v] of Object.entries(r.views)) {
    const label = name === 'deepPage' && 'depth' in v ? `deepPage (${(v as DeepPage).depth} pages)` : name;
    print(`${label.padEnd(22)}${ms(v.p50)}${ms(v.p95)}${ms(v.p99)}  ${v.vsPrimaryKey.toFixed(1).padStart(6)}  ${meets(v.p95 <= r.targets.listP95Ms)}${cut(v)}`);
  }
  if (Object.keys(r.extraViews).length > 0) print('extra views (no target)');
  for (const [name, v] of Object.entries(r.extraViews)) {
    print(`${name.padEnd(22)}${ms(v.p50)}${ms(v.p95)}${ms(v.p99)}  ${v.vsPrimaryKey.toFixed(1).padStart(6)}${cut(v)}`);
  }
  print('');
  print(`search (ms; target p95 ≤ ${r.targets.searchP95Ms})`);
  print(`${'word'.padEnd(22)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}  target`);
  for (const [name, s] of Object.entries(r.search)) {
    const what = `${String(s.results).padStart(3)} results, ${n(s.matchingMessages)} matching messages`;
    print(`${`${name} "${s.word}"`.padEnd(22)}${ms(s.p50)}${ms(s.p95)}${ms(s.p99)}  ${meets(s.p95 <= r.targets.searchP95Ms).padEnd(4)}${what}${cut(s)}`);
  }
  print('');
  const w = r.writes;
  print(`writes (target addMessage ≥ ${Math.round(r.targets.addMessageRatio * 100)} % of raw inserts)`);
  print(`addMessage      ${n(w.addMessage.perSecond).padStart(8)} /s  (${w.addMessage.operations} in ${w.addMessage.seconds.toFixed(2)} s)`);
  print(`raw insert      ${n(w.rawInsert.perSecond).padStart(8)} /s  (${w.rawInsert.operations} in ${w.rawInsert.seconds.toFixed(2)} s)`);
  print(`ratio           ${(w.ratio * 100).toFixed(1).padStart(7)} %   ${meets(w.ratio >= r.targets.addMessageRatio)}`);
  printAssignment(r, r.assignment, print);
  if (r.http) printHttp(r, r.http, print);
}

function printAssignment(r: BenchResult, a: AssignmentFigures, print: (line: string) => void): void {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const rate = (label: string, f: AssignmentFigures['withRule']) =>
    print(`${label.padEnd(16)}${n(f.perSecond).padStart(8)} /s  (${f.operations} in ${f.seconds.toFixed(2)} s; ${(1000 / f.perSecond).toFixed(2)} ms each)`);
  print('');
  print(`createConversation with a round-robin rule (target ≤ ${r.targets.assignmentCostRatio}× the time without one)`);
  rate('round robin', a.withRule);
  rate('manual', a.withoutRule);
  print(`ratio           ${`${a.costRatio.toFixed(2)}×`.padStart(8)}   ${meets(a.costRatio <= r.targets.assignmentCostRatio)}`);
  const unassigned = a.unassignedWithRule > 0 ? `, ${n(a.unassignedWithRule)} UNASSIGNED` : '';
  print(`given to ${a.members} online members: ${a.given.map(n).join(', ')}${unassigned}`);
}

function printHttp(r: BenchResult, h: HttpFigures, print: (line: string) => void): void {
  const n = (x: number) => Math.round(x).toLocaleString('en');
  print('');
  print(`HTTP (${h.connections} connections; target POST ≥ ${Math.round(r.targets.httpPostRatio * 100)} % of the bare route)`);
  const rate = (label: string, f: HttpFigures['bare']) => {
    const failed = f.non2xx + f.errors > 0 ? `, ${f.non2xx} non-2xx, ${f.errors} errors` : '';
    print(
      `${label.padEnd(16)}${n(f.perSecond).padStart(8)} /s  (${n(f.requests)} in ${f.seconds.toFixed(1)} s; latency p50 ${f.latencyP50} ms, p99 ${f.latencyP99} ms${failed})`,
    );
  };
  rate('bare route', h.bare);
  rate('POST messages', h.post);
  print(`ratio           ${(h.ratio * 100).toFixed(1).padStart(7)} %   ${meets(h.ratio >= r.targets.httpPostRatio)}`);
  print('');
  print('live delivery: POST to message.created on every agent socket (ms)');
  print(`${'where'.padEnd(22)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'p99'.padStart(8)}  target`);
  const line = (label: string, d: HttpFigures['websocket'], target: number) => {
    const missed = d.missed > 0 ? `, ${n(d.missed)} MISSED` : '';
    print(
      `${label.padEnd(22)}${ms(d.latency.p50)}${ms(d.latency.p95)}${ms(d.latency.p99)}  ${`${meets(d.latency.p99 <= target)} (p99 ≤ ${target})`.padEnd(16)}` +
        `${n(d.sockets)} sockets × ${d.messages} messages = ${n(d.deliveries)} deliveries${missed}; connected in ${d.connectSeconds.toFixed(1)} s`,
    );
  };
  line('one instance', h.websocket, r.targets.liveP99Ms);
  if (h.websocket.crossInstance) line('two instances (pg)', h.websocket.crossInstance, r.targets.liveCrossInstanceP99Ms);
}
