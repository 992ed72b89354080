import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { setCsrfToken } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { Me, User } from '../api/types';
import { keys } from '../inbox/cache';
import { NotificationPreferences } from '../notifications/NotificationPreferences';
import { Avatar } from '../ui/Avatar';
import { Icon } from '../ui/Icon';
import { showToast } from '../ui/toasts';
import { useSubmit } from '../ui/useSubmit';
import './profile.css';

// The signed-in team member's own page: the name customers see on replies, the signature
// under mailed replies, and the password. The address is shown, not edited: changing it
// needs a confirmation mailed to the new address, which this page does not do.

const MAX_NAME = 200;
const MAX_SIGNATURE = 2000;
const ROLE_NAMES = { admin: 'Admin', agent: 'Agent', customer: 'Customer' } as const;

function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** Puts the server's answer in the session cache (the sidebar, the composer) and refreshes the lists that show names. */
function useKeepUser() {
  const client = useQueryClient();
  return (user: User, csrfToken?: string) => {
    client.setQueryData<Me | null>(keys.me, (me) => (me ? { user, csrfToken: csrfToken ?? me.csrfToken } : me));
    void client.invalidateQueries({ queryKey: keys.agents });
    void client.invalidateQueries({ queryKey: keys.team });
  };
}

function NameForm({ me }: { me: User }) {
  const keep = useKeepUser();
  const [name, setName] = useState(me.name);
  const { busy, error, submit } = useSubmit(async () => {
    const { user } = await endpoints.updateMe({ name: name.trim() });
    keep(user);
    setName(user.name);
    showToast('info', 'Your name is saved');
  });
  return (
    <form className="card profile-card" onSubmit={submit} aria-labelledby="profile-name-title">
      <h2 id="profile-name-title">Name</h2>
      <p className="profile-hint">Customers see it on your replies, in the chat and in the mail they get from you; the team sees it everywhere.</p>
      <label className="field profile-field">
        <span>Your name</span>
        <input required maxLength={MAX_NAME} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <FormError error={error} />
      <button type="submit" className="button button-primary" disabled={busy || !name.trim() || name.trim() === me.name}>
        {busy ? 'Saving…' : 'Save name'}
      </button>
    </form>
  );
}

function SignatureForm({ me }: { me: User }) {
  const keep = useKeepUser();
  const saved = me.signature ?? '';
  const [signature, setSignature] = useState(saved);
  const { busy, error, submit } = useSubmit(async () => {
    const { user } = await endpoints.updateMe({ signature: signature.trim() ? signature : null });
    keep(user);
    setSignature(user.signature ?? '');
    showToast('info', user.signature ? 'Your signature is saved' : 'Your signature is removed');
  });
  return (
    <form className="card profile-card" onSubmit={submit} aria-labelledby="profile-signature-title">
      <h2 id="profile-signature-title">Email signature</h2>
      <p className="profile-hint">Plain text added below your replies that are mailed to customers. Internal notes and chat messages go without it.</p>
      <label className="field profile-field">
        <span>Your signature</span>
        <textarea
          rows={4}
          maxLength={MAX_SIGNATURE}
          value={signature}
          onChange={(e) => setSignature(e.target.value)}
          placeholder={`${me.name}\nSupport team`}
        />
      </label>
      <p className="profile-count" aria-live="polite">
        {signature.length} / {MAX_SIGNATURE}
      </p>
      <FormError error={error} />
      <button type="submit" className="button button-primary" disabled={busy || signature === saved}>
        {busy ? 'Saving…' : 'Save signature'}
      </button>
    </form>
  );
}

function PasswordForm() {
  const keep = useKeepUser();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, submit } = useSubmit(async () => {
    if (next !== repeat) return setError('The two new passwords are not the same.');
    // Every session and token of the account ends; the answer is this browser's new session.
    const signedIn = await endpoints.changePassword(current, next);
    setCsrfToken(signedIn.csrfToken);
    keep(signedIn.user, signedIn.csrfToken);
    setCurrent('');
    setNext('');
    setRepeat('');
    showToast('info', 'Password changed. You are signed out everywhere else, and your API tokens stopped working.', 8_000);
  });
  return (
    <form className="card profile-card" onSubmit={submit} aria-labelledby="profile-password-title">
      <h2 id="profile-password-title">Password</h2>
      <p className="profile-hint">Changing it signs you out on every other device and ends your API tokens; you stay signed in here.</p>
      <div className="form-grid">
        <label className="field">
          <span>Current password</span>
          <input type="password" required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label className="field">
          <span>New password</span>
          <input type="password" required minLength={8} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <label className="field">
          <span>Repeat the new password</span>
          <input type="password" required minLength={8} autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </label>
      </div>
      <FormError error={error} />
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

export function ProfilePage({ me, onMenu }: { me: User; onMenu(): void }) {
  return (
    <main className="team-page profile-page" aria-labelledby="profile-title">
      <header className="page-header">
        <button type="button" className="icon-button menu-button" onClick={onMenu} aria-label="Show views">
          <Icon name="menu" size={20} />
        </button>
        <h1 id="profile-title">Your profile</h1>
      </header>
      <div className="page-body">
        <section className="profile-summary" aria-label="You">
          <Avatar user={me} size="large" />
          <div>
            <p className="profile-summary-name">{me.name}</p>
            <p className="profile-hint">{ROLE_NAMES[me.role]} · your initials and colour are how the team tells your messages apart</p>
          </div>
        </section>
        <NameForm key={`name-${me.name}`} me={me} />
        <section className="card profile-card" aria-labelledby="profile-email-title">
          <h2 id="profile-email-title">Email address</h2>
          <p className="profile-email" data-testid="profile-email">
            {me.email}
          </p>
          <p className="profile-hint">
            You sign in with it and reset links go to it. It cannot be changed here yet: a new address first needs a confirmation mailed to it, which Onethread
            does not send yet.
          </p>
        </section>
        {me.role !== 'customer' ? <SignatureForm key={`signature-${me.signature ?? ''}`} me={me} /> : null}
        {me.role !== 'customer' ? <NotificationPreferences /> : null}
        <PasswordForm />
      </div>
    </main>
  );
}
