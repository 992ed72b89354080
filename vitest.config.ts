import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { filesByTier, TIERS } from './test/support/tiers.js';

// One project per tier (test/support/tiers.ts decides a file's tier from its source):
// `npm test -- --project unit` runs one, `npm test` all of them.
const tiers = filesByTier(import.meta.dirname);

export default defineConfig({
  test: {
    // On the root only: Vitest runs the root's global setup once for any set of projects,
    // a project's own once more each.
    globalSetup: ['test/support/global-setup.ts'],
    // Vitest's default is one worker fewer than the cores: one on a 2-core machine, where most
    // files then wait on a server, Chromium or a mail peer with a core idle. One more worker
    // than the cores keeps both busy and took the SQLite suite from 16 to 11 minutes. At most
    // four: a browser file may hold 20 PostgreSQL connections (its server's pool and its own),
    // and PostgreSQL allows 100 by default.
    maxWorkers: Math.min(availableParallelism() + 1, 4),
    minWorkers: 1,
    projects: TIERS.map((tier) => ({
      test: {
        name: tier,
        include: tiers[tier],
        pool: 'forks' as const,
        testTimeout: 60_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
