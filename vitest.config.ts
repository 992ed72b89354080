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
