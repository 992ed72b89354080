import type { Generated, Selectable } from 'kysely';

// The CSAT survey table (migration 0034, issue 19); see the migration for what it holds.

export const CSAT_SENT_VIA = ['email', 'widget', 'portal', 'manual', 'import'] as const;
export type CsatSentVia = (typeof CSAT_SENT_VIA)[number];

export interface CsatSurveysTable {
  id: Generated<number>;
  /** SHA-256 (hex) of the link's token; the token itself is never stored. */
  tokenHash: string;
  conversationId: number;
  /** The `resolved` event that ended the care cycle this survey asks about. */
  resolvedEventId: number;
  customerId: number;
  agentId: number | null;
  teamId: number | null;
  channel: string;
  sentVia: CsatSentVia;
  sentAt: number;
  expiresAt: number;
  /** 1–5; null until the customer answers. */
  rating: number | null;
  comment: string | null;
  respondedAt: number | null;
  updatedAt: number;
  /** JSON [{rating, comment, at}]: the earlier answers, oldest first. */
  history: Generated<string>;
}

export type CsatSurveyRow = Selectable<CsatSurveysTable>;
