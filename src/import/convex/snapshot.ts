/**
 * Streaming reader of a Convex snapshot export (`npx convex export`), from the ZIP or the same layout unzipped.
 *
 * What this relies on in the layout, and why:
 * - `_tables/documents.jsonl` lists the tables (`name` per line). When absent, the tables are the top-level
 *   folders holding a `documents.jsonl`, so a hand-trimmed export still reads.
 * - `<table>/documents.jsonl`: one document per line. Values are returned as exported (Int64 as decimal strings,
 *   bytes as base64): converting them is the importer's decision, not the reader's.
 * - `<table>/generated_schema.jsonl`: optional JSON lines.
 * - `_storage/documents.jsonl` lists stored files; each file's bytes are `_storage/<_id>` or `_storage/<_id>.<ext>`
 *   (Convex may add an extension from the content type), so a file is matched by its name before the first dot.
 * - Names starting with `_` are Convex's (system tables, `_storage`, `_components`): user tables cannot start with
 *   `_`, so such names are never listed as tables, and `_components/…` (components' own data) is ignored.
 * - A ZIP may wrap everything in one top folder (`snapshot_123/…`); that prefix is stripped.
 * Documents are streamed line by line (node:readline), so memory stays flat however large a table is.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

export type ConvexDocument = Record<string, unknown>;
export type StoredFileInfo = { id: string; sha256: string | null; size: number | null; contentType: string | null };
export interface ConvexSnapshot {
  /** The tables' names (not `_storage`, not `_components`), sorted. */
  tables(): Promise<string[]>;
  /** The table's documents one at a time, streamed (memory stays flat for a 1 GB table); empty for an unknown table. */
  documents(table: string): AsyncIterable<ConvexDocument>;
  /** generated_schema.jsonl parsed, or null. */
  generatedSchema(table: string): Promise<unknown[] | null>;
  /** The stored files listed in _storage/documents.jsonl, streamed. */
  storedFiles(): AsyncIterable<StoredFileInfo>;
  /** A stored file's bytes as a stream, or null when the export has no such file. */
  openStoredFile(id: string): Promise<NodeJS.ReadableStream | null>;
  close(): Promise<void>;
}

/** The export's files by relative path (`/`-separated, top folder prefix already stripped). */
interface Source {
  has(file: string): Promise<boolean>;
  /** The file's bytes, or null when there is no such file. */
  open(file: string): Promise<Readable | null>;
  /** Top-level folder names. */
  topFolders(): Promise<string[]>;
  /** The path of the stored file whose name before the first dot is `id`, or null. */
  storagePath(id: string): Promise<string | null>;
  close(): void;
}

const STORAGE_LIST = '_storage/documents.jsonl';
const storageId = (name: string) => name.split('.')[0]!;

async function openZip(zipPath: string): Promise<Source> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false });
  const names: string[] = [];
  const raw = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      names.push(entry.fileName);
      if (!entry.fileName.endsWith('/')) raw.set(entry.fileName, entry);
    }
  } catch (error) {
    zip.close();
    throw error;
  }
  // One common top folder, unless it is part of the layout itself (`_tables`, `_storage`, or a table holding documents.jsonl).
  const top = names[0]?.split('/')[0];
  const wrapped = top !== undefined && !top.startsWith('_') && !raw.has(`${top}/documents.jsonl`);
  const strip = wrapped && names.every((n) => n.startsWith(`${top}/`)) ? top.length + 1 : 0;
  const entries = new Map<string, yauzl.Entry>();
  const storage = new Map<string, string>();
  for (const [name, entry] of raw) {
    const rel = name.slice(strip);
    entries.set(rel, entry);
    const parts = rel.split('/');
    if (parts.length === 2 && parts[0] === '_storage' && rel !== STORAGE_LIST) storage.set(storageId(parts[1]!), rel);
  }
  return {
    has: async (file) => entries.has(file),
    open: async (file) => {
      const entry = entries.get(file);
      return entry ? zip.openReadStreamPromise(entry) : null;
    },
    topFolders: async () => [...new Set([...entries.keys()].filter((k) => k.includes('/')).map((k) => k.split('/')[0]!))],
    storagePath: async (id) => storage.get(id) ?? null,
    close: () => zip.close(),
  };
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

