// REST v1 /security/users: local users in Nexus's shape (list, create, update, delete, change password).
// Privileges: nx-users-read/create/update/delete. A user may change their own password. The last active
// administrator (a user whose roles grant nx-all) can be neither deleted nor demoted, and nobody deletes themself.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { UserSchema } from '../config/schema.js';
import { ConflictError, InvalidError, NotFoundError } from '../repository/errors.js';
import { actor } from '../security/audit.js';
import type { UserRecord } from '../security/users.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, NoContent, StringEnum } from './schemas.js';

const TAGS = ['security: users'];
const Status = StringEnum(['active', 'disabled'] as const, { description: 'Only active users can sign in' });

const UserExample = {
  userId: 'jsmith', firstName: 'John', lastName: 'Smith', emailAddress: 'jsmith@example.com', source: 'default',
  status: 'active', readOnly: false, roles: ['nx-admin'], externalRoles: [],
};

export const ApiUserSchema = Type.Object({
  userId: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  emailAddress: Type.String(),
  source: Type.String({ description: 'The realm the user comes from: default (local) or ldap' }),
  status: Type.String({ description: 'active or disabled' }),
  readOnly: Type.Boolean({ description: 'True for users of an external realm: only their roles can be changed here' }),
  roles: Type.Array(Type.String()),
  externalRoles: Type.Array(Type.String()),
}, { description: 'A user (never with its password)', examples: [UserExample] });

// The same field rules as wharf.yaml's users (config/schema.ts), so the file and the API accept the same users.
const CreateUserBody = Type.Object({ ...UserSchema.properties, status: Type.Optional(Status) }, {
  description: 'A new local user',
  examples: [{ userId: 'jsmith', firstName: 'John', lastName: 'Smith', emailAddress: 'jsmith@example.com', password: 'secret123', status: 'active', roles: ['nx-admin'] }],
});

const UpdateUserBody = Type.Object({
  userId: UserSchema.properties.userId,
  firstName: Type.Optional(Type.String()),
  lastName: Type.Optional(Type.String()),
  emailAddress: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  status: Type.Optional(Status),
  readOnly: Type.Optional(Type.Boolean()),
  roles: Type.Array(Type.String()),
  externalRoles: Type.Optional(Type.Array(Type.String())),
}, { description: 'The user as GET returns it; the password is not changed here', examples: [{ ...UserExample, roles: ['developers'] }] });

const ListQuery = Type.Object({
  userId: Type.Optional(Type.String({ description: 'Only users whose id starts with this' })),
  source: Type.Optional(Type.String({ description: 'Only users of this realm (default, ldap)' })),
}, { examples: [{ userId: 'js', source: 'default' }] });

const UserParams = Type.Object({ userId: Type.String({ description: 'The user id', examples: ['jsmith'] }) });

const Password = Type.String({ minLength: 1, description: 'The new password, as the whole text/plain body', examples: ['n3w-secret'] });

export function toApiUser(user: UserRecord): Static<typeof ApiUserSchema> {
  return { ...user, readOnly: user.source !== 'default', externalRoles: [] };
}

/** Throws InvalidError naming the roles that do not exist. */
function checkRoles(wharf: Wharf, roles: string[]): void {
  const unknown = roles.filter((r) => !wharf.roles.get(r));
  if (unknown.length) throw new InvalidError('ROLE_UNKNOWN', `no such role: ${unknown.join(', ')}`, [{ field: 'roles', in: 'body', message: `unknown roles: ${unknown.join(', ')}` }]);
}

/** Throws ConflictError when `userId` is the last active administrator and would stop being one (after = undefined: deleted). */
async function keepAnAdministrator(wharf: Wharf, userId: string, after?: { status: string; roles: string[] }): Promise<void> {
  const isAdmin = (u: { status: string; roles: string[] }) => u.status === 'active' && wharf.roles.grants(u.roles).some((g) => g.kind === 'all');
  const users = await wharf.users.list();
  const target = users.find((u) => u.userId === userId);
  if (!target || !isAdmin(target) || (after && isAdmin(after))) return;
  if (!users.some((u) => u.userId !== userId && isAdmin(u))) throw new ConflictError(`${userId} is the last active administrator`);
}

async function existing(wharf: Wharf, userId: string): Promise<UserRecord> {
  const user = await wharf.users.find(userId);
  if (!user) throw new NotFoundError('name', `no such user: ${userId}`);
  return user;
}

