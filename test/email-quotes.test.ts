import { describe, expect, it } from 'vitest';
import { splitTextQuote } from '../src/channels/email/quotes.js';

// The text side of quote stripping on its own: the cases where email-reply-parser must be
// asked, and the ones where it is not (text without a quote line or an attribution).

describe('splitTextQuote', () => {
  it('cuts a reply at its attribution and ">" lines', () => {
    const text = 'Works now, thanks.\n\nOn Mon, 2 Mar 2026 at 10:00, Kim Lee <kim@example.com> wrote:\n> Try turning it off and on.\n> Kim\n';
    expect(splitTextQuote(text)).toEqual({
      visible: 'Works now, thanks.',
      quoted: 'On Mon, 2 Mar 2026 at 10:00, Kim Lee <kim@example.com> wrote:\n> Try turning it off and on.\n> Kim',
    });
  });

  it('finds an attribution whose quote has no ">" marks (the parser is asked because of "wrote")', () => {
    const text = 'Thanks!\n\nOn Mon, Mar 2, 2026 at 10:00 AM Kim Lee <kim@example.com> wrote:\nThe old text, not marked as a quote.\n';
    expect(splitTextQuote(text)).toEqual({
      visible: 'Thanks!',
      quoted: 'On Mon, Mar 2, 2026 at 10:00 AM Kim Lee <kim@example.com> wrote:\nThe old text, not marked as a quote.',
    });
  });

  it('finds an Outlook "Original Message" quote without ">" marks', () => {
    const text = 'See below.\n\n-----Original Message-----\nThe question asked last week.\n';
    expect(splitTextQuote(text).visible).toBe('See below.');
    expect(splitTextQuote(text).quoted).toContain('The question asked last week.');
  });

  it('keeps a mail without any quote as written, signature and indentation included', () => {
    const text = '  Hello,\r\n\r\nthe export fails:   \r\n    Error 42 at line 7\r\n\r\n-- \r\nKim\r\n';
    expect(splitTextQuote(text)).toEqual({ visible: 'Hello,\n\nthe export fails:   \n    Error 42 at line 7\n\n-- \nKim', quoted: null });
  });

  it('keeps the new part of a reply as written when only the attribution marks the quote', () => {
    const text = 'Line one  \nline two\n\n02.03.2026 10:00 пользователь Kim <kim@example.com> написал:\n> старый текст\n';
    expect(splitTextQuote(text)).toEqual({
      visible: 'Line one  \nline two',
      quoted: '02.03.2026 10:00 пользователь Kim <kim@example.com> написал:\n> старый текст',
    });
  });

  it('shows a mail that is nothing but a quote whole', () => {
    const text = '> forwarded without a word\n> second line\n';
    expect(splitTextQuote(text)).toEqual({ visible: '> forwarded without a word\n> second line', quoted: null });
  });
});
