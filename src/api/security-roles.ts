// REST v1 /security/roles: roles in Nexus's shape (named sets of privileges and other roles). Built-in roles
// (nx-admin, nx-anonymous) are read-only. Privileges: nx-roles-read/create/update/delete.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { RoleSchema } from '../config/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../repository/errors.js';
import { parsePrivilege } from '../security/privileges.js';
import { actor } from '../security/audit.js';
import type { Role } from '../security/roles.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, NoContent } from './schemas.js';

const TAGS = ['security: roles'];

const RoleExample = {
  id: 'platform-dev', name: 'Platform developers', description: 'Push to docker-latest',
  privileges: ['nx-repository-view-docker-docker-latest-*'], roles: [], source: 'default', readOnly: false,
};

const ApiRoleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  privileges: Type.Array(Type.String(), { description: 'Privilege names, e.g. nx-repository-view-docker-*-read' }),
  roles: Type.Array(Type.String(), { description: 'Ids of the roles this one contains' }),
  source: Type.String(),
  readOnly: Type.Boolean({ description: 'True for the built-in roles' }),
}, { description: 'A role', examples: [RoleExample] });

// The same field rules as wharf.yaml's roles (config/schema.ts).
const RoleBody = Type.Object({ ...RoleSchema.properties }, {
  description: 'A role: its id, and the privileges and roles it grants',
  examples: [{ id: 'platform-dev', name: 'Platform developers', description: 'Push to docker-latest', privileges: ['nx-repository-view-docker-docker-latest-*'], roles: [] }],
});

const RoleParams = Type.Object({ id: Type.String({ description: 'The role id', examples: ['platform-dev'] }) });
const ListQuery = Type.Object({ source: Type.Optional(Type.String({ description: 'Only roles of this source (default)' })) }, { examples: [{ source: 'default' }] });

/** The role a request body describes, after checking that its privileges parse and its roles exist. */
function roleFrom(wharf: Wharf, body: Static<typeof RoleBody>): Role {
  const badPrivileges = body.privileges.filter((p) => !parsePrivilege(p));
  if (badPrivileges.length) throw new InvalidError('PRIVILEGE_UNKNOWN', `not a privilege: ${badPrivileges.join(', ')}`, [{ field: 'privileges', in: 'body', message: `unknown: ${badPrivileges.join(', ')}` }]);
  const badRoles = body.roles.filter((r) => r === body.id || !wharf.roles.get(r));
  if (badRoles.length) throw new InvalidError('ROLE_UNKNOWN', `no such role (or the role itself): ${badRoles.join(', ')}`, [{ field: 'roles', in: 'body', message: `invalid: ${badRoles.join(', ')}` }]);
  return { id: body.id, name: body.name ?? body.id, description: body.description ?? '', privileges: body.privileges, roles: body.roles, source: 'default', readOnly: false };
}

function existing(wharf: Wharf, id: string): Role {
  const role = wharf.roles.get(id);
  if (!role) throw new NotFoundError('name', `no such role: ${id}`);
  return role;
}

function writable(wharf: Wharf, id: string): Role {
  const role = existing(wharf, id);
  if (role.readOnly) throw new InvalidError('ROLE_READ_ONLY', `role ${id} is built in and cannot be changed`);
  return role;
}

export function registerRoleRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/security/roles', {
    schema: {
      tags: TAGS, summary: 'List roles', description: 'Every role, built-in ones included. Needs nx-roles-read.',
      querystring: ListQuery, response: { 200: Type.Array(ApiRoleSchema, { examples: [[RoleExample]] }), ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'roles', 'read');
    return wharf.roles.list().filter((r) => !request.query.source || r.source === request.query.source);
  });

  app.post<{ Body: Static<typeof RoleBody> }>('/security/roles', {
    schema: {
      tags: TAGS, summary: 'Create a role', description: 'Creates a role; privileges must be valid names and contained roles must exist. Needs nx-roles-create.',
      body: RoleBody, response: { 200: ApiRoleSchema, ...errorResponses(400, 401, 403, 409) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'roles', 'create');
    if (wharf.roles.get(request.body.id)) throw new ConflictError(`role ${request.body.id} already exists`);
    const role = roleFrom(wharf, request.body);
    await wharf.roles.put(role);
    wharf.audit.record({ ...actor(request), domain: 'security.role', type: 'create', object: role.id, attributes: { privileges: role.privileges, roles: role.roles } });
    return role;
  });

  app.get<{ Params: Static<typeof RoleParams> }>('/security/roles/:id', {
    schema: {
      tags: TAGS, summary: 'Get a role', description: 'One role by id. Needs nx-roles-read.',
      params: RoleParams, response: { 200: ApiRoleSchema, ...errorResponses(401, 403, 404) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'roles', 'read');
    return existing(wharf, request.params.id);
  });

  app.put<{ Params: Static<typeof RoleParams>; Body: Static<typeof RoleBody> }>('/security/roles/:id', {
    schema: {
      tags: TAGS, summary: 'Update a role', description: 'Replaces a role. Built-in roles are read-only (400). Needs nx-roles-update.',
      params: RoleParams, body: RoleBody, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'roles', 'update');
    const { id } = request.params;
    writable(wharf, id);
    if (request.body.id !== id) throw new InvalidError('ROLE_ID', `the body's id ${request.body.id} is not ${id}`, [{ field: 'id', in: 'body', message: 'must equal the id in the path' }]);
    const role = roleFrom(wharf, request.body);
    await wharf.roles.put(role);
    wharf.audit.record({ ...actor(request), domain: 'security.role', type: 'update', object: id, attributes: { privileges: role.privileges, roles: role.roles } });
    return reply.code(204).send();
  });

  app.delete<{ Params: Static<typeof RoleParams> }>('/security/roles/:id', {
    schema: {
      tags: TAGS, summary: 'Delete a role', description: 'Deletes a role; users and roles that name it keep the name, which grants nothing. Built-in roles are read-only (400). Needs nx-roles-delete.',
      params: RoleParams, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'roles', 'delete');
    writable(wharf, request.params.id);
    await wharf.roles.delete(request.params.id);
    wharf.audit.record({ ...actor(request), domain: 'security.role', type: 'delete', object: request.params.id });
    return reply.code(204).send();
  });
}
