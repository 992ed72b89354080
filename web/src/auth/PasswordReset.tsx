import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { errorMessage, setCsrfToken } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Me } from '../api/types';
import { navigate } from '../app/route';
import { keys } from '../inbox/cache';
import { forgetAllButSession } from './session';
import './auth.css';

// "Forgot your password?" for the team: ask for a link, then choose a new password on the
// page the mailed link opens (/reset-password?token=…). Customers' links open the portal.

const toInbox = () => navigate({ page: 'inbox', view: 'open', filters: {}, q: '', conversationId: null }, { replace: true });

function Card({ title, children, onSubmit }: { title: string; children: ReactNode; onSubmit?(event: FormEvent): void }) {
  const body = (
    <>
      <div className="brand">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <span>Onethread</span>
      </div>
      <h1 id="auth-title">{title}</h1>
      {children}
    </>
  );
  return (
    <main className="login">
      {onSubmit ? (
        <form className="login-card" onSubmit={onSubmit} aria-labelledby="auth-title">
          {body}
        </form>
      ) : (
        <div className="login-card">{body}</div>
      )}
    </main>
  );
}

function BackToSignIn() {
  return (
    <p className="auth-links">
      <a
        href="/"
        onClick={(event) => {
          event.preventDefault();
          toInbox();
        }}
      >
        Back to sign in
      </a>
    </p>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await endpoints.requestPasswordReset(email.trim());
      setSent(true);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  if (sent) {
    return (
      <Card title="Check your mail">
        {/* The server answers the same for every address, so neither does this. */}
        <p role="status">If {email.trim()} has an account, we have sent it a link to choose a new password. The link works once, for one hour.</p>
        <p className="auth-hint">
          No mail? This server can only send it when an admin has set up outgoing mail (SMTP_URL); otherwise ask an admin to reset your password.
        </p>
        <BackToSignIn />
      </Card>
    );
  }
  return (
    <Card title="Forgot your password?" onSubmit={submit}>
      <p className="auth-hint">Enter the address you sign in with and we will mail you a link to choose a new password.</p>
      <label className="field">
        <span>Email</span>
        <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? 'Sending…' : 'Send me a link'}
      </button>
      <BackToSignIn />
    </Card>
  );
}

export function ResetPasswordPage({ token }: { token: string }) {
  const client = useQueryClient();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) return setError('The two passwords are not the same.');
    setBusy(true);
    setError(null);
    try {
      // The link signs this browser in, as whoever it was mailed to; every other session of theirs ended.
      const signedIn = await endpoints.confirmPasswordReset(token, password);
      setCsrfToken(signedIn.csrfToken);
      forgetAllButSession(client);
      client.setQueryData<Me>(keys.me, signedIn);
      if (signedIn.user.role === 'customer') location.assign('/portal');
      else toInbox();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <Card title="Choose a new password" onSubmit={submit}>
      <p className="auth-hint">This signs you out everywhere else, and your API tokens stop working.</p>
      <label className="field">
        <span>New password</span>
        <input type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
      </label>
      <label className="field">
        <span>Repeat the new password</span>
        <input type="password" autoComplete="new-password" required minLength={8} value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}{' '}
          <a
            href="/forgot-password"
            onClick={(event) => {
              event.preventDefault();
              navigate({ page: 'forgot' });
            }}
          >
            Ask for a new link
          </a>
        </p>
      ) : null}
      <button type="submit" className="button button-primary button-block" disabled={busy || !token}>
        {busy ? 'Saving…' : 'Save and sign in'}
      </button>
    </Card>
  );
}
