import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The test tiers, lightest first: `npm test -- --project <tier>` runs one. A file's tier is
 * read from its source (what it imports and calls), so a new test file lands in one without
 * anyone editing a list; a file with signals of several tiers goes to the heaviest.
 */
export const TIERS = ['unit', 'database', 'http', 'mail', 'browser'] as const;
export type Tier = (typeof TIERS)[number];

type Signals = {
  /** Functions whose call means the tier (matched as `name(`). */
  calls: string[];
  /** Modules whose value import means the tier (a type-only import does not). */
  modules: string[];
  /** Words whose mere mention means the tier. */
  words?: string[];
};

const SIGNALS: Record<Exclude<Tier, 'unit'>, Signals> = {
  // Drives Chromium.
  browser: { calls: ['launchBrowser'], modules: ['playwright-core', 'playwright'] },
  // Needs the mail peers: swaks sends, aiosmtpd is the sink, dovecot serves IMAP.
  mail: {
    calls: ['swaks', 'useSink', 'useMailApi'],
    modules: ['./support/mail-peers.js', './support/mail-api.js'],
    words: ['MAIL_PEERS', 'aiosmtpd', 'dovecot'],
  },
  // A server on a port (HTTP, SMTP, WebSocket) or a child process of the command line.
  http: {
    calls: [
      'composeApp',
      'startTestApp',
      'buildServer',
      'registerApi',
      'startInstance',
      'startWebApp',
      'useEmailChannel',
      'runScript',
      'spawn',
      'createServer',
      'listen',
    ],
    modules: ['./support/app.js', 'ws'],
  },
  // A real store, no server.
  database: {
    calls: ['makeTestStore', 'useTestInbox', 'makeDatabaseEnv', 'openStore', 'openSqlite', 'openPostgres', 'migrateToLatest'],
    modules: ['./support/store.js', './support/inbox.js'],
  },
};

/** The tier of a test file's source. */
export function tierOfSource(source: string): Tier {
  const code = withoutComments(source);
  const imported = valueImports(code);
  const bare = withoutStrings(code);
  const heaviest = [...TIERS].reverse().find((tier): tier is Exclude<Tier, 'unit'> => {
    if (tier === 'unit') return false;
    const { calls, modules, words = [] } = SIGNALS[tier];
    return (
      calls.some((name) => new RegExp(`(?<![\\w$])${name}\\s*\\(`).test(bare)) ||
      modules.some((name) => imported.has(name)) ||
      words.some((word) => new RegExp(`\\b${word}\\b`).test(bare))
    );
  });
  return heaviest ?? 'unit';
}

/** Every test file under `test/` (paths relative to root, `/`-separated), sorted. */
export function testFiles(root: string): string[] {
  return readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => `test/${file.split(path.sep).join('/')}`)
    .sort();
}

/** The test files of each tier. */
export function filesByTier(root: string): Record<Tier, string[]> {
  const tiers = Object.fromEntries(TIERS.map((tier) => [tier, [] as string[]])) as Record<Tier, string[]>;
  for (const file of testFiles(root)) tiers[tierOfSource(readFileSync(path.join(root, file), 'utf8'))].push(file);
  return tiers;
}

/** Block comments and whole-line `//` comments (a `//` inside a line may be a URL). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** String and template literals emptied, so code quoted in a string is no signal. */
function withoutStrings(code: string): string {
  return code.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

/** Modules imported for a value: not `import type …`, not `import { type A, type B } …`. */
function valueImports(code: string): Set<string> {
  const modules = new Set<string>();
  for (const [, clause = '', name = ''] of code.matchAll(/^\s*import\s+([^'"]*?)\s*from\s*['"]([^'"]+)['"]/gm)) {
    if (/^type\b/.test(clause)) continue;
    const named = /\{([^}]*)\}/.exec(clause)?.[1];
    const outside = clause.replace(/\{[^}]*\}/, '').replace(/[\s,]/g, '');
    const valueNamed = named?.split(',').some((part) => part.trim() !== '' && !/^type\b/.test(part.trim()));
    if (outside !== '' || valueNamed || named === undefined) modules.add(name);
  }
  for (const [, name = ''] of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) modules.add(name);
  return modules;
}
