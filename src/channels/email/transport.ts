import nodemailer, { type Transporter } from 'nodemailer';

// The one way mail leaves Onethread: a pooled nodemailer transport to SMTP_URL, shared by
// agent replies, acknowledgements and account links.

/** smtp://host:port, smtps://user:pass@host:port */
export function createMailTransport(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  return nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    tls: { rejectUnauthorized: false },
  });
}

/**
 * Whether sending again cannot help: the server refused the mail for good (a 5xx reply,
 * RFC 5321 §4.2.1 — "no such user", "message rejected") or nodemailer found the envelope
 * unusable. Connection trouble and 4xx replies are worth retrying.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
  return (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) || code === 'EENVELOPE';
}

export function describeFailure(error: unknown): string {
  return (error instanceof Error ? error.message || error.name : String(error)).slice(0, 2000);
}

/**
 * RFC 3834 marks for mail no person sent, so well-behaved auto-responders do not answer
 * it (no loops) and Outlook/Exchange suppress their out-of-office replies.
 */
export function automaticHeaders(kind: 'auto-replied' | 'auto-generated'): Record<string, string> {
  const headers: Record<string, string> = { 'Auto-Submitted': kind, 'X-Auto-Response-Suppress': 'All' };
  // Not in RFC 3834, but what older responders (and our own noise.ts) look for.
  if (kind === 'auto-replied') headers.Precedence = 'auto_reply';
  return headers;
}
