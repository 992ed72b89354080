import type { Selectable } from 'kysely';

// The imports' table (migration 0036, issue 20).

export interface ImportRecordsTable {
  source: string;
  kind: string;
  sourceId: string;
  targetId: number;
  importedAt: number;
}

export type ImportRecordRow = Selectable<ImportRecordsTable>;
