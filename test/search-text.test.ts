import { describe, expect, it } from 'vitest';
import { highlightExcerpt, parseSearchQuery, scoreText } from '../src/text/search-text.js';

const terms = (q: string) => parseSearchQuery(q);

describe('scoring a candidate', () => {
  it('ranks more occurrences above fewer, and a short text above a long one with the same occurrences', () => {
    const filler = ' lorem'.repeat(200);
    expect(scoreText('refund refund refund', terms('refund'))).toBeGreaterThan(scoreText('refund once', terms('refund')));
    expect(scoreText('refund please', terms('refund'))).toBeGreaterThan(scoreText(`refund please${filler}`, terms('refund')));
  });

  it('matches the last word as a prefix and the others whole', () => {
    expect(scoreText('refunded yesterday', terms('refun'))).toBeGreaterThan(0);
    expect(scoreText('refunded yesterday', terms('refun yester'))).toBeGreaterThan(0);
    expect(scoreText('refunded yesterday', terms('refun yesterday now'))).toBeLessThan(scoreText('refunded yesterday now', terms('refun yesterday now')));
  });

  it('compares words without case or diacritics, as the index does', () => {
    expect(scoreText('Café CRÈME', terms('cafe creme'))).toBeGreaterThan(0);
  });

  it('needs the words of a phrase next to each other', () => {
    expect(scoreText('write to ana at example dot com', terms('ana@example.com'))).toBe(0);
    expect(scoreText('write to ana@example.com today', terms('ana@example.com'))).toBeGreaterThan(0);
  });
});

describe('the highlighted excerpt', () => {
  it('centres a long text on its first match and marks every occurrence in view', () => {
    const text = `${'before '.repeat(40)}the refund arrived, refund confirmed ${'after '.repeat(40)}`;
    const excerpt = highlightExcerpt(text, terms('refund'));
    expect(excerpt.startsWith('…')).toBe(true);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt).toContain('the <mark>refund</mark> arrived, <mark>refund</mark> confirmed');
    expect(excerpt.split(' ').length).toBeLessThan(30);
  });

  it('keeps a short text whole, escaped, with its punctuation', () => {
    expect(highlightExcerpt('"<b>Refund</b>" & more!', terms('refund'))).toBe('&quot;&lt;b&gt;<mark>Refund</mark>&lt;/b&gt;&quot; &amp; more!');
  });

  it('shows the start of a text without any match', () => {
    expect(highlightExcerpt('Nothing here <at> all', terms('zebra'))).toBe('Nothing here &lt;at&gt; all');
  });
});
