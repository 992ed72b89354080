import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';

// What `onethread serve` prints on a fresh install (item 16 of issue 14): the start-up facts,
// one plain line each, then the first admin's one-time password, which must still be on
// screen after people start using the server; request lines only when LOG_LEVEL asks.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

type Started = { url: string; stdout: () => string; stderr: () => string };

async function serve(extra: Record<string, string> = {}): Promise<Started> {
  const database = await makeDatabaseEnv();
  let stdout = '';
  let stderr = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...database.env, PORT: '0', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await database.cleanup();
  });
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stdout}\n${stderr}`)), 30_000);
    const look = () => {
      const match = /Onethread is running at \S+ \(port (\d+),/.exec(stdout);
      // Started once the banner's closing rule is out (with LOG_LEVEL=info, pino's own
      // "listening" lines may come after it).
      if (match && (stdout.match(/^={72}$/gm) ?? []).length >= 2) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${stdout}\n${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stdout: () => stdout, stderr: () => stderr };
}

/** What a first visit does: the app, its session check, a wrong password, the docs, a page that is not there. */
async function browse(url: string): Promise<void> {
  expect((await fetch(`${url}/`)).status).toBe(200);
  expect((await fetch(`${url}/api/auth/me`)).status).toBe(401);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@localhost', password: 'a wrong guess' }),
  });
  expect(login.status).toBe(401);
  expect((await fetch(`${url}/api/health`)).status).toBe(200);
  expect((await fetch(`${url}/api/nothing-here`)).status).toBe(404);
  // Output is written asynchronously: give any log line the time to arrive.
  await sleep(500);
}

const BANNER_END = '='.repeat(72);

describe('the console of a fresh install', () => {
  it('by default shows one line per start-up fact, then the one-time password, and keeps it last while requests come in', async () => {
    const server = await serve();
    await browse(server.url);
    const out = server.stdout();
    expect(server.stderr()).toBe('');

    // The password is there, and nothing came after it: no request lines, no JSON at all.
    expect(out).toMatch(/password: {2}[\w-]{24}\n/);
    expect(out.trimEnd().endsWith(BANNER_END)).toBe(true);
    expect(out).not.toContain('incoming request');
    expect(out).not.toContain('request completed');
    expect(out).not.toContain('Server listening');
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);

    // The facts come first, one line each, the running line just before the banner.
    const running = lines.findIndex((line) => line.startsWith('Onethread is running at http://localhost:0 (port '));
    expect(running).toBeGreaterThanOrEqual(0);
    expect(lines[running + 1]).toBe(BANNER_END);
    expect(lines.slice(0, running).every((line) => line.startsWith('Note: '))).toBe(true);
    expect(lines.slice(0, running)).toContainEqual(expect.stringContaining('Note: Onethread sends no mail'));
    // And the banner says where the password is changed and the name customers see is set.
    expect(out).toContain('profile (your name at the bottom of the sidebar) to change the password and');
    expect(out).toContain('to set your name: customers see it on your replies (it is "Admin" now).');
  });

  it('with LOG_LEVEL=info logs a JSON line per request, the banner still printed once', async () => {
    const server = await serve({ LOG_LEVEL: 'info', ONETHREAD_ADMIN_NAME: 'Ana Admin' });
    await browse(server.url);
    const out = server.stdout();
    const requests = out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
    expect(requests.filter((r) => r.msg === 'incoming request').map((r) => r.req!.url)).toEqual([
      '/',
      '/api/auth/me',
      '/api/auth/login',
      '/api/health',
      '/api/nothing-here',
    ]);
    expect(requests.filter((r) => r.msg === 'request completed')).toHaveLength(5);
    expect(out.match(/password: {2}[\w-]{24}/g)).toHaveLength(1);
    // A named first admin is not asked to set a name.
    expect(out).not.toContain('it is "Admin" now');
  });

  it('refuses an unknown LOG_LEVEL in one line', async () => {
    const database = await makeDatabaseEnv();
    cleanups.push(database.cleanup);
    const result = await runScript('src/cli.ts', ['serve'], { ...database.env, PORT: '0', LOG_LEVEL: 'loud' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'onethread: configuration error: LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent\n',
    });
  });
});
