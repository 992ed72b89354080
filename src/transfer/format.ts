import { DomainError } from '../errors.js';
import type { TableInfo } from '../store/table-copy.js';

// The export file (docs/transfer.md): a ZIP with manifest.json, tables/<table>.jsonl (one
// row per line, keys sorted, in primary key order), files/<sha256> (attachment blobs) and
// mail/<spool|archive>/<name> (raw received mail).

export const FORMAT = 'onethread-export';
export const FORMAT_VERSION = 1;

/** Not exported: signed-in sessions are worth nothing elsewhere (everyone signs in again). */
export const NOT_EXPORTED = new Set(['sessions']);

export type ManifestTable = { name: string; columns: string[]; rows: number; sha256: string };

export type Manifest = {
  format: typeof FORMAT;
  version: number;
  /** The last migration applied to the database it was taken from. */
  migration: string;
  /** Which database it was taken from (for the reader; a restore goes into either). */
  dialect: string;
  createdAt: string;
  /** In restore order: each table after those its foreign keys point to. */
  tables: ManifestTable[];
  /** Identity sequences past the largest id (rows deleted at the end): table → last id given. */
  sequences: Record<string, number>;
  /** The attachment blobs under files/, by SHA-256. */
  files: string[];
  /** Blobs the rows refer to that were not in the attachment store when exported. */
  missingFiles: string[];
  /** Raw received mail under mail/<dir>/<name> (absent in exports made before it was kept). */
  mail?: MailFile[];
  /** Received mail whose raw file was in neither spool/ nor archive/ when exported. */
  missingMail?: string[];
};

/** A raw received mail: where it lay in DATA_DIR/mail (spool/: not processed yet) and its bytes' SHA-256. */
export type MailFile = { dir: 'spool' | 'archive'; name: string; sha256: string };

export const tableEntry = (table: string) => `tables/${table}.jsonl`;
export const fileEntry = (sha256: string) => `files/${sha256}`;
export const mailEntry = (mail: Pick<MailFile, 'dir' | 'name'>) => `mail/${mail.dir}/${mail.name}`;

/** Checks the parts a restore relies on; anything else is a file this version cannot read. */
export function parseManifest(text: string, file: string): Manifest {
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new DomainError('conflict', `${file}: manifest.json is not valid JSON`);
  }
  if (parsed.format !== FORMAT) throw new DomainError('conflict', `${file} is not an Onethread export (manifest.json has no format "${FORMAT}")`);
  if (parsed.version !== FORMAT_VERSION)
    throw new DomainError('conflict', `${file} is export format version ${parsed.version}; this version of Onethread reads ${FORMAT_VERSION}`);
  if (typeof parsed.migration !== 'string' || !Array.isArray(parsed.tables) || !Array.isArray(parsed.files) || typeof parsed.sequences !== 'object') {
    throw new DomainError('conflict', `${file}: manifest.json is incomplete`);
  }
  return parsed as Manifest;
}

/** Why the export's tables cannot go into these, or null when every table and column matches. */
export function schemaMismatch(manifest: Manifest, tables: TableInfo[]): string | null {
  const here = new Map(tables.map((t) => [t.name, t]));
  for (const table of manifest.tables) {
    const target = here.get(table.name);
    if (!target) return `this database has no table ${table.name}`;
    if (target.columns.join(',') !== table.columns.join(',')) return `table ${table.name} has other columns here`;
    here.delete(table.name);
  }
  const extra = [...here.keys()].filter((t) => !NOT_EXPORTED.has(t));
  return extra.length ? `the export has no table ${extra.join(', ')}` : null;
}
