import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

// The web bundle as a browser receives it: built the way `npm run build` builds it, into
// a directory of the bench's own (dist/web may be another run's, or stale), then weighed
// per HTML entry — only the JavaScript that entry's page loads before it can run.

const ROOT = path.resolve(import.meta.dirname, '..');

export type BundleFile = { file: string; bytes: number; gzipBytes: number };

export type EntryFigures = {
  /** The HTML page, relative to the build directory. */
  html: string;
  /** The scripts and module preloads the page names: what loads before the app runs. */
  js: BundleFile[];
  bytes: number;
  gzipBytes: number;
  /** Stylesheets the page names; not part of the JavaScript target, shown for reference. */
  cssGzipBytes: number;
};

export type BundleFigures = {
  admin: EntryFigures;
  /** Any other HTML entry of the build (the customer portal, once it exists). */
  otherEntries: EntryFigures[];
  /** JavaScript no page names: chunks imported on demand. */
  lazy: { files: number; gzipBytes: number };
};

/** Builds web/ for production into a new temporary directory; answers the directory. */
export async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-web-bench-'));
  const { build } = await import('vite');
  // React picks its production build from NODE_ENV, whatever Vite's mode says.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    // Rollup's error carries every file it watched; its message says what broke.
    throw new Error(`building web/ failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

// gzip -9, the level a server pre-compressing its assets would use; Vite prints the same.
const gzipSize = (content: Buffer) => gzipSync(content, { level: 9 }).byteLength;

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walk(file, base) : [path.relative(base, file)];
  });
}

/** The local files a page's <script src> / <link rel=modulepreload|stylesheet href> name. */
function referencedFiles(html: string): { js: string[]; css: string[] } {
  const js = new Set<string>();
  const css = new Set<string>();
  for (const [, tag, attributes] of html.matchAll(/<(script|link)\b([^>]*)>/gi)) {
    const attribute = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(attributes!)?.[1];
    const rel = attribute('rel')?.toLowerCase();
    const url = tag!.toLowerCase() === 'script' ? attribute('src') : attribute('href');
    // Only the page's own files: an absolute URL elsewhere is not part of the bundle.
    if (!url || /^[a-z]+:|^\/\//i.test(url)) continue;
    if (tag!.toLowerCase() === 'script' || rel === 'modulepreload') js.add(url);
    else if (rel === 'stylesheet') css.add(url);
  }
  return { js: [...js], css: [...css] };
}

function weighEntry(outDir: string, htmlFile: string): EntryFigures {
  const refs = referencedFiles(readFileSync(path.join(outDir, htmlFile), 'utf8'));
  const resolve = (url: string) => path.join(url.startsWith('/') ? outDir : path.join(outDir, path.dirname(htmlFile)), url.split(/[?#]/)[0]!);
  const js = refs.js.map((url) => {
    const content = readFileSync(resolve(url));
    return { file: path.relative(outDir, resolve(url)), bytes: content.byteLength, gzipBytes: gzipSize(content) };
  });
  return {
    html: htmlFile,
    js,
    bytes: js.reduce((s, f) => s + f.bytes, 0),
    gzipBytes: js.reduce((s, f) => s + f.gzipBytes, 0),
    cssGzipBytes: refs.css.reduce((s, url) => s + gzipSize(readFileSync(resolve(url))), 0),
  };
}

export function weighBundle(outDir: string): BundleFigures {
  const files = walk(outDir);
  const pages = files.filter((f) => f.endsWith('.html'));
  if (!pages.includes('index.html')) throw new Error(`the build has no index.html in ${outDir}`);
  const admin = weighEntry(outDir, 'index.html');
  const otherEntries = pages.filter((f) => f !== 'index.html').map((f) => weighEntry(outDir, f));
  const named = new Set([admin, ...otherEntries].flatMap((e) => e.js.map((f) => f.file)));
  const lazy = files.filter((f) => /\.m?js$/.test(f) && !named.has(f));
  return { admin, otherEntries, lazy: { files: lazy.length, gzipBytes: lazy.reduce((s, f) => s + gzipSize(readFileSync(path.join(outDir, f))), 0) } };
}
