// The frame of every page (skip link, header, sidebar, main) and the table of client-side routes.
import { useEffect, type ReactNode } from 'react';
import { Link, match, navigate, useLocation } from './router';
import { useSession } from './session';
import { Loading } from './ui';
import { SignIn } from './pages/SignIn';
import { Repositories } from './pages/Repositories';
import { RepositoryContent } from './pages/RepositoryContent';
import { DockerImage } from './pages/DockerImage';
import { Search } from './pages/Search';
import { RepositoryAdmin, RepositoryForm } from './pages/RepositoryAdmin';
import { BlobStores } from './pages/BlobStores';
import { CleanupPolicies, CleanupPolicyForm } from './pages/CleanupPolicies';
import { TaskHistory, Tasks } from './pages/Tasks';
import { UserForm, Users } from './pages/Users';
import { RoleForm, Roles } from './pages/Roles';
import { Privileges } from './pages/Privileges';
import { SecuritySettings } from './pages/SecuritySettings';
import { LdapSettings } from './pages/LdapSettings';
import { ApiTokens } from './pages/ApiTokens';
import { Audit } from './pages/Audit';
import { SystemStatus } from './pages/SystemStatus';

interface Route { path: string; page: (p: Record<string, string>) => ReactNode; needs?: [string, string] }

const ROUTES: Route[] = [
  { path: '/', page: () => <Repositories /> },
  { path: '/browse', page: () => <Repositories /> },
  { path: '/browse/:repo', page: (p) => <RepositoryContent repo={p.repo} /> },
  { path: '/browse/:repo/image/*', page: (p) => <DockerImage repo={p.repo} reference={p['*']} /> },
  { path: '/search', page: () => <Search /> },
  { path: '/admin/repositories', page: () => <RepositoryAdmin />, needs: ['repository-admin', 'read'] },
  { path: '/admin/repositories/new', page: () => <RepositoryForm />, needs: ['repository-admin', 'add'] },
  { path: '/admin/repositories/:name', page: (p) => <RepositoryForm name={p.name} />, needs: ['repository-admin', 'read'] },
  { path: '/admin/blobstores', page: () => <BlobStores />, needs: ['blobstores', 'read'] },
  { path: '/admin/cleanup', page: () => <CleanupPolicies />, needs: ['settings', 'read'] },
  { path: '/admin/cleanup/new', page: () => <CleanupPolicyForm />, needs: ['settings', 'create'] },
  { path: '/admin/cleanup/:name', page: (p) => <CleanupPolicyForm name={p.name} />, needs: ['settings', 'read'] },
  { path: '/admin/tasks', page: () => <Tasks />, needs: ['tasks', 'read'] },
  { path: '/admin/tasks/:id', page: (p) => <TaskHistory id={p.id} />, needs: ['tasks', 'read'] },
  { path: '/admin/users', page: () => <Users />, needs: ['users', 'read'] },
  { path: '/admin/users/new', page: () => <UserForm />, needs: ['users', 'create'] },
  { path: '/admin/users/:id', page: (p) => <UserForm userId={p.id} />, needs: ['users', 'read'] },
  { path: '/admin/roles', page: () => <Roles />, needs: ['roles', 'read'] },
  { path: '/admin/roles/new', page: () => <RoleForm />, needs: ['roles', 'create'] },
  { path: '/admin/roles/:id', page: (p) => <RoleForm id={p.id} />, needs: ['roles', 'read'] },
  { path: '/admin/privileges', page: () => <Privileges />, needs: ['privileges', 'read'] },
  { path: '/admin/security', page: () => <SecuritySettings />, needs: ['settings', 'read'] },
  { path: '/admin/security/ldap', page: () => <LdapSettings />, needs: ['ldap', 'read'] },
  { path: '/admin/audit', page: () => <Audit />, needs: ['audit', 'read'] },
  { path: '/admin/status', page: () => <SystemStatus />, needs: ['healthcheck', 'read'] },
  { path: '/tokens', page: () => <ApiTokens /> },
];

