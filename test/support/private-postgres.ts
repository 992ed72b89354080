import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

// A PostgreSQL cluster of the test's own, for tests that terminate its backends or restart
// it: the shared server at DATABASE_URL serves every other test file at the same time.
// Debian's binaries under /usr/lib/postgresql/<version>/bin; run as the `postgres` OS user
// when we are root (the server refuses to run as root), as ourselves otherwise.

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Why a private cluster cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!binDir()) return 'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)';
  if (asRoot) {
    if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0) return 'running as root without runuser to start PostgreSQL as the postgres user';
    if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0) return 'running as root and there is no postgres OS user to start PostgreSQL as';
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type PrivatePostgres = {
  /** The `postgres` database of the cluster, as superuser `postgres` (trust). */
  url: string;
  port: number;
  /** pg_ctl restart -m fast: every connection is cut, the server is back when this resolves. Asynchronous, so the caller's load keeps running meanwhile. */
  restart(): Promise<void>;
  /** pg_ctl stop -m fast, keeping the data: the server is gone until `start()`. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster for good and removes it. */
  stop(): void;
};

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL binaries');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const argv = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  const run = (tool: string, args: string[]) => {
    const result = spawnSync(...argv(tool, args), { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  };
  const runAsync = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) =>
      execFile(...argv(tool, args), { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${tool} ${args.join(' ')} failed: ${stderr || stdout || error.message}`)) : resolve(),
      ),
    );
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  // The socket lives in our own directory: the system's /var/run/postgresql belongs to the shared server.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    run('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', log, '-o', options]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    // -l again: without it the restarted server would write to our pipe and pg_ctl's caller would wait on it.
    restart: () => runAsync('pg_ctl', ['restart', '-w', '-t', '30', '-m', 'fast', '-D', data, '-l', log]),
    halt: () => runAsync('pg_ctl', ['stop', '-w', '-t', '30', '-m', 'fast', '-D', data]),
    start: () => runAsync('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', log, '-o', options]),
    stop() {
      if (stopped) return;
      stopped = true;
      // Not running (halted, or never started) is fine: the directory goes either way.
      if (spawnSync(...argv('pg_ctl', ['status', '-D', data]), { stdio: 'ignore' }).status === 0)
        run('pg_ctl', ['stop', '-w', '-t', '30', '-m', 'immediate', '-D', data]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
