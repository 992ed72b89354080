// When the bot steps aside for a person: the visitor asks for one, names a configured
// keyword ("refund", "cancel"…), or the bot has not known the answer twice in a row.

const ASKS_FOR_HUMAN =
  /\b(human|humans|person|people|agent|operator|representative|someone real|real person|somebody|support team|staff|talk to (?:a |an |some)?(?:one|body))\b/i;

export function asksForHuman(text: string): boolean {
  return ASKS_FOR_HUMAN.test(text);
}

export function mentionsKeyword(text: string, keywords: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return keywords.some((keyword) => keyword && new RegExp(`\\b${keyword.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(lower));
}

/** Misses in a row before the bot hands over by itself. */
export const MISSES_BEFORE_HANDOVER = 2;
