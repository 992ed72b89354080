import { countArticles, findArticlesByIds } from '../store/kb.js';
import { searchArticleIndex } from '../store/search.js';
import { foldWord } from '../text/search-text.js';
import type { KbContext } from './records.js';

// Finding the answer to a question someone typed, in published articles. A question is
// a sentence, not a query: most of its words ("how", "do", "my") say nothing, and what it
// asks about may be worded differently ("refunds" for "refund"). So: its content words,
// each matching as a prefix; an article is confident when it covers most of the weight
// of those words, rarer words weighing more (a word in every article proves nothing).

const STOPWORDS = new Set(
  `a about above after again all am an and any are as at be because been before being below between both but by can cannot could
  did do does doing don done down during each few for from further get got had has have having he her here hers him his how i if in
  into is it its itself just let me more most my myself need no nor not now of off on once only or other our ours out over own please
  same she should so some such than thank thanks that the their theirs them then there these they this those through to too under
  until up very want was we were what when where which while who whom why will with would you your yours hi hello hey help anyone
  there tell know like way also ok okay work works working see find look show use using make able possible thing things something anything`.split(/\s+/),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** "Refunds" → "refund", "shipping" → "shipp": a stem that still matches as a prefix. */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith('es')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export function contentWords(text: string): string[] {
  const words = (foldWord(text).match(WORD) ?? []).filter((w) => w.length > 1 && !STOPWORDS.has(w));
  return [...new Set(words.map(stem))].slice(0, 16);
}

const wordsOf = (text: string) => foldWord(text).match(WORD) ?? [];
const covers = (words: readonly string[], keyword: string) => words.some((w) => w.startsWith(keyword));

export type FoundAnswer = {
  articleId: number;
  slug: string;
  title: string;
  /** The paragraph (or two) of the article that answers best. */
  passage: string;
  /** Share of the question's weighted content words the article covers, 0–1. */
  confidence: number;
};

// Measured on the tests' knowledge base and questions: the right article covers 0.6–1,
// the best wrong one rarely more than 0.4.
export const CONFIDENT = 0.55;
const CANDIDATES = 200;
const MAX_PASSAGE = 600;

/** The best article for `question`, confident or not; null when no article shares a content word with it. */
export async function findAnswer(ctx: KbContext, question: string): Promise<FoundAnswer | null> {
  return (await rankAnswers(ctx, question, 1))[0] ?? null;
}

/** The `limit` best articles for `question`, most confident first, each with its best passage. */
export async function rankAnswers(ctx: KbContext, question: string, limit: number): Promise<FoundAnswer[]> {
  const keywords = contentWords(question);
  if (keywords.length === 0) return [];
  const candidates = await searchArticleIndex(
    ctx.store,
    keywords.map((w) => [w]),
    { match: 'any', publishedOnly: true, limit: CANDIDATES },
  );
  if (candidates.length === 0) return [];

  const total = await countArticles(ctx.store.db, ['published']);
  const docs = candidates.map((c) => ({ id: c.id, title: wordsOf(c.title), body: wordsOf(c.bodyText), text: c.bodyText }));
  const weight = new Map(keywords.map((k) => [k, Math.log(1 + total / Math.max(1, docs.filter((d) => covers(d.title, k) || covers(d.body, k)).length))]));
  const totalWeight = [...weight.values()].reduce((a, b) => a + b, 0);

  const scored = docs.map((doc) => {
    let covered = 0;
    let score = 0;
    for (const [keyword, w] of weight) {
      const inTitle = covers(doc.title, keyword);
      const inBody = covers(doc.body, keyword);
      if (inTitle || inBody) covered += w;
      score += (inTitle ? 2 * w : 0) + (inBody ? w : 0);
    }
    return { doc, confidence: totalWeight > 0 ? covered / totalWeight : 0, score };
  });
  scored.sort((a, b) => b.confidence - a.confidence || b.score - a.score || b.doc.id - a.doc.id);
  const best = scored.slice(0, limit);
  const rows = new Map(
    (
      await findArticlesByIds(
        ctx.store.db,
        best.map((b) => b.doc.id),
      )
    ).map((row) => [row.id, row]),
  );
  return best.flatMap(({ doc, confidence }) => {
    const row = rows.get(doc.id);
    // Words of the title name the topic the whole article is about; the passage is
    // chosen by the rest of the question ("lost my phone" in "two-factor authentication").
    const passageWeight = new Map([...weight].map(([k, w]) => [k, covers(doc.title, k) ? w / 4 : w]));
    return row ? [{ articleId: row.id, slug: row.slug, title: row.title, passage: bestPassage(doc.text, passageWeight), confidence }] : [];
  });
}

/** The paragraph covering the most keyword weight; a short one (a heading, a lead-in) takes the next one with it. */
function bestPassage(text: string, weight: Map<string, number>): string {
  const paragraphs = text.split(/\n{2,}/);
  let bestIndex = 0;
  let bestScore = -1;
  paragraphs.forEach((paragraph, index) => {
    const words = wordsOf(paragraph);
    const score = [...weight].reduce((sum, [k, w]) => sum + (covers(words, k) ? w : 0), 0);
    if (score > bestScore) [bestIndex, bestScore] = [index, score];
  });
  let passage = paragraphs[bestIndex]!;
  if (passage.length < 80 && paragraphs[bestIndex + 1]) passage += `\n\n${paragraphs[bestIndex + 1]}`;
  if (passage.length <= MAX_PASSAGE) return passage;
  const cut = passage.slice(0, MAX_PASSAGE);
  const sentenceEnd = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('.\n'));
  return sentenceEnd > MAX_PASSAGE / 2 ? cut.slice(0, sentenceEnd + 1) : `${cut.replace(/\s+\S*$/, '')}…`;
}
