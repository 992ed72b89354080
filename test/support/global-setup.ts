import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { chromiumPath } from './browser.js';
import { mailPeersLine } from './mail-peers.js';
import { ROOT } from './run.js';

// Says once, up front, which database the suite runs on and how to run it on the other,
// and whether the browser suites run; builds the web bundle they drive.
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    console.log(`[onethread tests] database: PostgreSQL (${url.replace(/:[^:@/]*@/, ':***@')}); each test file gets its own database`);
  } else {
    console.log(
      '[onethread tests] database: SQLite. PostgreSQL suite skipped: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run the same suite on PostgreSQL',
    );
  }
  console.log(mailPeersLine());
  const chromium = chromiumPath();
  if (!chromium) {
    console.log(
      '[onethread tests] browser: web app suites in Chromium (test/web-inbox, web-live, web-list, web-team, web-portal, web-ticket-flow) skipped: no Chromium; apt-get install -y chromium, or set CHROMIUM_PATH=/path/to/chromium',
    );
    return;
  }
  // `--project` left the browser tier out (CI's Node 24 phase): nothing drives the bundle.
  if (!project.vitest.projects.some((p) => p.name === 'browser')) {
    console.log('[onethread tests] browser: tier not selected (--project); web bundle not built');
    return;
  }
  const built = await buildWebBundle();
  console.log(`[onethread tests] browser: ${chromium}; web bundle ${built ? 'built' : 'up to date'} in dist/web`);
}

const WEB = path.join(ROOT, 'web');
const OUT = path.join(ROOT, 'dist/web');
const STAMP = '.source-hash';

/** Every input of the bundle: web/ and the package manifest (dependency versions). */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules') continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  };
  walk(WEB);
  hash.update(readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex');
}

/**
 * Builds dist/web unless it was built from exactly these sources, so browser tests never
 * drive a stale bundle. Builds beside it and swaps it in, so a server already serving
 * dist/web (another run's) never sees a half-written directory.
 */
async function buildWebBundle(): Promise<boolean> {
  const hash = sourceHash();
  const stamp = path.join(OUT, STAMP);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && existsSync(path.join(OUT, 'index.html'))) return false;
  const temporary = `${OUT}.building-${process.pid}`;
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would give React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(WEB, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: temporary, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(path.join(temporary, STAMP), hash);
  const previous = `${OUT}.previous-${process.pid}`;
  if (existsSync(OUT)) renameSync(OUT, previous);
  renameSync(temporary, OUT);
  rmSync(previous, { recursive: true, force: true });
  return true;
}
