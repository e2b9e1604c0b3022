// REST v1 /security/privileges: the privileges that exist (privilege-catalog.ts), in Nexus's shape, for
// building roles. They are names, not stored objects, so the list is read-only. Needs nx-privileges-read.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../repository/errors.js';
import type { Wharf } from '../wharf.js';
import { privilegeCatalog } from './privilege-catalog.js';
import { errorResponses, StringEnum } from './schemas.js';

const TAGS = ['security: privileges'];

const ApiPrivilegeSchema = Type.Object({
  type: StringEnum(['wildcard', 'application', 'repository-view', 'repository-admin'] as const),
  name: Type.String(),
  description: Type.String(),
  readOnly: Type.Boolean(),
  pattern: Type.Optional(Type.String({ description: 'wildcard: the permission pattern' })),
  domain: Type.Optional(Type.String({ description: 'application: the administrative domain' })),
  format: Type.Optional(Type.String({ description: 'repository-*: the format, or *' })),
  repository: Type.Optional(Type.String({ description: 'repository-*: the repository, or *' })),
  actions: Type.Optional(Type.Array(Type.String(), { description: 'BROWSE, READ, ADD, EDIT, DELETE, CREATE, UPDATE, ... or ALL' })),
}, {
  description: 'A privilege',
  examples: [{ type: 'repository-view', name: 'nx-repository-view-docker-docker-hosted-read', description: 'Read permission for the content of repository docker-hosted', readOnly: true, format: 'docker', repository: 'docker-hosted', actions: ['READ'] }],
});

const NameParams = Type.Object({ name: Type.String({ description: 'The privilege name', examples: ['nx-users-read'] }) });

export function registerPrivilegeRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get('/security/privileges', {
    schema: {
      tags: TAGS, summary: 'List privileges', description: 'Every privilege: nx-all, the domain privileges (nx-users-read, nx-roles-* ...) and per repository nx-repository-view-<format>-<repo>-<action> and nx-repository-admin-..., with their wildcard forms. Needs nx-privileges-read.',
      response: { 200: Type.Array(ApiPrivilegeSchema, { examples: [[{ type: 'wildcard', name: 'nx-all', description: 'All permissions', readOnly: true, pattern: 'nexus:*' }]] }), ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'privileges', 'read');
    return privilegeCatalog(wharf);
  });

  app.get<{ Params: Static<typeof NameParams> }>('/security/privileges/:name', {
    schema: {
      tags: TAGS, summary: 'Get a privilege', description: 'One privilege by name. Needs nx-privileges-read.',
      params: NameParams, response: { 200: ApiPrivilegeSchema, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'privileges', 'read');
    const found = privilegeCatalog(wharf).find((p) => p.name === request.params.name);
    if (!found) throw new NotFoundError('name', `no such privilege: ${request.params.name}`);
    return found;
  });
}
