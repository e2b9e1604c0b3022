// The privileges that exist, as Nexus lists them: nx-all, the administrative domains (nx-users-read ...),
// and for every repository its content (repository-view) and configuration (repository-admin) privileges,
// with the wildcard forms per format and for all formats. Derived from the live repositories on each call.
import { formats } from '../formats/index.js';
import type { Wharf } from '../wharf.js';

export interface ApiPrivilege {
  type: 'wildcard' | 'application' | 'repository-view' | 'repository-admin';
  name: string;
  description: string;
  readOnly: boolean;
  pattern?: string;
  domain?: string;
  format?: string;
  repository?: string;
  actions?: string[];
}

/** Domains Wharf checks with Authorizer.checkDomain, with their actions and a label for descriptions. */
const DOMAINS: [domain: string, label: string, actions: string[]][] = [
  ['users', 'Users', ['read', 'create', 'update', 'delete']],
  ['roles', 'Roles', ['read', 'create', 'update', 'delete']],
  ['privileges', 'Privileges', ['read']],
  ['settings', 'Settings (anonymous access, realms)', ['read', 'update']],
  ['blobstores', 'Blob stores', ['read', 'create', 'update', 'delete']],
  ['tasks', 'Tasks', ['read', 'create', 'update', 'delete', 'start', 'stop']],
  ['ldap', 'LDAP', ['read', 'create', 'update', 'delete']],
  ['search', 'Search', ['read']],
  ['healthcheck', 'Health check', ['read']],
  ['audit', 'Audit log', ['read']],
  ['webhooks', 'Webhooks', ['read', 'create', 'update', 'delete']],
];

const CONTENT_ACTIONS = ['browse', 'read', 'add', 'edit', 'delete', '*'];

// Nexus spells the "any action" privilege's action ALL.
const upper = (action: string) => (action === '*' ? 'ALL' : action.toUpperCase());
const verb = (action: string) => (action === '*' ? 'All permissions' : `${action[0].toUpperCase()}${action.slice(1)} permission`);

function repositoryPrivileges(scope: 'view' | 'admin', format: string, repository: string): ApiPrivilege[] {
  const what = scope === 'view' ? 'content' : 'configuration';
  const of = repository === '*' ? (format === '*' ? 'all repositories' : `all ${format} repositories`) : `repository ${repository}`;
  return CONTENT_ACTIONS.map((action) => ({
    type: `repository-${scope}` as const, name: `nx-repository-${scope}-${format}-${repository}-${action}`,
    description: `${verb(action)} for the ${what} of ${of}`, readOnly: true, format, repository, actions: [upper(action)],
  }));
}

/** Every privilege, nx-all first, then domains, then repositories (wildcards before each format's repositories). */
export function privilegeCatalog(wharf: Wharf): ApiPrivilege[] {
  const list: ApiPrivilege[] = [{ type: 'wildcard', name: 'nx-all', description: 'All permissions', readOnly: true, pattern: 'nexus:*' }];
  for (const [domain, label, actions] of DOMAINS) {
    for (const action of actions.length > 1 ? [...actions, '*'] : actions) {
      list.push({ type: 'application', name: `nx-${domain}-${action}`, description: `${verb(action)} for ${label}`, readOnly: true, domain, actions: [upper(action)] });
    }
  }
  const repos = wharf.repositories.list();
  const formatNames = [...new Set([...Object.keys(formats), ...repos.map((r) => r.format)])].sort();
  for (const scope of ['view', 'admin'] as const) {
    list.push(...repositoryPrivileges(scope, '*', '*'));
    for (const format of formatNames) {
      list.push(...repositoryPrivileges(scope, format, '*'));
      for (const repo of repos.filter((r) => r.format === format)) list.push(...repositoryPrivileges(scope, format, repo.name));
    }
  }
  return list;
}
