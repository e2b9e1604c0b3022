// Privileges in Nexus's naming, parsed into what they grant:
//   nx-all                                          everything
//   nx-repository-view-<format>-<repo>-<action>     content: browse, read, add, edit, delete, or *
//   nx-repository-admin-<format>-<repo>-<action>    repository configuration
//   nx-<domain>-<action>  (nx-users-read, nx-roles-*, nx-settings-*, nx-tasks-*, nx-blobstores-* ...)
// <format> and <repo> may be *. A repository name may contain '-', so <format> is the first segment and
// <action> the last; what lies between is the repository.

export type ContentAction = 'browse' | 'read' | 'add' | 'edit' | 'delete';

export type Grant =
  | { kind: 'all' }
  | { kind: 'repository'; scope: 'view' | 'admin'; format: string; repository: string; action: string }
  | { kind: 'domain'; domain: string; action: string };

const REPOSITORY = /^nx-repository-(view|admin)-([^-]+)-(.+)-([^-]+)$/;
const DOMAIN = /^nx-([a-z-]+)-([a-z*]+)$/;

/** What a privilege name grants; undefined for names that grant nothing known. */
export function parsePrivilege(name: string): Grant | undefined {
  if (name === 'nx-all') return { kind: 'all' };
  const r = REPOSITORY.exec(name);
  if (r) return { kind: 'repository', scope: r[1] as 'view' | 'admin', format: r[2], repository: r[3], action: r[4] };
  const d = DOMAIN.exec(name);
  // Nexus names its wildcard domain privileges nx-<domain>-all (nx-users-all, nx-roles-all).
  if (d) return { kind: 'domain', domain: d[1], action: d[2] === 'all' ? '*' : d[2] };
  return undefined;
}

const matches = (pattern: string, value: string) => pattern === '*' || pattern === value;

/** True when `grant` allows `action` on content of repository `repository` of `format`. */
export function grantsContent(grant: Grant, format: string, repository: string, action: ContentAction): boolean {
  if (grant.kind === 'all') return true;
  if (grant.kind !== 'repository' || grant.scope !== 'view') return false;
  if (!matches(grant.format, format) || !matches(grant.repository, repository)) return false;
  // Nexus: read implies browse; edit does not imply add.
  return grant.action === '*' || grant.action === action || (action === 'browse' && grant.action === 'read');
}

/** True when `grant` allows `action` in an administrative domain such as users, roles, repositories. */
export function grantsDomain(grant: Grant, domain: string, action: string): boolean {
  if (grant.kind === 'all') return true;
  if (grant.kind === 'domain') return grant.domain === domain && matches(grant.action, action);
  if (grant.kind === 'repository' && grant.scope === 'admin' && domain === 'repository-admin') return matches(grant.action, action);
  return false;
}

/** True when `grant` allows `action` (browse, read, add, edit, delete) on the configuration of repository
 *  `repository` of `format` (nx-repository-admin-<format>-<repo>-<action>). */
export function grantsRepositoryAdmin(grant: Grant, format: string, repository: string, action: string): boolean {
  if (grant.kind === 'all') return true;
  if (grant.kind !== 'repository' || grant.scope !== 'admin') return false;
  if (!matches(grant.format, format) || !matches(grant.repository, repository)) return false;
  return grant.action === '*' || grant.action === action || (action === 'browse' && grant.action === 'read');
}

/** True when holding `have` already grants everything `want` grants (an API token may only narrow its user's
 *  privileges). Patterns compare as sets: `*` covers any value, a concrete value covers only itself. */
export function implies(have: Grant, want: Grant): boolean {
  if (have.kind === 'all') return true;
  if (want.kind === 'all') return false;
  if (have.kind === 'domain' && want.kind === 'domain') return have.domain === want.domain && matches(have.action, want.action);
  if (have.kind === 'repository' && want.kind === 'repository') {
    return have.scope === want.scope && matches(have.format, want.format) && matches(have.repository, want.repository)
      && (matches(have.action, want.action) || (want.action === 'browse' && have.action === 'read'));
  }
  return false;
}
