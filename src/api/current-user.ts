// REST v1 /security/current-user: who the request is (a user, or anonymous) and what it may do in each
// administrative domain, so a client such as the web UI can hide what would only answer 403. It reports the
// Authorizer's own answers (security/access.ts), an API token's narrowing included; it grants nothing.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../security/access.js';
import type { Wharf } from '../wharf.js';

/** The domains and actions the REST API checks (nx-<domain>-<action>); repository-admin is any repository's configuration. */
export const DOMAIN_ACTIONS: Record<string, string[]> = {
  users: ['read', 'create', 'update', 'delete'],
  roles: ['read', 'create', 'update', 'delete'],
  privileges: ['read'],
  settings: ['read', 'create', 'update', 'delete'],
  tasks: ['read', 'create', 'update', 'delete', 'start', 'stop'],
  blobstores: ['read', 'create', 'update', 'delete'],
  ldap: ['read', 'create', 'update', 'delete'],
  audit: ['read'],
  healthcheck: ['read'],
  'repository-admin': ['read', 'add', 'edit', 'delete'],
};

const Example = {
  userId: 'jsmith', anonymous: false, realm: 'local', firstName: 'John', lastName: 'Smith', roles: ['developers'], token: false,
  permissions: { users: [], roles: [], privileges: [], settings: ['read'], tasks: ['read'], blobstores: ['read'], audit: [], healthcheck: ['read'], 'repository-admin': ['read'] },
  anonymousAccess: true,
};

const CurrentUser = Type.Object({
  userId: Type.Union([Type.String(), Type.Null()], { description: 'null when the request carries no credentials' }),
  anonymous: Type.Boolean(),
  realm: Type.Union([Type.String(), Type.Null()], { description: 'local or ldap; null when anonymous' }),
  firstName: Type.String(),
  lastName: Type.String(),
  roles: Type.Array(Type.String(), { description: 'The user\'s roles (anonymous: nx-anonymous when anonymous access is on)' }),
  token: Type.Boolean({ description: 'True when authenticated with an API token (its privileges narrow the permissions)' }),
  permissions: Type.Record(Type.String(), Type.Array(Type.String()), {
    description: `For each administrative domain (${Object.keys(DOMAIN_ACTIONS).join(', ')}), the actions allowed`,
  }),
  anonymousAccess: Type.Boolean({ description: 'Whether requests without credentials may read and browse' }),
}, { description: 'The caller and what it may administer', examples: [Example] });

async function describe(wharf: Wharf, principal: Principal | undefined): Promise<Static<typeof CurrentUser>> {
  const permissions = Object.fromEntries(Object.entries(DOMAIN_ACTIONS).map(([domain, actions]) =>
    [domain, actions.filter((a) => wharf.access.allowsDomain(principal, domain, a))]));
  const anonymousAccess = wharf.server.access.anonymous;
  if (!principal) {
    return { userId: null, anonymous: true, realm: null, firstName: '', lastName: '', roles: anonymousAccess ? ['nx-anonymous'] : [], token: false, permissions, anonymousAccess };
  }
  const record = await wharf.users.find(principal.userId);
  return {
    userId: principal.userId, anonymous: false, realm: principal.realm, firstName: record?.firstName ?? '', lastName: record?.lastName ?? '',
    roles: principal.roles, token: principal.tokenPrivileges !== undefined, permissions, anonymousAccess,
  };
}

export function registerCurrentUserRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/security/current-user', {
    schema: {
      tags: ['security: users'], summary: 'Who am I',
      description: 'The caller (or anonymous) and the actions it may take in each administrative domain. Needs no privilege; wrong credentials get 401.',
      response: { 200: CurrentUser },
    },
  }, async (request) => describe(wharf, request.user));
}
