import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../vitest.config.js';
import { ROOT } from './support/run.js';
import { TIERS, type Tier, testFiles, tierOfSource } from './support/tiers.js';

const tierOf = (file: string) => tierOfSource(readFileSync(path.join(ROOT, file), 'utf8'));

describe('test tiers', () => {
  it.each([
    ['test/web-inbox.test.ts', 'browser'],
    ['test/email-smtp.test.ts', 'mail'],
    ['test/widget-seen.test.ts', 'mail'], // a server and the mail sink, no Chromium
    ['test/cli.test.ts', 'http'],
    ['test/commands.test.ts', 'database'],
    ['test/rules.test.ts', 'unit'],
  ] as const)('%s is %s', (file, tier) => {
    expect(tierOf(file)).toBe(tier);
  });

  it('reads value imports and calls, not types or comments', () => {
    expect(tierOfSource("import type { WebApp } from './support/app.js';\n// launchBrowser()\n")).toBe('unit');
    expect(tierOfSource("import { type A, useApp } from './support/app.js';")).toBe('http');
    expect(tierOfSource('const store = await makeTestStore();\nawait swaks(port, {});')).toBe('mail');
    expect(tierOfSource('/* useSink() */ const s = reusableSink();')).toBe('unit');
  });

  it('puts every test file in exactly one project', () => {
    const projects = (config.test?.projects ?? []) as { test: { name: Tier; include: string[] } }[];
    expect(projects.map((project) => project.test.name)).toEqual([...TIERS]);
    const placed = projects.flatMap((project) => project.test.include);
    expect([...placed].sort()).toEqual(testFiles(ROOT));
    for (const project of projects) for (const file of project.test.include) expect(tierOf(file), file).toBe(project.test.name);
  });
});
