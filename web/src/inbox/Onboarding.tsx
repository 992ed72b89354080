import { useRef, useState } from 'react';
import './onboarding.css';

// What an inbox with no conversation at all shows: the ways a first conversation gets in,
// each ready to use with this server's address. The address is the one this page was
// loaded from, which is what customers' browsers and mail links reach too behind the usual
// reverse proxy (PUBLIC_URL is the same address).

function CopyBox({ label, text }: { label: string; text: string }) {
  const [copied, setCopied] = useState(false);
  const code = useRef<HTMLElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2_000);
    } catch {
      // No clipboard (an http:// address other than localhost): select it for Ctrl+C instead.
      const selection = getSelection();
      if (code.current && selection) selection.selectAllChildren(code.current);
    }
  }
  return (
    <div className="onboarding-copy">
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: Chromium names the code by this label, and the tests find it by it. */}
      <code ref={code} aria-label={label}>
        {text}
      </code>
      <button type="button" className="button button-small" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
        <span className="visually-hidden"> {label}</span>
      </button>
      <span className="visually-hidden" role="status">
        {copied ? `${label} copied` : ''}
      </span>
    </div>
  );
}

export function Onboarding({ origin = location.origin }: { origin?: string }) {
  const contact = `${origin}/contact`;
  const snippet = `<script src="${origin}/widget.js" data-onethread async></script>`;
  return (
    <section className="onboarding" aria-labelledby="onboarding-title" data-testid="onboarding">
      <h2 id="onboarding-title">No conversations yet</h2>
      <p className="onboarding-lead">Here is how the first one gets in. Each way lands in this same inbox.</p>
      <ol className="onboarding-steps">
        <li>
          <h3>Share the contact form</h3>
          <p>
            Anyone can write to you at{' '}
            <a href={contact} target="_blank" rel="noreferrer">
              {contact}
            </a>
            , no account needed. Link to it from your website or your email footer.
          </p>
        </li>
        <li>
          <h3>Add the chat widget to your website</h3>
          <p>
            Paste this before <code>&lt;/body&gt;</code> on your pages; visitors chat with the bot and the team:
          </p>
          <CopyBox label="Widget snippet" text={snippet} />
          <p className="onboarding-small">
            List your sites in <code>WIDGET_ALLOWED_ORIGINS</code> before going live.
          </p>
        </li>
        <li>
          <h3>Connect your support email</h3>
          <p>
            Set <code>SUPPORT_ADDRESSES</code> to your address and forward its mail to this server's SMTP port (<code>2525</code> unless{' '}
            <code>SMTP_LISTEN_PORT</code> says otherwise), or let Onethread fetch it with <code>IMAP_URL</code>. Set <code>SMTP_URL</code> so replies are
            mailed. The README's "Run it" and "Configuration" sections have the details.
          </p>
        </li>
        <li>
          <h3>Or look around with demo data</h3>
          <p>Run this on the server to fill the empty inbox with a demo team, 200 conversations and a few help-center articles:</p>
          <CopyBox label="Demo command" text="npx onethread demo" />
        </li>
      </ol>
    </section>
  );
}
