import { useQueryClient } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { setUnauthorizedHandler } from '../api/client';
import type { User } from '../api/types';
import { LoginPage } from '../auth/LoginPage';
import { ForgotPasswordPage, ResetPasswordPage } from '../auth/PasswordReset';
import { forgetAllButSession, useSession, useSignOut } from '../auth/session';
import { keys } from '../inbox/cache';
import { InboxPage } from '../inbox/InboxPage';
import { Sidebar } from '../inbox/Sidebar';
import { KnowledgeBasePage } from '../kb/KnowledgeBasePage';
import { ConnectionBanner } from '../live/ConnectionBanner';
import { LiveProvider, useLive } from '../live/LiveProvider';
import { ProfilePage } from '../profile/ProfilePage';
import { LoadBoundary } from '../reports/LoadBoundary';
import { TeamPage } from '../team/TeamPage';
import { Dialog } from '../ui/Dialog';
import { SHORTCUTS, useShortcut } from '../ui/keyboard';
import { Failed, Loading } from '../ui/states';
import { Toasts } from '../ui/toasts';
import { inboxRoute, useRoute } from './route';

// Reports carry their charts (uPlot) and are the admins' alone: loaded when first opened,
// never part of the inbox's own bundle (its 250 kB budget, bench/web-bench.ts).
const ReportsPage = lazy(() => import('../reports/ReportsPage').then((m) => ({ default: m.ReportsPage })));

function Shell({ me }: { me: User }) {
  const route = useRoute();
  const live = useLive();
  const signOut = useSignOut();
  const [menuOpen, setMenuOpen] = useState(false);
  const [help, setHelp] = useState(false);
  useShortcut('?', () => setHelp(true));

  useEffect(() => {
    document.title =
      route.page === 'team'
        ? 'Team · Onethread'
        : route.page === 'kb'
          ? 'Knowledge base · Onethread'
          : route.page === 'profile'
            ? 'Your profile · Onethread'
            : route.page === 'reports'
              ? 'Reports · Onethread'
              : 'Inbox · Onethread';
  }, [route.page]);

  return (
    <div className="shell" data-menu={menuOpen || undefined}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar route={route} me={me} live={live.status} onNavigate={() => setMenuOpen(false)} onSignOut={() => void signOut()} />
      {menuOpen ? <button type="button" className="scrim" aria-label="Close views" onClick={() => setMenuOpen(false)} /> : null}
      <div className="main" id="main">
        <ConnectionBanner />
        {route.page === 'team' ? (
          <TeamPage me={me} onMenu={() => setMenuOpen(true)} />
        ) : route.page === 'kb' ? (
          <KnowledgeBasePage onMenu={() => setMenuOpen(true)} />
        ) : route.page === 'profile' ? (
          <ProfilePage me={me} onMenu={() => setMenuOpen(true)} />
        ) : route.page === 'reports' ? (
          <LoadBoundary what="the reports">
            <Suspense fallback={<Loading label="Loading reports…" />}>
              <ReportsPage search={route.search} onMenu={() => setMenuOpen(true)} />
            </Suspense>
          </LoadBoundary>
        ) : (
          <InboxPage route={inboxRoute(route)} me={me} onMenu={() => setMenuOpen(true)} />
        )}
      </div>
      <Dialog open={help} title="Keyboard shortcuts" onClose={() => setHelp(false)}>
        <dl className="shortcuts">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setHelp(false)} autoFocus>
            Close
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function NotForCustomers() {
  const signOut = useSignOut();
  return (
    <main className="login">
      <div className="login-card">
        <h1>This inbox is for the team</h1>
        <p>You are signed in as a customer. Your conversations are in the customer portal.</p>
        <button type="button" className="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </main>
  );
}

export function App() {
  const session = useSession();
  const client = useQueryClient();
  const route = useRoute();

  useEffect(() => {
    // A 401 anywhere means the session is gone: back to the sign-in form, same URL.
    setUnauthorizedHandler(() => {
      forgetAllButSession(client);
      client.setQueryData(keys.me, null);
    });
    return () => setUnauthorizedHandler(null);
  }, [client]);

  let content: ReactNode;
  // A mailed reset link works whoever is signed in here, or nobody.
  if (route.page === 'reset') content = <ResetPasswordPage token={route.token} />;
  else if (route.page === 'forgot' && !session.data) content = <ForgotPasswordPage />;
  else if (session.isPending) content = <Loading label="Loading…" />;
  else if (session.isError) content = <Failed what="your session" error={session.error} retry={() => void session.refetch()} />;
  else if (!session.data) content = <LoginPage />;
  else if (session.data.user.role === 'customer') content = <NotForCustomers />;
  else
    content = (
      <LiveProvider meId={session.data.user.id}>
        <Shell me={session.data.user} />
      </LiveProvider>
    );
  return (
    <>
      {content}
      <Toasts />
    </>
  );
}
