import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accountsContext, findUserByApiToken, getUser } from '../src/accounts/index.js';
import { openStore } from '../src/store/database.js';
import { ROOT, runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function freshDatabase() {
  const db = await makeDatabaseEnv();
  cleanups.push(db.cleanup);
  return db.env;
}

describe('onethread command line', () => {
  it('migrate applies the migrations once, then reports the database up to date', async () => {
    const env = await freshDatabase();
    const first = await runScript('src/cli.ts', ['migrate'], env);
    expect(first).toMatchObject({
      code: 0,
      stdout:
        'applied: 0001_core, 0002_accounts, 0003_email, 0004_portal, 0005_email_delivery, 0006_kb, 0007_chat, 0008_outbox_secrets, 0009_chat_visitor_details, 0010_message_auto_signature, 0011_email_participants, 0012_team_pending_indexes, 0013_business_calendar, 0014_timers, 0015_event_origin, 0016_teams, 0017_availability, 0018_saved_views, 0019_mentions_participants, 0020_assignment, 0021_canned_replies, 0022_macros, 0023_conversation_states, 0024_bulk_jobs, 0025_conversation_merges, 0026_blocked_senders, 0027_canned_reply_files, 0028_notifications, 0029_notification_preferences, 0030_push_subscriptions, 0031_notification_changes, 0032_notification_mail_due, 0033_reports, 0034_csat, 0035_report_day_rollups, 0036_imports, 0037_import_extras\n',
    });
    const second = await runScript('src/cli.ts', ['migrate'], env);
    expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
  });

  it('reports rebuild recomputes every conversation’s facts and says how many; a bad day is one line', async () => {
    const env = await freshDatabase();
    const rebuilt = await runScript('src/cli.ts', ['reports', 'rebuild', '--from', '2026-01-01'], env);
    expect(rebuilt).toMatchObject({ code: 0, stdout: 'rebuilt 0 conversations: 0 facts\n' });
    const bad = await runScript('src/cli.ts', ['reports', 'rebuild', '--to', '2026-13-01'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('onethread: --to must be a day like 2026-03-01\n');
  });

  it('bad configuration stops start-up with one line naming the variable', async () => {
    const env = await freshDatabase();
    const result = await runScript('src/cli.ts', ['serve'], { ...env, PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('onethread: configuration error: PORT: must be a port number (0-65535)\n');
  });

  it('an unknown command prints the usage and exits 2', async () => {
    const result = await runScript('src/cli.ts', ['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });

  it('serve migrates, answers health, and exits cleanly on SIGTERM', async () => {
    const env = await freshDatabase();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
      cwd: ROOT,
      // Request lines, which this test reads, are logged from `info` on (test/console.test.ts has the default).
      env: { PATH: process.env.PATH ?? '', ...env, PORT: '0', LOG_LEVEL: 'info' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
      child.stdout.on('data', () => {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const health = await fetch(`${url}/api/health?token=ot_must_not_be_logged`);
    expect(await health.json()).toEqual({ ok: true });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('/api/health?token=[redacted]');
    expect(output).not.toContain('ot_must_not_be_logged');
  });

  it('several app instances creating conversations at once never share a number', async () => {
    const env = await freshDatabase();
    expect((await runScript('src/cli.ts', ['migrate'], env)).code).toBe(0);
    const instances = await Promise.all([1, 2, 3].map(() => runScript('test/support/create-conversations.ts', ['40'], env)));
    for (const instance of instances) expect(instance).toMatchObject({ code: 0, stderr: '' });
    const numbers = instances.flatMap((i) => JSON.parse(i.stdout) as string[]);
    expect(numbers).toHaveLength(120);
    expect(new Set(numbers).size).toBe(120);
  });

  it('user create prints only the new id; token create prints only a token that signs that user in', async () => {
    const env = await freshDatabase();
    const created = await runScript(
      'src/cli.ts',
      ['user', 'create', '--role', 'agent', '--email', 'Ana@Example.test', '--name', 'Ana Agent', '--password', 'long enough'],
      env,
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^\d+\n$/);
    const issued = await runScript('src/cli.ts', ['token', 'create', '--email', 'ana@example.test'], env);
    expect(issued).toMatchObject({ code: 0, stderr: '' });
    expect(issued.stdout).toMatch(/^ot_[\w-]{43}\n$/);

    const store = openStore({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR! });
    try {
      const ctx = accountsContext(store);
      const id = Number(created.stdout);
      expect(await getUser(ctx, id)).toMatchObject({ email: 'ana@example.test', name: 'Ana Agent', role: 'agent', hasPassword: true });
      expect(await findUserByApiToken(ctx, issued.stdout.trim())).toMatchObject({ id });
    } finally {
      await store.close();
    }
  });

  it.each([
    [['user', 'create', '--role', 'owner', '--email', 'a@example.test', '--name', 'A'], 'onethread: role must be one of admin, agent, customer\n'],
    [['user', 'create', '--role', 'agent', '--email', 'a@example.test'], 'onethread: --name is required\n'],
    [
      ['user', 'create', '--role', 'agent', '--email', 'a@example.test', '--name', 'A', '--password', 'short'],
      'onethread: password must be at least 8 characters\n',
    ],
    [['token', 'create', '--email', 'nobody@example.test'], 'onethread: no account for nobody@example.test\n'],
  ])('%j fails with exit 1 and one line on stderr', async (args, message) => {
    const env = await freshDatabase();
    expect(await runScript('src/cli.ts', args, env)).toEqual({ code: 1, stdout: '', stderr: message });
  });

  it('creating an address twice is a conflict', async () => {
    const env = await freshDatabase();
    const args = ['user', 'create', '--role', 'customer', '--email', 'c@example.test', '--name', 'C'];
    expect((await runScript('src/cli.ts', args, env)).code).toBe(0);
    expect(await runScript('src/cli.ts', args, env)).toEqual({ code: 1, stdout: '', stderr: 'onethread: an account for c@example.test already exists\n' });
  });

  it('serve creates the first admin and prints its one-time password', async () => {
    const env = await freshDatabase();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: '0' },
    });
    let output = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
      child.stdout.on('data', () => {
        // Printed once startApp returned, i.e. after the SIGTERM handler can be installed.
        if (output.includes('Onethread is running at')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<unknown>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null, stderr: '' });
    expect(output).toContain('email:     admin@localhost');
    const password = /password:\s+(\S+)/.exec(output)?.[1];
    expect(password).toMatch(/^[\w-]{24}$/);
    // A fresh install sends no mail; it says so, and what that leaves out.
    expect(output).toContain('Note: Onethread sends no mail (set SUPPORT_ADDRESSES and SMTP_URL)');
  });
});
