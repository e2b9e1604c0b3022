// REST v1 /security/user-tokens: API tokens for CI, usable as a Basic password (user:token) or a Bearer
// token. Any signed-in user manages their own; nx-users-read lists anyone's, nx-users-delete revokes anyone's.
// A token may carry only privileges its user (and the token the request itself came with) already has.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { InvalidError, NotFoundError, UnauthorizedError } from '../repository/errors.js';
import type { Principal } from '../security/access.js';
import type { ApiToken } from '../security/api-tokens.js';
import { actor } from '../security/audit.js';
import { implies, parsePrivilege, type Grant } from '../security/privileges.js';
import type { Wharf } from '../wharf.js';
import { errorResponses, isoDate, NoContent } from './schemas.js';

const TAGS = ['security: user tokens'];
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const TokenExample = {
  id: '0c6a1b0e-6c1f-4d5e-9a53-2f4b3f2d9e11', name: 'ci-push', userId: 'ci', privileges: ['nx-repository-view-docker-docker-hosted-*'],
  createdAt: '2025-01-01T00:00:00.000Z', expiresAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null,
};

const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  userId: Type.String(),
  privileges: Type.Array(Type.String(), { description: 'The privileges the token is narrowed to; empty: all of its user\'s' }),
  createdAt: DateTime,
  expiresAt: Nullable(DateTime),
  lastUsedAt: Nullable(DateTime),
}, { description: 'An API token (without its secret)', examples: [TokenExample] });

const CreatedTokenSchema = Type.Object({ ...TokenSchema.properties, token: Type.String({ description: 'The token text; shown only in this reply' }) }, {
  description: 'The new token, with its text', examples: [{ ...TokenExample, token: 'wharf_0c6a1b0e-6c1f-4d5e-9a53-2f4b3f2d9e11_q8X...' }],
});

const CreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  privileges: Type.Optional(Type.Array(Type.String(), { description: 'A subset of your privileges; empty or absent: all of them' })),
  expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the token stops working (ISO 8601); absent: never' })),
}, { description: 'A new API token', examples: [{ name: 'ci-push', privileges: ['nx-repository-view-docker-docker-hosted-*'], expiresAt: '2026-01-01T00:00:00Z' }] });

const ListQuery = Type.Object({ userId: Type.Optional(Type.String({ description: 'Another user\'s tokens (needs nx-users-read)' })) }, { examples: [{ userId: 'ci' }] });
const IdParams = Type.Object({ id: Type.String({ description: 'The token id', examples: [TokenExample.id] }) });

const toApi = (t: ApiToken) => ({
  id: t.id, name: t.name, userId: t.userId, privileges: t.privileges,
  createdAt: isoDate(t.createdAt)!, expiresAt: isoDate(t.expiresAt), lastUsedAt: isoDate(t.lastUsedAt),
});

function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new UnauthorizedError('sign in to manage API tokens');
  return principal;
}

/** The privileges a new token gets: the requested ones, each implied by what the caller holds now. */
function narrowedPrivileges(wharf: Wharf, principal: Principal, requested: string[]): string[] {
  const held = wharf.roles.grants(principal.roles);
  // A request made with a narrowed token can only hand out (part of) that token's privileges.
  const limit = principal.tokenPrivileges?.length ? principal.tokenPrivileges.map(parsePrivilege).filter((g): g is Grant => !!g) : undefined;
  if (!requested.length) return limit ? [...principal.tokenPrivileges!] : [];
  const refused = requested.filter((name) => {
    const want = parsePrivilege(name);
    return !want || !held.some((h) => implies(h, want)) || (limit && !limit.some((h) => implies(h, want)));
  });
  if (refused.length) {
    throw new InvalidError('PRIVILEGE_NOT_HELD', `not privileges you hold: ${refused.join(', ')}`, [{ field: 'privileges', in: 'body', message: `not held: ${refused.join(', ')}` }]);
  }
  return requested;
}

export function registerUserTokenRoutes(app: FastifyInstance, wharf: Wharf): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>('/security/user-tokens', {
    schema: {
      tags: TAGS, summary: 'List API tokens', description: 'Your own API tokens, or with `userId` another user\'s (needs nx-users-read). Token texts are never listed.',
      querystring: ListQuery, response: { 200: Type.Array(TokenSchema, { examples: [[TokenExample]] }), ...errorResponses(401, 403) },
    },
  }, async (request) => {
    const principal = signedIn(request.user);
    const userId = request.query.userId ?? principal.userId;
    if (userId !== principal.userId) wharf.access.checkDomain(principal, 'users', 'read');
    return (await wharf.apiTokens.list(userId)).map(toApi);
  });

  app.post<{ Body: Static<typeof CreateBody> }>('/security/user-tokens', {
    schema: {
      tags: TAGS, summary: 'Create an API token', description: 'Creates a token for yourself. Use it as the password of Basic authentication (user:token) or as `Authorization: Bearer <token>`. The token text is in this reply only.',
      body: CreateBody, response: { 201: CreatedTokenSchema, ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const principal = signedIn(request.user);
    const { name, expiresAt } = request.body;
    const expires = expiresAt === undefined ? null : Date.parse(expiresAt);
    if (expires !== null && !(expires > Date.now())) throw new InvalidError('EXPIRES_AT', 'expiresAt must be in the future', [{ field: 'expiresAt', in: 'body', message: 'must be in the future' }]);
    const privileges = narrowedPrivileges(wharf, principal, request.body.privileges ?? []);
    const { token, secret } = await wharf.apiTokens.create(principal.userId, name, privileges, expires);
    wharf.audit.record({ ...actor(request), domain: 'security.token', type: 'create', object: token.id, attributes: { name, privileges, expiresAt: isoDate(expires) } });
    return reply.code(201).send({ ...toApi(token), token: secret });
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/security/user-tokens/:id', {
    schema: {
      tags: TAGS, summary: 'Revoke an API token', description: 'Revokes one of your tokens, or anyone\'s with nx-users-delete. Requests with it get 401 from then on.',
      params: IdParams, response: { 204: NoContent, ...errorResponses(401, 404) },
    },
  }, async (request, reply) => {
    const principal = signedIn(request.user);
    const any = wharf.access.allowsDomain(principal, 'users', 'delete');
    // Someone else's token id answers 404, not 403: ids of others' tokens are not confirmed.
    if (!(await wharf.apiTokens.revoke(request.params.id, any ? undefined : principal.userId))) throw new NotFoundError('name', `no such token: ${request.params.id}`);
    wharf.audit.record({ ...actor(request), domain: 'security.token', type: 'delete', object: request.params.id });
    return reply.code(204).send();
  });
}
