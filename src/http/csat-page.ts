import type { FastifyReply } from 'fastify';
import { CSAT_RATING_WORDS } from '../inbox/csat.js';

// The public survey page behind a mailed link (/csat/<token>): plain server-rendered HTML
// with no script, so it works in any browser and mail preview. It shows the conversation's
// subject and nothing else of it, whoever holds the link: a link forwarded or leaked
// reveals no message, no name, no earlier answer.

const POLICY = ["default-src 'none'", "style-src 'unsafe-inline'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');

const STYLE = `
body{font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2430;background:#f7f8fa}
main{max-width:34rem;margin:2rem auto;padding:1.25rem 1.5rem;background:#fff;border:1px solid #e1e4ea;border-radius:8px}
h1{font-size:1.4rem;line-height:1.3;margin-top:0}.muted{color:#5b6375}
fieldset{border:0;padding:0;margin:1rem 0;display:flex;flex-wrap:wrap;gap:.5rem}legend{font-weight:600;margin-bottom:.5rem}
.choice{display:flex;align-items:center;gap:.35rem;border:1px solid #c5cad6;border-radius:6px;padding:.4rem .7rem;cursor:pointer}
.choice:has(input:checked){border-color:#2453b3;background:#eef3fc}
label[for=comment]{display:block;font-weight:600;margin-top:1rem}
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #8a93a6;border-radius:6px;min-height:6rem}
button{font:inherit;margin-top:1rem;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#2453b3;color:#fff;cursor:pointer}`;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${content}</main></body></html>`;
}

/** The survey's form: the subject, five choices (`chosen` pre-selected), a comment box, a button. */
export function surveyPage(input: { token: string; subject: string; chosen: number | null; problem?: string }): string {
  const choices = CSAT_RATING_WORDS.map((words, i) => {
    const n = i + 1;
    return `<label class="choice"><input type="radio" name="rating" value="${n}" required${input.chosen === n ? ' checked' : ''}> ${n} – ${escapeHtml(words)}</label>`;
  }).join('');
  return page(
    'How did we do?',
    `<h1>How did we do?</h1>
<p class="muted">About your request: <strong class="subject">${escapeHtml(input.subject)}</strong></p>
${input.problem ? `<p role="alert">${escapeHtml(input.problem)}</p>` : ''}
<form method="post" action="/csat/${encodeURIComponent(input.token)}">
<fieldset><legend>Your rating</legend>${choices}</fieldset>
<label for="comment">Anything you'd like to add? (optional)</label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
<button type="submit">Send rating</button>
</form>`,
  );
}

export const thanksPage = (changed: boolean) =>
  page(
    'Thank you',
    `<h1>Thank you for your feedback</h1><p>${changed ? 'Your rating was changed.' : 'Your rating was recorded.'} You can change it with the same link until the survey closes.</p>`,
  );

export const expiredPage = () =>
  page('Survey closed', '<h1>This survey has closed</h1><p>Ratings are taken for 14 days after we ask. Thank you all the same.</p>');
export const unknownPage = () =>
  page('Survey not found', '<h1>Survey not found</h1><p>This link is not valid. Please use the link from our email as it is.</p>');
export const tooManyPage = () => page('Too many attempts', '<h1>Too many attempts</h1><p>Please wait a few minutes and try again.</p>');

export function sendPage(reply: FastifyReply, status: number, html: string) {
  return (
    reply
      .code(status)
      .header('content-security-policy', POLICY)
      .header('x-content-type-options', 'nosniff')
      // The token is in the URL: never in a Referer, never in a cache.
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(html)
  );
}
