import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accountsContext, createUser } from '../src/accounts/index.js';
import { openStore } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { writeConvexFixture } from './support/convex-fixture.js';
import { ROOT, runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

// `onethread import convex …` as a team runs it: --inspect, --dry-run with --report, the
// real run, the report's lines; and what a wrong call says.

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

/** Opens the test database, creates the legacy app's agents, and hands back a reader of the store. */
async function databaseWithAgents(agents: { email: string; name: string }[]) {
  const db = await makeDatabaseEnv();
  cleanups.push(db.cleanup);
  const store = openStore({ databaseUrl: db.env.DATABASE_URL || null, dataDir: db.env.DATA_DIR ?? '' });
  cleanups.unshift(() => store.close());
  await migrateToLatest(store);
  const accounts = accountsContext(store);
  for (const agent of agents) await createUser(accounts, { ...agent, role: 'agent', password: null });
  return { env: db.env, store };
}

describe('onethread import convex', () => {
  it('killed with SIGKILL halfway, a second run ends exactly where an uninterrupted one would', async () => {
    const fixture = writeConvexFixture({ tickets: 120, messagesPerTicket: 4, threads: 10 });
    const { env, store } = await databaseWithAgents(fixture.agents);
    const imported = async () =>
      Number(
        (
          await store.db
            .selectFrom('import_records')
            .select((eb) => eb.fn.countAll<string | number>().as('n'))
            .where('kind', '=', 'conversation')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'import', 'convex', fixture.dir], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    for (let n = await imported(); n < 30; n = await imported()) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    await exited;
    const before = await imported();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(130);

    const rerun = await runScript('src/cli.ts', ['import', 'convex', fixture.dir], env, 120_000);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`conversations: ${130 - before} created, 0 given later messages, ${before} already imported, 0 refused`);
    const messages = await store.db.selectFrom('messages').select(['conversationId', 'body']).execute();
    expect(messages).toHaveLength(fixture.expected.ticketMessages + fixture.expected.threadMessages);
    const conversations = await store.db.selectFrom('conversations').select(['id', 'legacyRef', 'messageCount']).execute();
    expect(conversations).toHaveLength(130);
    // Every conversation whole: its counter equals its messages, and no reference twice.
    const perConversation = new Map<number, number>();
    for (const m of messages) perConversation.set(Number(m.conversationId), (perConversation.get(Number(m.conversationId)) ?? 0) + 1);
    for (const c of conversations) expect(perConversation.get(Number(c.id))).toBe(Number(c.messageCount));
    expect(new Set(conversations.map((c) => c.legacyRef)).size).toBe(130);
  }, 180_000);

  it('inspects, dry-runs with a JSON report, imports, and says what a wrong call lacks', async () => {
    const fixture = writeConvexFixture({ tickets: 8, messagesPerTicket: 2, threads: 2 });
    const db = await databaseWithAgents(fixture.agents);

    const inspect = await runScript('src/cli.ts', ['import', 'convex', fixture.dir, '--inspect'], db.env);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/^support_tickets: 8 rows$/m);
    expect(inspect.stdout).toMatch(/^ {2}mapping: .*"subject":"subject"/m);
    // Samples are redacted: the shape, not the customer's words or address.
    expect(inspect.stdout).not.toContain('Details of order');
    expect(inspect.stdout).not.toMatch(/customer\d+-\d+@example\.org/);
    expect(inspect.stdout).not.toContain('_components');

    const reportFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'import-report-')), 'report.json');
    const dry = await runScript('src/cli.ts', ['import', 'convex', fixture.dir, '--dry-run', '--report', reportFile], db.env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run (nothing written): convex');
    expect(dry.stdout).toContain('conversations: 10 created, 0 given later messages, 0 already imported, 0 refused');
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report).toMatchObject({ source: 'convex', dryRun: true, conversations: { created: 10 }, messages: { skippedAsDuplicate: fixture.expected.copies } });

    const real = await runScript('src/cli.ts', ['import', 'convex', fixture.dir], db.env);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain('conversations: 10 created, 0 given later messages, 0 already imported, 0 refused');
    const again = await runScript('src/cli.ts', ['import', 'convex', fixture.dir], db.env);
    expect(again.stdout).toContain('conversations: 0 created, 0 given later messages, 10 already imported, 0 refused');

    const noPath = await runScript('src/cli.ts', ['import', 'convex'], db.env);
    expect(noPath).toMatchObject({ code: 1, stderr: 'onethread: give the export: onethread import convex PATH (a .zip or its unzipped directory)\n' });
    const badMapping = path.join(path.dirname(reportFile), 'mapping.json');
    writeFileSync(badMapping, '{"support_tickets": ["subject"]}');
    const mapped = await runScript('src/cli.ts', ['import', 'convex', fixture.dir, '--mapping', badMapping], db.env);
    expect(mapped.code).toBe(1);
    expect(mapped.stderr).toContain('expected { "<table>": { "<role>": "<field>" } }');
    writeFileSync(badMapping, '{"support_tickets": {"subjekt": "title"}}');
    const misspelt = await runScript('src/cli.ts', ['import', 'convex', fixture.dir, '--mapping', badMapping], db.env);
    expect(misspelt.code).toBe(1);
    expect(misspelt.stderr).toContain('no role "subjekt"; the roles: subject, body,');
    const unknown = await runScript('src/cli.ts', ['import', 'zendesk-ish'], db.env);
    expect(unknown).toMatchObject({ code: 1, stderr: 'onethread: unknown import source "zendesk-ish"; try "onethread import convex PATH"\n' });
  }, 120_000);
});
