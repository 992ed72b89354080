import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/database.js';
import { runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

// Issue 19: facts are written in the transaction of the reply that causes them, so a
// process killed (SIGKILL) in the middle of 1,000 replies leaves exactly one fact per
// committed reply — none lost, none doubled — and rollups that still add up to the facts.

describe('report facts across SIGKILL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('equal the committed replies after the kill', async () => {
    const { env, cleanup } = await makeDatabaseEnv();
    cleanups.push(cleanup);
    const killed = await runScript('test/fixtures/report-facts-crash.ts', [], { ...env, PORT: '0', PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'silent' });
    expect(killed.code, killed.stderr).toBeNull(); // killed by its signal
    expect(killed.stdout).not.toContain('finished');
    const made = JSON.parse(killed.stdout.trim().split('\n')[0]!) as { agent: number; customer: number; conversations: number[] };

    const store = openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
    try {
      const messages = await store.db
        .selectFrom('messages')
        .select(['senderId', (eb) => eb.fn.countAll<number>().as('n')])
        .where('conversationId', 'in', made.conversations)
        .groupBy('senderId')
        .execute();
      const sent = (id: number) => Number(messages.find((m) => Number(m.senderId) === id)?.n ?? 0);
      const facts = await store.db
        .selectFrom('report_facts')
        .select(['metric', (eb) => eb.fn.countAll<number>().as('n')])
        .where('conversationId', 'in', made.conversations)
        .groupBy('metric')
        .execute();
      const counted = (metric: string) => Number(facts.find((f) => f.metric === metric)?.n ?? 0);
      const replies = sent(made.agent);
      expect(replies).toBeGreaterThan(0);
      expect(replies + sent(made.customer)).toBeLessThan(1000 + 10);
      expect(counted('message_out')).toBe(replies);
      // The ten first messages and every later customer reply.
      expect(counted('message_in')).toBe(sent(made.customer));
      expect(counted('created')).toBe(10);
      // Each answered conversation's first answer is its first response.
      const answered = await store.db
        .selectFrom('messages')
        .select('conversationId')
        .distinct()
        .where('conversationId', 'in', made.conversations)
        .where('senderId', '=', made.agent)
        .execute();
      expect(counted('first_response')).toBe(answered.length);

      const rolled = await store.db
        .selectFrom('report_rollups')
        .select(['metric', (eb) => eb.fn.sum<number>('count').as('n')])
        .where('dimension', '=', 'all')
        .where('span', '=', 1)
        .where('bin', '<', 100)
        .groupBy('metric')
        .execute();
      for (const metric of ['created', 'message_in', 'message_out', 'first_response', 'reply_time']) {
        expect(Number(rolled.find((r) => r.metric === metric)?.n ?? 0), metric).toBe(counted(metric));
      }
    } finally {
      await store.close();
    }
  });
});
