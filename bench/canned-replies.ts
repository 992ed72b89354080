import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CANNED_SEARCH_LIMIT } from '../src/limits.js';
import { insertCannedReply, searchCannedReplies } from '../src/store/canned-replies.js';
import { openStore } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { insertUser } from '../src/store/users.js';
import { measureLatency } from './measure.js';

// The composer's canned-reply search over a team's 1,000 replies (issue 17: < 50 ms p95),
// against a primary-key lookup as the baseline measured in the same run. A measurement, not
// a test. SQLite in a temporary directory; DATABASE_URL: an empty PostgreSQL database of its own.
//   npx tsx bench/canned-replies.ts

const REPLIES = 1_000;
const options = { samples: 500, warmup: 50, budgetSeconds: 60 };
const WORDS = ['refund', 'shipping', 'invoice', 'password', 'welcome', 'delay', 'return', 'warranty', 'upgrade', 'cancel'];

const dataDir = mkdtempSync(path.join(tmpdir(), 'canned-bench-'));
const store = openStore({ databaseUrl: process.env.DATABASE_URL ?? null, dataDir });
try {
  await migrateToLatest(store);
  const now = Date.now();
  const agent = await insertUser(store.db, { name: 'Bench Agent', email: `bench-${now}@example.test`, role: 'agent', now });
  const userId = Number(agent.id);
  for (let i = 0; i < REPLIES; i++) {
    const word = WORDS[i % WORDS.length]!;
    const body = `Hi {{customer.firstName}}, about your ${word} (${i}): ${'we are on it and will write again soon. '.repeat(8)}{{agent.firstName}}`;
    // A third personal, the rest shared with the whole team: the search reads both.
    await insertCannedReply(store.db, {
      name: `${word} answer ${i}`,
      shortcut: `${word}${i}`,
      body,
      ownerId: i % 3 === 0 ? userId : null,
      teamId: null,
      createdBy: userId,
      now,
    });
  }
  const scope = { userId, teamIds: [], allShared: false };
  const queries = ['ref', 'ship', 'soon', 'answer 5', 'nothing-matches', ''];
  const baseline = await measureLatency(
    (i) =>
      store.db
        .selectFrom('canned_replies')
        .selectAll()
        .where('id', '=', (i % REPLIES) + 1)
        .executeTakeFirst(),
    options,
  );
  const search = await measureLatency((i) => searchCannedReplies(store.db, scope, queries[i % queries.length]!, CANNED_SEARCH_LIMIT), options);
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  console.log(`canned-reply search, ${REPLIES} replies (${store.dialect}): p50 ${ms(search.p50)}, p95 ${ms(search.p95)}, p99 ${ms(search.p99)}`);
  console.log(
    `primary-key baseline: p50 ${ms(baseline.p50)}, p95 ${ms(baseline.p95)}; search p95 is ${(search.p95 / baseline.p95).toFixed(1)}× it (budget 50 ms)`,
  );
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
