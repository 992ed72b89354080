import { createHash, randomBytes } from 'node:crypto';
import { findLatestSurvey, findSurveyById, findSurveyByTokenHash, listSurveys, type SurveyListItem } from '../store/csat.js';
import type { CsatSurveyRow } from '../store/schema-csat.js';
import type { InboxContext, SideEffectPlanner } from './context.js';

// Customer satisfaction (issue 19 "CSAT"): what is asked when, and the reads the pages and
// the API need. The writes are commands/csat.ts.
//
//   `resolved` event ─► planner: timer csat:<conversation> due after the delay
//     ─► the timer fires: requestSurvey (commands/csat.ts) checks the cycle is still the one
//        that ended and asks, or does nothing ─► csat_requested + the mail job (email)
//   a reopen cancels nothing: it makes the conversation not resolved, which the timer sees;
//   a later resolve re-arms the same key with the later cycle.

export type CsatSettings = {
  /** CSAT_ENABLED: off, nothing is asked (and nothing asked by hand). */
  enabled: boolean;
  /** CSAT_DELAY_SECONDS: a quick "thanks!" that reopens the conversation comes first. */
  delayMs: number;
  /** CSAT_COOLDOWN_DAYS: a customer is asked at most once in this long (a manual survey ignores it). */
  cooldownMs: number;
  /** How long a survey takes answers (and changes of the answer). */
  expiryMs: number;
  /** Whether mail can be sent (SMTP_URL and SUPPORT_ADDRESSES): email conversations' surveys are mailed. */
  mail: boolean;
};

export const CSAT_EXPIRY_MS = 14 * 24 * 60 * 60 * 1000;
export const CSAT_TIMER = 'csat';
export const CSAT_MAIL_JOB = 'csat.mail';
export const MAX_CSAT_COMMENT = 2000;
/** The scale's words, 1 to 5, wherever the choices are shown (mail, page, widget, portal). */
export const CSAT_RATING_WORDS = ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'] as const;
export const csatTimerKey = (conversationId: number) => `csat:${conversationId}`;

export type CsatTimerPayload = { conversationId: number; resolvedEventId: number };

export function parseCsatTimerPayload(payload: unknown): CsatTimerPayload | null {
  const p = (payload ?? {}) as Partial<Record<keyof CsatTimerPayload, unknown>>;
  return Number.isSafeInteger(p.conversationId) && Number.isSafeInteger(p.resolvedEventId)
    ? { conversationId: p.conversationId as number, resolvedEventId: p.resolvedEventId as number }
    : null;
}

/** A resolve arms the survey's timer (replacing an earlier cycle's still armed); imported history asks nobody. */
export function csatPlanner(settings: Pick<CsatSettings, 'enabled' | 'delayMs'>): SideEffectPlanner {
  return (event, conversation) => {
    if (!settings.enabled || !conversation || event.eventType !== 'resolved' || event.origin === 'import') return [];
    const payload: CsatTimerPayload = { conversationId: conversation.id, resolvedEventId: event.id };
    return [{ key: csatTimerKey(conversation.id), kind: CSAT_TIMER, dueAt: event.createdAt + settings.delayMs, payload }];
  };
}

/** A link's token: 256 random bits, of which only the SHA-256 is stored. */
export function newSurveyToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashSurveyToken(token) };
}

export const hashSurveyToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a customer sees of a survey: its answer so far, whether it still takes one. */
export type SurveyView = { id: number; rating: number | null; comment: string | null; expiresAt: number; open: boolean };

export const surveyView = (row: CsatSurveyRow, now: number): SurveyView => ({
  id: Number(row.id),
  rating: row.rating,
  comment: row.comment,
  expiresAt: Number(row.expiresAt),
  open: now < Number(row.expiresAt),
});

/** The survey a link's token names; null for a token that names none (a wrong or made-up one). */
export async function surveyByToken(ctx: InboxContext, token: string): Promise<CsatSurveyRow | null> {
  // Tokens are 43 base64url characters; anything else is not worth a query.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  return (await findSurveyByTokenHash(ctx.store.db, hashSurveyToken(token))) ?? null;
}

export async function surveyById(ctx: InboxContext, id: number): Promise<CsatSurveyRow | null> {
  return (await findSurveyById(ctx.store.db, id)) ?? null;
}

/** The conversation's current survey (its last care cycle's), for the widget and the portal. */
export async function currentSurvey(ctx: InboxContext, conversationId: number): Promise<CsatSurveyRow | null> {
  return (await findLatestSurvey(ctx.store.db, conversationId)) ?? null;
}

export type SurveyListQuery = { cursor: { sentAt: number; id: number } | null; limit: number; answered: boolean; rating?: number };

export function listCsatSurveys(ctx: InboxContext, query: SurveyListQuery): Promise<SurveyListItem[]> {
  return listSurveys(ctx.store.db, { before: query.cursor, limit: query.limit, answered: query.answered, rating: query.rating });
}