export function registerUserRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/security/users', {
    schema: {
      tags: TAGS, summary: 'List users', description: 'Users, optionally only those whose id starts with `userId` and of one `source`. Needs nx-users-read.',
      querystring: ListQuery, response: { 200: Type.Array(ApiUserSchema, { examples: [[UserExample]] }), ...errorResponses(401, 403) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'users', 'read');
    return (await wharf.users.list(request.query)).map(toApiUser);
  });

  app.post<{ Body: Static<typeof CreateUserBody> }>('/security/users', {
    schema: {
      tags: TAGS, summary: 'Create a user', description: 'Creates a local user; the reply is the user without its password. Needs nx-users-create.',
      body: CreateUserBody, response: { 200: ApiUserSchema, ...errorResponses(400, 401, 403, 409) },
    },
  }, async (request) => {
    wharf.access.checkDomain(request.user, 'users', 'create');
    const body = request.body;
    if (await wharf.users.find(body.userId)) throw new ConflictError(`user ${body.userId} already exists`);
    checkRoles(wharf, body.roles);
    await wharf.users.put(body);
    wharf.audit.record({ ...actor(request), domain: 'security.user', type: 'create', object: body.userId, attributes: { roles: body.roles, status: body.status ?? 'active' } });
    return toApiUser(await existing(wharf, body.userId));
  });

  app.put<{ Params: Static<typeof UserParams>; Body: Static<typeof UpdateUserBody> }>('/security/users/:userId', {
    schema: {
      tags: TAGS, summary: 'Update a user', description: 'Replaces a user\'s names, email, status and roles (never the password). For users of an external realm (readOnly) only the roles change. Needs nx-users-update.',
      params: UserParams, body: UpdateUserBody, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'users', 'update');
    const { userId } = request.params;
    const body = request.body;
    if (body.userId !== userId) throw new InvalidError('USER_ID', `the body's userId ${body.userId} is not ${userId}`, [{ field: 'userId', in: 'body', message: 'must equal the userId in the path' }]);
    const user = await existing(wharf, userId);
    checkRoles(wharf, body.roles);
    const next = user.source === 'default'
      ? { userId, firstName: body.firstName, lastName: body.lastName, emailAddress: body.emailAddress, status: body.status ?? (user.status as 'active' | 'disabled'), roles: body.roles }
      : { ...user, status: user.status as 'active' | 'disabled', roles: body.roles };
    await keepAnAdministrator(wharf, userId, next);
    await wharf.users.update(next);
    wharf.audit.record({ ...actor(request), domain: 'security.user', type: 'update', object: userId, attributes: { roles: next.roles, status: next.status } });
    return reply.code(204).send();
  });

  app.delete<{ Params: Static<typeof UserParams> }>('/security/users/:userId', {
    schema: {
      tags: TAGS, summary: 'Delete a user', description: 'Deletes a user and revokes its API tokens. Refused for yourself (400) and for the last active administrator (409). Needs nx-users-delete.',
      params: UserParams, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    wharf.access.checkDomain(request.user, 'users', 'delete');
    const { userId } = request.params;
    if (request.user?.userId === userId) throw new InvalidError('USER_SELF', 'you cannot delete yourself');
    await existing(wharf, userId);
    await keepAnAdministrator(wharf, userId);
    for (const token of await wharf.apiTokens.list(userId)) await wharf.apiTokens.revoke(token.id);
    await wharf.users.delete(userId);
    wharf.audit.record({ ...actor(request), domain: 'security.user', type: 'delete', object: userId });
    return reply.code(204).send();
  });

  app.put<{ Params: Static<typeof UserParams>; Body: string }>('/security/users/:userId/change-password', {
    schema: {
      tags: TAGS, summary: 'Change a password', description: 'Sets a local user\'s password from the text/plain body. Allowed for the user themself (signed in with a password, not an API token) and for nx-users-update.',
      consumes: ['text/plain'], params: UserParams, body: Password, response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const { userId } = request.params;
    const principal = request.user;
    // A leaked CI token must not be enough to take the account over.
    const self = principal?.userId === userId && principal.tokenPrivileges === undefined;
    if (!self) wharf.access.checkDomain(principal, 'users', 'update');
    const user = await existing(wharf, userId);
    if (user.source !== 'default') throw new InvalidError('USER_EXTERNAL', `user ${userId} comes from the ${user.source} realm; change the password there`);
    await wharf.users.setPassword(userId, request.body);
    wharf.audit.record({ ...actor(request), domain: 'security.user', type: 'change-password', object: userId });
    return reply.code(204).send();
  });
}
