import type { Generated, Selectable } from 'kysely';

// The reports' tables (migration 0033, issue 19); see the migration for what each holds.

export interface ReportCyclesTable {
  conversationId: number;
  cycle: number;
  startedAt: number;
  respondedAt: number | null;
  waitingSince: number | null;
  /** JSON array of the ids of those of the team who replied publicly in the cycle (migration 0035). */
  repliers: string;
}

export interface ReportFactsTable {
  id: Generated<number>;
  conversationId: number;
  originConversationId: number;
  cycle: number;
  metric: string;
  at: number;
  agentId: number | null;
  teamId: number | null;
  channel: string;
  type: string;
  priority: string;
  seconds: number | null;
  businessSeconds: number | null;
  messageId: number | null;
}

export interface ReportRollupsTable {
  metric: string;
  dimension: string;
  key: string;
  /** Hours the row covers: 1 (an hour) or 24 (a UTC day); migration 0035. */
  span: number;
  /** The hour's or day's first ms, UTC. */
  start: number;
  bin: number;
  count: number;
  sum: number;
}

export type ReportCycleRow = Selectable<ReportCyclesTable>;
export type ReportFactRow = Selectable<ReportFactsTable>;
