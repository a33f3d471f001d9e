import { useEffect } from 'react';
import { client, useSession } from './auth.js';
import { Mailbox } from './pages/Mailbox.js';
import { Notes } from './pages/Notes.js';
import { Sessions } from './pages/Sessions.js';
import { SignIn } from './pages/SignIn.js';
import { CheckMail, SignUp } from './pages/SignUp.js';
import { VerifyEmail } from './pages/VerifyEmail.js';
import { Link, navigate, useLocation } from './router.js';

/** Pages that need a session, and pages that make no sense with one. */
const PRIVATE = new Set(['/notes', '/sessions']);
const SIGNED_OUT_ONLY = new Set(['/', '/sign-in', '/sign-up']);

export function App() {
  const session = useSession();
  const { path, query } = useLocation();
  const signedIn = session.status === 'signed_in';

  // Signed out (here, in another tab, or by a refresh that failed) on a private page, or
  // signed in on the sign-in page: go where the visitor belongs.
  const redirect =
    session.status === 'loading'
      ? undefined
      : !signedIn && PRIVATE.has(path)
        ? '/sign-in'
        : signedIn && SIGNED_OUT_ONLY.has(path)
          ? '/notes'
          : undefined;
  useEffect(() => {
    if (redirect !== undefined) navigate(redirect, { replace: true });
  }, [redirect]);

  async function signOut() {
    // Revokes the session and clears the refresh cookie; other tabs hear of it too.
    await client.logout().catch(() => {});
    navigate('/sign-in');
  }

  return (
    <>
      <header>
        <strong>Portcullis notes</strong>
        <nav>
          {signedIn ? (
            <>
              <Link href="/notes">Notes</Link> <Link href="/sessions">Sessions</Link>{' '}
              <span data-testid="whoami">{session.user.email}</span>{' '}
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <Link href="/sign-in">Sign in</Link> <Link href="/sign-up">Sign up</Link>
            </>
          )}
        </nav>
      </header>
      <main>
        {session.status === 'loading' || redirect !== undefined ? (
          <p>Loading…</p>
        ) : (
          page(path, query)
        )}
      </main>
    </>
  );
}

function page(path: string, query: URLSearchParams) {
  switch (path) {
    case '/sign-in':
      return <SignIn notice={query.get('notice')} />;
    case '/sign-up':
      return <SignUp />;
    case '/check-mail':
      return <CheckMail />;
    case '/verify-email':
      return <VerifyEmail />;
    case '/notes':
      return <Notes />;
    case '/sessions':
      return <Sessions />;
    case '/dev/mailbox':
      return <Mailbox />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <Link href="/">Home</Link>
        </section>
      );
  }
}
