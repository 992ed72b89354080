import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDatabaseEnv } from './support/store.js';
import { ROOT, runScript } from './support/run.js';

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
    expect(first).toMatchObject({ code: 0, stdout: 'applied: 0001_core\n' });
    const second = await runScript('src/cli.ts', ['migrate'], env);
    expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
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
      env: { PATH: process.env.PATH ?? '', ...env, PORT: '0' },
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
    const health = await fetch(`${url}/api/health`);
    expect(await health.json()).toEqual({ ok: true });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
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
});
