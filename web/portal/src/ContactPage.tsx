import { useEffect, useState } from 'react';
import { useSubmit } from '../../src/ui/useSubmit';
import { portalApi, rememberCsrf } from './api';

// The public contact form, also embedded on other sites (`/contact?embed=1` in an iframe:
// compact, no header). No account needed. `website` is the honeypot: moved off-screen and
// out of the tab order, so only bots fill it in.

export function ContactPage({ embed }: { embed: boolean }) {
  const [fields, setFields] = useState({ name: '', email: '', subject: '', message: '', website: '' });
  const [number, setNumber] = useState<string | null>(null);

  // A visitor signed in on this site sends the session cookie, and with it must send its CSRF token.
  useEffect(() => {
    portalApi.me().then(
      (me) => rememberCsrf(me.csrfToken),
      () => undefined,
    );
  }, []);

  const set = (name: keyof typeof fields) => (event: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: event.target.value }));

  const { busy, error, submit } = useSubmit(async () => setNumber((await portalApi.contact(fields)).number));

  return (
    <div className={embed ? 'portal embed' : 'portal'}>
      <main>
        {number ? (
          <div className="card">
            <h1>Thank you</h1>
            <p role="status">
              We have your message as <strong>{number}</strong> and will answer by email.
            </p>
          </div>
        ) : (
          <form className="card wide" onSubmit={submit}>
            <h1>Contact us</h1>
            <label>
              Name
              <input autoComplete="name" required maxLength={200} value={fields.name} onChange={set('name')} />
            </label>
            <label>
              Email
              <input type="email" autoComplete="email" required maxLength={254} value={fields.email} onChange={set('email')} />
            </label>
            <label>
              Subject
              <input required maxLength={500} value={fields.subject} onChange={set('subject')} />
            </label>
            <label>
              Message
              <textarea required rows={embed ? 5 : 8} maxLength={20000} value={fields.message} onChange={set('message')} />
            </label>
            <div className="hp" aria-hidden="true">
              <label>
                Website (leave empty)
                <input name="website" tabIndex={-1} autoComplete="off" value={fields.website} onChange={set('website')} />
              </label>
            </div>
            {error && <p role="alert">{error}</p>}
            <button type="submit" disabled={busy}>
              {busy ? 'Sending…' : 'Send message'}
            </button>
            {!embed && (
              <p className="muted">
                Have an account? <a href="/portal">Follow your conversations in the portal</a>.
              </p>
            )}
          </form>
        )}
      </main>
    </div>
  );
}
