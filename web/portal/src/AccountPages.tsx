import { useState } from 'react';
import { useSubmit } from '../../src/ui/useSubmit';
import type { Session } from './App';
import { portalApi } from './api';
import { follow, navigate } from './router';

// Signing up, in, and back in: the forms and the two pages mailed links open.

type OnSignedIn = (session: Session) => void;

export function LoginPage({ onSignedIn }: { onSignedIn: OnSignedIn }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => onSignedIn(await portalApi.login(email, password)));
  return (
    <form className="card" onSubmit={submit}>
      <h1>Log in</h1>
      <label>
        Email
        <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Log in
      </button>
      <p>
        <a href="/portal/forgot" onClick={follow}>
          Forgot your password?
        </a>{' '}
        ·{' '}
        <a href="/portal/signup" onClick={follow}>
          Create an account
        </a>
      </p>
    </form>
  );
}

export function SignupPage() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sent, setSent] = useState(false);
  // The answer is the same whether or not the address had an account: the mail says which.
  const { busy, error, submit } = useSubmit(async () => {
    await portalApi.register(name, email, password);
    setSent(true);
  });
  if (sent) {
    return (
      <div className="card">
        <h1>Check your mail</h1>
        <p role="status">
          We have sent a link to {email}. Open it and enter your password to confirm the address and sign in. If the address already has an account, the mail
          tells you how to get into it instead.
        </p>
        <p>
          <a href="/portal" onClick={follow}>
            Back to log in
          </a>
        </p>
      </div>
    );
  }
  return (
    <form className="card" onSubmit={submit}>
      <h1>Create an account</h1>
      <label>
        Name
        <input autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Email
        <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <p className="muted">At least 8 characters. We will mail you a link to confirm the address; you sign in with it.</p>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Create account
      </button>
      <p>
        <a href="/portal" onClick={follow}>
          I already have an account
        </a>
      </p>
    </form>
  );
}

export function ForgotPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    await portalApi.requestReset(email);
    setSent(true);
  });
  if (sent) {
    return (
      <div className="card">
        <h1>Check your mail</h1>
        <p role="status">If there is an account for {email}, we have sent it a link to set a new password. The link works once, for one hour.</p>
        <p>
          <a href="/portal" onClick={follow}>
            Back to log in
          </a>
        </p>
      </div>
    );
  }
  return (
    <form className="card" onSubmit={submit}>
      <h1>Set a new password</h1>
      <p>Also for a first password, if you have written to us before.</p>
      <label>
        Email
        <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy}>
        Send me a link
      </button>
      <p>
        <a href="/portal" onClick={follow}>
          Back to log in
        </a>
      </p>
    </form>
  );
}

export function ResetPage({ token, onSignedIn }: { token: string; onSignedIn: OnSignedIn }) {
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    onSignedIn(await portalApi.confirmReset(token, password));
    navigate('/portal');
  });
  return (
    <form className="card" onSubmit={submit}>
      <h1>Choose a new password</h1>
      <label>
        New password
        <input type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <p role="alert">
          {error}{' '}
          <a href="/portal/forgot" onClick={follow}>
            Ask for a new link
          </a>
        </p>
      )}
      <button type="submit" disabled={busy || !token}>
        Save password
      </button>
    </form>
  );
}

// The link proves the mailbox, the password the account: someone may have signed up with
// another person's address, and that person must not confirm it for them.
export function VerifyPage({ token, onSignedIn }: { token: string; onSignedIn: OnSignedIn }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, submit } = useSubmit(async () => {
    onSignedIn(await portalApi.verify(token, password));
    setDone(true);
  });
  if (done) {
    return (
      <div className="card">
        <h1>Confirm your address</h1>
        <p role="status">
          Thank you, your address is confirmed.{' '}
          <a href="/portal" onClick={follow}>
            See all your conversations
          </a>
        </p>
      </div>
    );
  }
  return (
    <form className="card" onSubmit={submit}>
      <h1>Confirm your address</h1>
      <p>Enter the password you chose when you signed up.</p>
      <label>
        Password
        <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy || !token}>
        Confirm address
      </button>
      <p>
        Did not sign up yourself, or forgot the password?{' '}
        <a href="/portal/forgot" onClick={follow}>
          Choose a new password
        </a>
        : that confirms the address too.
      </p>
    </form>
  );
}
