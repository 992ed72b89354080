import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { navigate } from '../app/route';
import { useSignIn } from './session';
import './auth.css';

export function LoginPage() {
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>Onethread</span>
        </div>
        <h1 id="login-title">Sign in to your inbox</h1>
        <label className="field">
          <span>Email</span>
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span>Password</span>
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="auth-links">
          <a
            href="/forgot-password"
            onClick={(event) => {
              event.preventDefault();
              navigate({ page: 'forgot' });
            }}
          >
            Forgot your password?
          </a>
        </p>
      </form>
    </main>
  );
}
