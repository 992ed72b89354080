import { rankAnswers } from '../../kb/answers.js';
import type { KbContext } from '../../kb/records.js';
import { type AnswerProvider, articleUrl } from './bot.js';

// An LLM behind any OpenAI-compatible chat-completions endpoint (BOT_LLM_URL), grounded
// on the articles the knowledge base finds for the question. It may only answer from
// them; when they do not hold the answer it says so with a fixed word, and the bot hands
// over. Slow or failing, it gives way to the fallback (the knowledge-base provider), so
// a visitor never waits on a provider that is down.

export type LlmOptions = {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  /** Told when the endpoint fails or times out (the visitor gets the fallback's answer). */
  onError?: (error: unknown) => void;
};

const UNKNOWN = 'NO_ANSWER';
const ARTICLES = 3;

const SYSTEM = `You answer website visitors' questions for a support team, using ONLY the help-center articles given below.
Answer briefly and plainly (at most 5 sentences). If the articles do not contain the answer, reply with exactly ${UNKNOWN} and nothing else.
Never invent policies, prices or links.`;

function endpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
}

export function llmProvider(kb: KbContext, publicUrl: string, options: LlmOptions, fallback: AnswerProvider): AnswerProvider {
  return {
    name: 'llm',
    async answer(question) {
      const found = await rankAnswers(kb, question, ARTICLES);
      if (found.length === 0) return null;
      const articles = found.map((a, i) => `[${i + 1}] ${a.title}\n${a.passage}`).join('\n\n');
      let content: string;
      try {
        const response = await fetch(endpoint(options.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.apiKey && { authorization: `Bearer ${options.apiKey}` }) },
          body: JSON.stringify({
            model: options.model,
            temperature: 0,
            messages: [
              { role: 'system', content: `${SYSTEM}\n\nArticles:\n${articles}` },
              { role: 'user', content: question },
            ],
          }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
        const text = body.choices?.[0]?.message?.content;
        if (typeof text !== 'string') throw new Error('no choices[0].message.content in the response');
        content = text.trim();
      } catch (error) {
        options.onError?.(error);
        return fallback.answer(question);
      }
      if (!content || content.includes(UNKNOWN)) return null;
      const top = found[0]!;
      const article = { id: top.articleId, title: top.title, url: articleUrl(publicUrl, top.slug) };
      return { text: `${content}\n\nMore in “${top.title}”: ${article.url}`, article };
    },
  };
}
