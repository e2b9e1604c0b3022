// Who may do what: the one place that decides. A request's principal (a signed-in user, or nobody) gets the
// grants of its roles (anonymous: the nx-anonymous role when anonymous access is on); an API token narrows
// them to the privileges it lists. Denied without credentials is 401 (so clients offer them), with is 403.
import { ForbiddenError, UnauthorizedError } from '../repository/errors.js';
import type { RepositoryConfig } from '../repository/model.js';
import { grantsContent, grantsDomain, grantsRepositoryAdmin, parsePrivilege, type ContentAction, type Grant } from './privileges.js';
import type { Roles } from './roles.js';

export type Action = ContentAction;

export interface Principal {
  userId: string;
  roles: string[];
  /** local | ldap */
  realm: string;
  /** Set when authenticated with an API token that lists privileges: only those of the user's apply. */
  tokenPrivileges?: string[];
  /** Set when authenticated with a Docker bearer token: the names and actions it grants, and nothing else. */
  dockerAccess?: { name: string; actions: string[] }[];
}

export const ANONYMOUS_ROLES = ['nx-anonymous'];

export class Authorizer {
  constructor(private readonly roles: Roles, private readonly anonymousEnabled: () => boolean) {}

  private grants(principal: Principal | undefined): { grants: Grant[]; narrow?: Grant[] } {
    if (!principal) return { grants: this.anonymousEnabled() ? this.roles.grants(ANONYMOUS_ROLES) : [] };
    const narrow = principal.tokenPrivileges?.length
      ? principal.tokenPrivileges.map(parsePrivilege).filter((g): g is Grant => !!g) : undefined;
    return { grants: this.roles.grants(principal.roles), narrow };
  }

  /** True when `principal` may do `action` on content of `repo`. */
  allows(principal: Principal | undefined, repo: RepositoryConfig, action: Action): boolean {
    const { grants, narrow } = this.grants(principal);
    const test = (g: Grant) => grantsContent(g, repo.format, repo.name, action);
    return grants.some(test) && (!narrow || narrow.some(test));
  }

  /** True when `principal` may do `action` in an administrative domain (users, roles, settings, ...). */
  allowsDomain(principal: Principal | undefined, domain: string, action: string): boolean {
    const { grants, narrow } = this.grants(principal);
    const test = (g: Grant) => grantsDomain(g, domain, action);
    return grants.some(test) && (!narrow || narrow.some(test));
  }

  /** Throws unless `principal` may do `action` on the configuration of repository `name` of `format`. */
  checkRepositoryAdmin(principal: Principal | undefined, format: string, name: string, action: string): void {
    const { grants, narrow } = this.grants(principal);
    const test = (g: Grant) => grantsRepositoryAdmin(g, format, name, action);
    if (grants.some(test) && (!narrow || narrow.some(test))) return;
    if (!principal) throw new UnauthorizedError('authentication required');
    throw new ForbiddenError(`user ${principal.userId} may not ${action} the configuration of ${name}`);
  }

  /** Throws UnauthorizedError (anonymous) or ForbiddenError (signed in) unless allowed. */
  check(principal: Principal | undefined, repo: RepositoryConfig, action: Action): void {
    if (this.allows(principal, repo, action)) return;
    if (!principal) throw new UnauthorizedError(`authentication required to ${action} in ${repo.name}`);
    throw new ForbiddenError(`user ${principal.userId} may not ${action} in ${repo.name}`);
  }

  checkDomain(principal: Principal | undefined, domain: string, action: string): void {
    if (this.allowsDomain(principal, domain, action)) return;
    if (!principal) throw new UnauthorizedError(`authentication required`);
    throw new ForbiddenError(`user ${principal.userId} may not ${action} ${domain}`);
  }
}

/** Throws unless allowed (see Authorizer.check). */
export function authorize(access: Authorizer, principal: Principal | undefined, repo: RepositoryConfig, action: Action): void {
  access.check(principal, repo, action);
}

/** True when the principal may see the repository at all (for listings and catalogs). */
export function canBrowse(access: Authorizer, principal: Principal | undefined, repo: RepositoryConfig): boolean {
  return access.allows(principal, repo, 'browse');
}
