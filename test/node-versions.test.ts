import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Issue 14, item 17: Onethread installs without an EBADENGINE warning on every Node line it
// supports (20, 22 and 24). npm warns when a package's `engines` excludes the running Node,
// so every package in the lockfile must accept every version our own `engines` accepts.
// Read from package-lock.json: no network, and a dependency bump that drops one of these
// lines fails here, not on someone's server.

type Semver = {
  subset(sub: string, dom: string): boolean;
  satisfies(version: string, range: string): boolean;
  validRange(range: string): string | null;
};
const semver = createRequire(import.meta.url)('semver') as Semver;

const root = new URL('..', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lockfile = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: Record<string, string> | string[] }>;
};

/** The npm each supported line first shipped with (20.19.0, 22.12.0, 24.0.0): the oldest a fresh install may use. */
const OLDEST_BUNDLED_NPM = '>=10.8.2';

const supported = manifest.engines.node;

describe('Node versions', () => {
  it('package.json supports Node 20, 22 and 24, and no line it does not test', () => {
    expect(semver.validRange(supported)).not.toBeNull();
    for (const version of ['20.19.0', '20.20.2', '22.12.0', '22.23.5', '24.0.0', '24.22.3']) expect(semver.satisfies(version, supported), version).toBe(true);
    for (const version of ['18.20.8', '20.11.1', '21.7.3', '23.11.1', '25.0.0']) expect(semver.satisfies(version, supported), version).toBe(false);
  });

  it('the Node running this suite is one of them', () => {
    expect(semver.satisfies(process.versions.node, supported), process.version).toBe(true);
  });

  it('no package in the lockfile asks for a Node (or npm) that excludes a supported version', () => {
    const excluding: string[] = [];
    for (const [where, entry] of Object.entries(lockfile.packages)) {
      // Old-style engines arrays (["node >=0.6"]) are not checked by npm.
      if (!where || !entry.engines || Array.isArray(entry.engines)) continue;
      const { node, npm } = entry.engines;
      if (node !== undefined && !semver.subset(supported, node)) excluding.push(`${where}@${entry.version}: node ${node}`);
      if (npm !== undefined && !semver.subset(OLDEST_BUNDLED_NPM, npm)) excluding.push(`${where}@${entry.version}: npm ${npm}`);
    }
    expect(excluding).toEqual([]);
  });
});