async function openDirectory(dir: string): Promise<Source> {
  const folders = async (d: string) => (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  // Descend into a single wrapping folder, as for a ZIP, only when the root is plainly not the export itself.
  const rootFolders = await folders(dir);
  let root = dir;
  if (rootFolders.length === 1 && rootFolders[0] !== '_tables' && !(await isFile(path.join(dir, rootFolders[0]!, 'documents.jsonl')))) {
    root = path.join(dir, rootFolders[0]!);
  }
  let storage: Promise<Map<string, string>> | undefined;
  const full = (file: string) => path.join(root, ...file.split('/'));
  return {
    has: (file) => isFile(full(file)),
    open: async (file) => ((await isFile(full(file))) ? createReadStream(full(file)) : null),
    topFolders: () => folders(root),
    storagePath: async (id) => {
      // Listed once: looking each id up by name would need the extension, which only the listing tells.
      storage ??= readdir(path.join(root, '_storage')).then(
        (names) => new Map(names.filter((n) => n !== 'documents.jsonl').map((n) => [storageId(n), `_storage/${n}`])),
        () => new Map(),
      );
      return (await storage).get(id) ?? null;
    },
    close: () => {},
  };
}

/** The JSON values of a JSON-lines file with their line numbers; blank lines skipped. */
async function* jsonLines(source: Source, file: string): AsyncGenerator<[unknown, number]> {
  const stream = await source.open(file);
  if (!stream) return;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file} line ${lineNo}: not valid JSON (${(error as Error).message})`);
      }
      yield [value, lineNo];
    }
  } finally {
    // Also on an early break or a parse error: release the file or the ZIP entry's inflater.
    lines.close();
    stream.destroy();
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
// Size is a number in exports seen so far; a decimal string (an Int64) is read too.
const sizeOrNull = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

export async function openConvexSnapshot(snapshotPath: string): Promise<ConvexSnapshot> {
  const source = (await stat(snapshotPath)).isDirectory() ? await openDirectory(snapshotPath) : await openZip(snapshotPath);
  let tableList: Promise<string[]> | undefined;

  const tables = () => {
    tableList ??= (async () => {
      const names = new Set<string>();
      if (await source.has('_tables/documents.jsonl')) {
        for await (const [row, line] of jsonLines(source, '_tables/documents.jsonl')) {
          if (!isObject(row) || typeof row.name !== 'string') throw new Error(`_tables/documents.jsonl line ${line}: no table name`);
          names.add(row.name);
        }
      } else {
        for (const folder of await source.topFolders()) if (await source.has(`${folder}/documents.jsonl`)) names.add(folder);
      }
      return [...names].filter((n) => !n.startsWith('_')).sort();
    })();
    return tableList;
  };
  // Only listed tables are read: an unknown name (or one like `../x`) yields nothing rather than reaching outside.
  const known = async (table: string) => (await tables()).includes(table);

  return {
    tables,
    async *documents(table) {
      if (!(await known(table))) return;
      for await (const [doc, line] of jsonLines(source, `${table}/documents.jsonl`)) {
        if (!isObject(doc)) throw new Error(`${table}/documents.jsonl line ${line}: not a JSON object`);
        yield doc;
      }
    },
    async generatedSchema(table) {
      if (!(await known(table))) return null;
      const file = `${table}/generated_schema.jsonl`;
      if (!(await source.has(file))) return null;
      const rows: unknown[] = [];
      for await (const [row] of jsonLines(source, file)) rows.push(row);
      return rows;
    },
    async *storedFiles() {
      for await (const [row, line] of jsonLines(source, STORAGE_LIST)) {
        if (!isObject(row) || typeof row._id !== 'string') throw new Error(`${STORAGE_LIST} line ${line}: no _id`);
        yield { id: row._id, sha256: stringOrNull(row.sha256), size: sizeOrNull(row.size), contentType: stringOrNull(row.contentType) };
      }
    },
    async openStoredFile(id) {
      const file = await source.storagePath(id);
      return file ? source.open(file) : null;
    },
    close: async () => source.close(),
  };
}
