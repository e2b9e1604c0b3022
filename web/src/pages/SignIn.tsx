// Sign in with a local or LDAP user's password, or an API token as the password. Anonymous browsing, when
// the server allows it, is one click away and says so.
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { ErrorNote, Field } from '../ui';

export function SignIn() {
  const { signIn, user, expired } = useSession();
  const { query } = useLocation();
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const next = query.get('next') ?? '/';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(userId.trim(), password);
      navigate(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new ApiError(401, 'Wrong user name or password (or token).') : err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form onSubmit={submit} className="card signin-card" aria-labelledby="page-title">
        <div className="signin-brand" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="40" height="40"><rect width="32" height="32" rx="7" fill="#0f4c81" /><path d="M6 20h20l-3 6H9zM10 9h5v9h-5zM17 6h5v12h-5z" fill="#fff" /></svg>
        </div>
        <h1 id="page-title" tabIndex={-1}>Sign in to Wharf</h1>
        {expired && <div className="note warn" role="status">Your session ended (password changed or token revoked). Sign in again.</div>}
        <Field label="User name">{(id) => <input id={id} name="username" autoComplete="username" required autoFocus value={userId} onChange={(e) => setUserId(e.target.value)} />}</Field>
        <Field label="Password or API token" hint="LDAP users use their directory password.">
          {(id, d) => <input id={id} name="password" type="password" autoComplete="current-password" required aria-describedby={d} value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <ErrorNote error={error} title="Not signed in" />
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {user?.anonymousAccess && <p className="muted center"><Link to="/">Continue without signing in</Link> (anonymous: read and browse only)</p>}
      </form>
    </main>
  );
}
