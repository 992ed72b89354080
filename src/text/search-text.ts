// The text side of search, shared by both databases: how a query is cut into words,
// how a candidate is scored, and the highlighted excerpt shown for it. The databases
// only find candidates; ranking them here costs the same whatever the table size,
// where FTS5's bm25() first reads the whole doclist of a common word.

/** Phrases of words; the last word of the last phrase matches as a prefix. */
export type SearchTerms = string[][];

const WORD = /[\p{L}\p{N}]+/gu;
const ASCII = /^[\x00-\x7f]*$/;

/** Lower-case, compatibility-normalised, without diacritics: how FTS5's tokenizer compares words. */
export function foldWord(word: string): string {
  // Most text is ASCII, where normalising changes nothing and costs most of the scoring time.
  if (ASCII.test(word)) return word.toLowerCase();
  return word.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
}

/**
 * User text never reaches a query language as syntax: it is cut into words; words
 * joined by punctuation (an address, a version) stay together as a phrase.
 */
export function parseSearchQuery(q: string): SearchTerms {
  return q
    .normalize('NFKC')
    .split(/\s+/)
    .map((chunk) => chunk.toLowerCase().match(WORD) ?? [])
    .filter((words) => words.length > 0)
    .slice(0, 12);
}

type Token = { word: string; start: number; end: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) tokens.push({ word: foldWord(match[0]), start: match.index, end: match.index + match[0].length });
  return tokens;
}

/** Each place a phrase of the query occurs in the folded words, as [first word, last word]. */
function findMatches(words: readonly string[], terms: SearchTerms): [number, number][][] {
  const folded = terms.map((words) => words.map(foldWord));
  return folded.map((phrase, phraseIndex) => {
    const prefixAt = phraseIndex === folded.length - 1 ? phrase.length - 1 : -1;
    const found: [number, number][] = [];
    for (let i = 0; i + phrase.length <= words.length; i++) {
      const matches = phrase.every((w, j) => (j === prefixAt ? words[i + j]!.startsWith(w) : words[i + j] === w));
      if (matches) found.push([i, i + phrase.length - 1]);
    }
    return found;
  });
}

// BM25's saturation and length normalisation, without its corpus-wide term statistics.
const K1 = 1.2;
const B = 0.75;
const AVERAGE_WORDS = 60;

/** How well `text` answers the query: more occurrences of more phrases in less text ranks higher; 0 when none occurs. */
export function scoreText(text: string, terms: SearchTerms): number {
  // Folding the whole text at once is several times cheaper than word by word, and
  // scoring needs no offsets.
  const words = foldWord(text).match(WORD) ?? [];
  const norm = K1 * (1 - B + (B * words.length) / AVERAGE_WORDS);
  return findMatches(words, terms).reduce((sum, found) => sum + (found.length * (K1 + 1)) / (found.length + norm), 0);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An HTML excerpt of `text` around its first match, escaped, with the matches in <mark>. */
export function highlightExcerpt(text: string, terms: SearchTerms, maxWords = 24): string {
  const tokens = tokenize(text);
  const matched = new Set<number>();
  for (const found of findMatches(
    tokens.map((t) => t.word),
    terms,
  ))
    for (const [from, to] of found) for (let i = from; i <= to; i++) matched.add(i);
  const first = matched.size > 0 ? Math.min(...matched) : 0;
  const from = Math.max(0, Math.min(first - Math.floor(maxWords / 3), tokens.length - maxWords));
  const to = Math.min(tokens.length, from + maxWords);
  if (tokens.length === 0) return escapeHtml(text.slice(0, 200).replace(/\s+/g, ' ').trim());

  let html = from > 0 ? '…' : '';
  let cursor = from > 0 ? tokens[from]!.start : 0;
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    html += escapeHtml(text.slice(cursor, token.start));
    const word = escapeHtml(text.slice(token.start, token.end));
    html += matched.has(i) ? `<mark>${word}</mark>` : word;
    cursor = token.end;
  }
  html += to < tokens.length ? '…' : escapeHtml(text.slice(cursor));
  return html.replace(/\s+/g, ' ').trim();
}
