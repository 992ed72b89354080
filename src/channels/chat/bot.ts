import { CONFIDENT, findAnswer } from '../../kb/answers.js';
import type { KbContext } from '../../kb/records.js';
import { asksForHuman, MISSES_BEFORE_HANDOVER, mentionsKeyword } from './escalation.js';

// The chat bot: answers from the knowledge base when it can, and hands the chat to a
// person when it cannot. Who finds the answer is a provider (the knowledge base by
// default, an LLM when configured); when to step aside is decided here, the same for all.

export type ArticleRef = { id: number; title: string; url: string };

/** A provider's answer, or null when it does not know. */
export type ProviderAnswer = { text: string; article: ArticleRef | null } | null;

export type AnswerProvider = { name: string; answer(question: string): Promise<ProviderAnswer> };

export type BotReply =
  | { kind: 'answer'; text: string; article: ArticleRef | null; provider: string }
  | { kind: 'unsure'; text: string }
  | { kind: 'handover'; text: string; reason: 'asked' | 'keyword' | 'unsure' };

export type BotInput = {
  question: string;
  /** The bot's replies since the visitor's last answer that it did not know, in a row. */
  missesInARow: number;
};

export const HANDOVER_TEXT = "I'll get a person from the team to help you. They'll answer here as soon as they can.";
export const UNSURE_TEXT = "I couldn't find an answer to that in our help center. Could you put it another way? If you'd rather talk to a person, just say so.";

export type BotOptions = { provider: AnswerProvider; escalationKeywords?: readonly string[] };

export async function botReply(options: BotOptions, input: BotInput): Promise<BotReply> {
  if (asksForHuman(input.question)) return { kind: 'handover', text: HANDOVER_TEXT, reason: 'asked' };
  if (mentionsKeyword(input.question, options.escalationKeywords ?? [])) return { kind: 'handover', text: HANDOVER_TEXT, reason: 'keyword' };
  const answer = await options.provider.answer(input.question);
  if (answer) return { kind: 'answer', text: answer.text, article: answer.article, provider: options.provider.name };
  if (input.missesInARow + 1 >= MISSES_BEFORE_HANDOVER) return { kind: 'handover', text: HANDOVER_TEXT, reason: 'unsure' };
  return { kind: 'unsure', text: UNSURE_TEXT };
}

export const articleUrl = (publicUrl: string, slug: string) => `${publicUrl}/help/articles/${encodeURIComponent(slug)}`;

/** The default provider: the best article's relevant passage and a link, when the match is confident. */
export function knowledgeBaseProvider(kb: KbContext, publicUrl: string): AnswerProvider {
  return {
    name: 'knowledge-base',
    async answer(question) {
      const found = await findAnswer(kb, question);
      if (!found || found.confidence < CONFIDENT) return null;
      const article = { id: found.articleId, title: found.title, url: articleUrl(publicUrl, found.slug) };
      return { text: `${found.passage}\n\nMore in “${found.title}”: ${article.url}`, article };
    },
  };
}