const NAV: { section: string; items: { to: string; label: string; needs?: [string, string]; signedIn?: boolean }[] }[] = [
  { section: 'Browse', items: [{ to: '/browse', label: 'Repositories' }, { to: '/search', label: 'Search' }] },
  {
    section: 'Administration', items: [
      { to: '/admin/repositories', label: 'Repositories', needs: ['repository-admin', 'read'] },
      { to: '/admin/blobstores', label: 'Blob stores', needs: ['blobstores', 'read'] },
      { to: '/admin/cleanup', label: 'Cleanup policies', needs: ['settings', 'read'] },
      { to: '/admin/tasks', label: 'Tasks', needs: ['tasks', 'read'] },
      { to: '/admin/users', label: 'Users', needs: ['users', 'read'] },
      { to: '/admin/roles', label: 'Roles', needs: ['roles', 'read'] },
      { to: '/admin/privileges', label: 'Privileges', needs: ['privileges', 'read'] },
      { to: '/admin/security', label: 'Realms & access', needs: ['settings', 'read'] },
      { to: '/admin/audit', label: 'Audit log', needs: ['audit', 'read'] },
      { to: '/admin/status', label: 'System status', needs: ['healthcheck', 'read'] },
    ],
  },
  { section: 'Account', items: [{ to: '/tokens', label: 'API tokens', signedIn: true }] },
];

function Sidebar({ path }: { path: string }) {
  const { can, user } = useSession();
  return (
    <nav className="sidebar" aria-label="Main">
      {NAV.map(({ section, items }) => {
        const shown = items.filter((i) => (!i.needs || can(...i.needs)) && (!i.signedIn || !user?.anonymous));
        if (!shown.length) return null;
        return (
          <div key={section} className="nav-section">
            <h2>{section}</h2>
            <ul>
              {shown.map((i) => {
                const current = path === i.to || path.startsWith(`${i.to}/`) || (i.to === '/browse' && path === '/');
                return <li key={i.to}><Link to={i.to} aria-current={current ? 'page' : undefined}>{i.label}</Link></li>;
              })}
            </ul>
          </div>
        );
      })}
    </nav>
  );
}

function Header() {
  const { user, signOut } = useSession();
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="Wharf home">
        <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#fff" fillOpacity=".15" /><path d="M6 20h20l-3 6H9zM10 9h5v9h-5zM17 6h5v12h-5z" fill="#fff" /></svg>
        <span>Wharf</span>
      </Link>
      <div className="who">
        {user?.anonymous ? (
          <>
            <span className="badge neutral" title="You are browsing without signing in">Anonymous</span>
            <Link to="/signin" className="button small">Sign in</Link>
          </>
        ) : (
          <>
            <span aria-label="Signed in as">{user?.userId}{user?.token ? ' (API token)' : ''}</span>
            <button type="button" className="small" onClick={() => { signOut(); navigate('/'); }}>Sign out</button>
          </>
        )}
      </div>
    </header>
  );
}

export function App() {
  const { path } = useLocation();
  const { user, can } = useSession();

  // After a client-side navigation, move focus to the new page's title, as a page load would.
  useEffect(() => { document.getElementById('page-title')?.focus({ preventScroll: true }); }, [path]);

  if (!user) return <Loading label="Starting" />;
  if (path === '/signin') return <SignIn />;
  if (!user.anonymousAccess && user.anonymous) return <SignIn />;

  let content: ReactNode = <NotFound />;
  for (const route of ROUTES) {
    const params = match(route.path, path);
    if (!params) continue;
    content = route.needs && !can(...route.needs) ? <Denied signedIn={!user.anonymous} /> : route.page(params);
    break;
  }
  return (
    <div className="shell">
      <a href="#main" className="skip">Skip to content</a>
      <Header />
      <Sidebar path={path} />
      <main id="main" tabIndex={-1}>{content}</main>
    </div>
  );
}

function NotFound() {
  return <div className="empty-page"><h1 id="page-title" tabIndex={-1}>Page not found</h1><p>This address is not a page of Wharf. <Link to="/">Go to the repositories</Link>.</p></div>;
}

function Denied({ signedIn }: { signedIn: boolean }) {
  return (
    <div className="empty-page">
      <h1 id="page-title" tabIndex={-1}>Not allowed</h1>
      <p>{signedIn ? 'Your roles do not grant access to this page. Ask an administrator for the privilege.' : 'Sign in to see this page.'}</p>
      {!signedIn && <Link to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} className="button primary">Sign in</Link>}
    </div>
  );
}
