import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { Me } from '../../src/api/types';
import { ForgotPage, LoginPage, ResetPage, SignupPage, VerifyPage } from './AccountPages';
import { ApiError, errorText, portalApi, rememberCsrf } from './api';
import { ContactPage } from './ContactPage';
import { ConversationPage } from './ConversationPage';
import { ConversationsPage } from './ConversationsPage';
import { NewTicketPage } from './NewTicketPage';
import { follow, navigate, useLocation } from './router';

// The customer portal (/portal/…) and the public contact form (/contact): one small app,
// separate from the team's inbox, on the same API.

export type Session = Me;

export function App() {
  const { path, query } = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);

  const signedIn = useCallback((me: Session | null) => {
    rememberCsrf(me?.csrfToken ?? null);
    setSession(me);
  }, []);

  useEffect(() => {
    portalApi.me().then(signedIn, (error) => {
      if (error instanceof ApiError && error.status === 401) signedIn(null);
      else setLoadError(errorText(error));
    });
  }, [signedIn]);

  if (path === '/contact') return <ContactPage embed={query.get('embed') === '1'} />;

  if (loadError)
    return (
      <Frame>
        <p role="alert">{loadError}</p>
      </Frame>
    );
  if (session === undefined)
    return (
      <Frame>
        <p className="muted">Loading…</p>
      </Frame>
    );

  const logOut = async () => {
    await portalApi.logout().catch(() => undefined);
    signedIn(null);
    navigate('/portal');
  };

  // Pages reached from a mailed link work signed in or out.
  if (path === '/portal/verify')
    return (
      <Frame session={session} onLogOut={logOut}>
        <VerifyPage token={query.get('token') ?? ''} onSignedIn={signedIn} />
      </Frame>
    );
  if (path === '/portal/reset')
    return (
      <Frame session={session} onLogOut={logOut}>
        <ResetPage token={query.get('token') ?? ''} onSignedIn={signedIn} />
      </Frame>
    );

  if (!session) {
    const page = path === '/portal/signup' ? <SignupPage /> : path === '/portal/forgot' ? <ForgotPage /> : <LoginPage onSignedIn={signedIn} />;
    return <Frame>{page}</Frame>;
  }
  if (session.user.role !== 'customer') {
    return (
      <Frame session={session} onLogOut={logOut}>
        <p>
          You are signed in as a member of the team. The portal is for customers; <a href="/">go to the inbox</a>.
        </p>
      </Frame>
    );
  }

  const conversation = /^\/portal\/conversations\/([^/]+)$/.exec(path);
  return (
    <Frame session={session} onLogOut={logOut}>
      {session.user.emailVerified === false && <VerifyBanner email={session.user.email} />}
      {conversation ? (
        <ConversationPage key={conversation[1]} reference={decodeURIComponent(conversation[1]!)} />
      ) : path === '/portal/new' ? (
        <NewTicketPage />
      ) : (
        <ConversationsPage />
      )}
    </Frame>
  );
}

function Frame({ session, onLogOut, children }: { session?: Session | null; onLogOut?: () => void; children: ReactNode }) {
  return (
    <div className="portal">
      <header className="top">
        <a className="brand" href="/portal" onClick={follow}>
          Support
        </a>
        {/* The help center is plain server pages, not part of this app: an ordinary link. */}
        <a href="/help">Help center</a>
        {session && (
          <nav aria-label="Account">
            <span className="muted">{session.user.name}</span>
            <button type="button" className="link" onClick={onLogOut}>
              Log out
            </button>
          </nav>
        )}
      </header>
      <main>{children}</main>
    </div>
  );
}

function VerifyBanner({ email }: { email: string }) {
  const [state, setState] = useState<'idle' | 'sending' | 'sent' | string>('idle');
  const resend = async () => {
    setState('sending');
    try {
      await portalApi.resendVerification();
      setState('sent');
    } catch (error) {
      setState(errorText(error));
    }
  };
  return (
    <div className="banner" role="status">
      <p>
        Please confirm that <strong>{email}</strong> is yours with the link we mailed you. Until then you see only the conversations you started here, not those
        by email or the contact form.
      </p>
      {state === 'sent' ? (
        <p>We sent a new link.</p>
      ) : (
        <button type="button" className="link" onClick={resend} disabled={state === 'sending'}>
          Send the link again
        </button>
      )}
      {state !== 'idle' && state !== 'sending' && state !== 'sent' && <p role="alert">{state}</p>}
    </div>
  );
}
