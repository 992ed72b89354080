import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EventBus } from '../src/inbox/bus.js';
import { runBulkJob, startBulkJob, updateConversationStatus } from '../src/inbox/commands.js';
import { createInboxContext } from '../src/inbox/context.js';
import { openStore } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { insertUser } from '../src/store/users.js';
import { bulkInsertUsers, bulkLoadConversations, type SeedConversation } from './bulk-load.js';

// A bulk action over "all N matching this view" (issue 17: 10,000 conversations in < 60 s
// on SQLite): a job that closes every open conversation tagged `bulk` — the snapshot of the
// view's ids, then each conversation in its own unit of work through the status command —
// against the baseline measured in the same run: the same status change done one by one
// through `updateConversationStatus`, as a client looping over the ids would. The ratio is
// the job's price per conversation (its compare-and-set progress row, the per-batch reads)
// over the command alone. A measurement, not a test.
//   npx tsx bench/bulk-actions.ts [--conversations 10000] [--baseline 2000]
// SQLite in a temporary directory; DATABASE_URL: an empty PostgreSQL database of its own.

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const CONVERSATIONS = arg('conversations', 10_000);
const BASELINE = arg('baseline', 2_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-bench-'));
const store = openStore({ databaseUrl: process.env.DATABASE_URL ?? null, dataDir });
try {
  await migrateToLatest(store);
  const now = Date.now();
  const agent = Number((await insertUser(store.db, { name: 'Bench Agent', email: `bench-agent-${now}@example.test`, role: 'agent', now })).id);
  const customers = await bulkInsertUsers(
    store,
    Array.from({ length: 500 }, (_, i) => ({ name: `Customer ${i}`, email: `customer-${i}-${now}@example.test`, role: 'customer' as const })),
    now,
  );
  function* seed(count: number, tag: string): Generator<SeedConversation> {
    for (let i = 0; i < count; i++) {
      const id = customers[i % customers.length]!;
      const customer = { id, name: `Customer ${i % customers.length}`, email: `customer-${i % customers.length}-${now}@example.test` };
      yield {
        channel: 'email',
        type: 'support',
        customer,
        subject: `${tag} ${i}`,
        status: 'open',
        priority: 'normal',
        assignedTo: null,
        labels: [],
        tags: [tag],
        messages: [
          {
            senderType: 'customer',
            senderId: id,
            senderName: customer.name,
            senderEmail: customer.email,
            body: 'Where is my order?',
            sentAt: now - (count - i) * 1000,
          },
        ],
      };
    }
  }
  await bulkLoadConversations(store, seed(BASELINE, 'one-by-one'));
  await bulkLoadConversations(store, seed(CONVERSATIONS, 'bulk'));
  const inbox = createInboxContext({ store, bus: new EventBus() });
  const by = { userId: agent };

  const baselineIds = (await store.db.selectFrom('conversations').select('id').where('subject', 'like', 'one-by-one %').orderBy('id').execute()).map((r) =>
    Number(r.id),
  );
  let began = performance.now();
  for (const id of baselineIds) await updateConversationStatus(inbox, { conversation: id, status: 'closed', by });
  const baselineSeconds = (performance.now() - began) / 1000;

  // How long a request arriving meanwhile would wait for the event loop: the list staying responsive.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  began = performance.now();
  const job = await startBulkJob(inbox, {
    targets: { query: { tag: 'bulk', statuses: ['open'] } },
    action: { actions: [{ type: 'status', status: 'closed' }] },
    by,
  });
  const snapshotSeconds = (performance.now() - began) / 1000;
  await runBulkJob(inbox, job.id);
  const jobSeconds = (performance.now() - began) / 1000;
  delay.disable();
  const left = await store.db.selectFrom('conversations').select('id').where('subject', 'like', 'bulk %').where('status', '=', 'open').execute();

  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en')}/s`;
  console.log(
    `bulk action, all ${job.total.toLocaleString('en')} matching (${store.dialect}): ${jobSeconds.toFixed(1)} s (${rate(job.total, jobSeconds)}), of which the snapshot ${snapshotSeconds.toFixed(2)} s; ${left.length} left open; target < 60 s: ${jobSeconds < 60 ? 'yes' : 'NO'}`,
  );
  const ms = (ns: number) => `${(ns / 1e6).toFixed(0)} ms`;
  console.log(`event loop delay during the job: p50 ${ms(delay.percentile(50))}, p99 ${ms(delay.percentile(99))}, max ${ms(delay.max)}`);
  console.log(
    `baseline, ${BASELINE.toLocaleString('en')} status changes one by one: ${baselineSeconds.toFixed(1)} s (${rate(BASELINE, baselineSeconds)}); the job's time per conversation is ${(jobSeconds / job.total / (baselineSeconds / BASELINE)).toFixed(2)}× it`,
  );
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
